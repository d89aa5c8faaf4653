using FerMlNet.Core.Labels;
using FerMlNet.Core.Data;
using FerMlNet.Preprocessing;

namespace FerMlNet.Cli;

/// <summary>Dataset loading and report output shared by the `data` commands.</summary>
internal static class CliData
{
    /// <summary>
    /// Folder-vs-crowd agreement of a dataset against the repository's FER+ vote file, and the votes read (so a caller
    /// that goes on to use them does not read the file again); (null, null) when the file is not there (a deployment
    /// without datasets/).
    /// </summary>
    public static (CrowdAgreement? Agreement, CrowdVoteTable? Votes) CrowdAgreementOf(DatasetIndex index)
    {
        CrowdVoteTable votes;
        try { votes = CrowdVoteTable.LoadDefault(); }
        catch (FileNotFoundException) { return (null, null); }
        return (CrowdAgreement.Of(index.Entries, votes), votes);
    }

    /// <summary>A split named on the command line (train, val and its aliases, test, all); an unknown name is a usage error.</summary>
    public static DatasetSplit ParseSplit(string value)
    {
        try { return SplitNames.Parse(value); }
        catch (ArgumentException e) { throw new UsageException(e.Message); }
    }

    /// <summary>Reads the dataset as it is on disk (no made-up validation split) and decodes it with a progress bar.</summary>
    public static (DatasetIndex Index, DecodedDataset Data) LoadAsIs(string root, DatasetSplit? only = null)
    {
        var index = DatasetReader.Read(root, new DatasetReaderOptions { CreateValidationWhenMissing = false });
        if (only is { } split and not DatasetSplit.All) index = index.Only(split);
        var data = FerCommandLine.WithProgress("Decoding images", report => DecodedDatasetCache.Load(index, progress: report));
        return (index, data);
    }

    /// <summary>
    /// Up to <paramref name="count"/> faces spread evenly over the dataset (in path order), decoded one at a time; a
    /// file that does not decode is named in <paramref name="unreadable"/> and skipped.
    /// </summary>
    public static IEnumerable<byte[]> Sample(string root, int count, List<string> unreadable)
    {
        var entries = DatasetReader.Read(root).Entries.OrderBy(e => e.RelativePath, StringComparer.Ordinal).ToList();
        if (entries.Count == 0) throw new DatasetException($"'{root}' holds no images.");
        int n = Math.Min(count, entries.Count);
        foreach (var entry in Enumerable.Range(0, n).Select(i => entries[(int)((long)i * entries.Count / n)]))
        {
            byte[]? pixels = null;
            try { pixels = FaceImageDecoder.DecodeFile(entry.FullPath); }
            catch (ImageDecodeException e) { unreadable.Add($"skipped {entry.FullPath}: {e.Reason}"); }
            if (pixels is not null) yield return pixels;
        }
    }

    /// <summary>
    /// Creates the report folder and refuses to replace reports already in it unless <paramref name="force"/>: a
    /// reviewer's earlier report (and the decisions they wrote next to it) is never overwritten without asking.
    /// </summary>
    public static string PrepareReportFolder(string outDir, bool force, params string[] fileNames)
    {
        var full = Path.GetFullPath(outDir);
        if (File.Exists(full)) throw new UsageException($"--out '{outDir}' is a file; give a folder.");
        if (!force)
            foreach (var name in fileNames)
                if (File.Exists(Path.Combine(full, name)))
                    throw new UsageException($"'{Path.Combine(outDir, name)}' already exists; choose another --out or add --force to replace it.");
        Directory.CreateDirectory(full);
        return full;
    }
}
