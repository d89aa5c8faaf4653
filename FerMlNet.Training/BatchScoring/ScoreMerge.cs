using System.Text;
using FerMlNet.Core;
using FerMlNet.Core.IO;

namespace FerMlNet.Training.BatchScoring;

/// <summary>What <see cref="ScoreMerge.Run"/> joined.</summary>
/// <param name="Shards">Shard CSVs joined.</param>
/// <param name="Images">Input files in the merged CSV (each once).</param>
/// <param name="Rows">CSV rows written (one per face, or one per image without a face or with an error).</param>
public sealed record ScoreMergeSummary(int Shards, int Images, int Rows);

/// <summary>
/// Joins the CSVs of a sharded score job (<c>fer score --shard I/N</c>) into one, after checking that they are one
/// job's complete output: every shard 0 … N − 1 exactly once, all made from the same input, model, threshold, face
/// setting and offsets, each holding exactly its shard's files, and together every file the input lists now — none
/// missing, none twice. Anything else is refused with the reason; nothing is written then.
/// </summary>
public static class ScoreMerge
{
    /// <summary>How many missing or misplaced paths an error message names before it counts the rest.</summary>
    private const int NamedInErrors = 5;

    /// <summary>Checks the shards and writes the merged CSV (rows ordered by path) and its run record, atomically.</summary>
    /// <exception cref="InvalidDataException">The shards are not one complete job; the message says why.</exception>
    /// <exception cref="IOException"><paramref name="outCsv"/> exists.</exception>
    public static ScoreMergeSummary Run(IReadOnlyList<string> shardCsvs, string outCsv)
    {
        if (File.Exists(outCsv)) throw new IOException($"'{outCsv}' already exists; choose another --out.");
        var shards = shardCsvs.Select(ReadShard).ToList();
        var first = shards[0].Record;
        int count = ScoreShard.Parse(first.Shard!).Count;
        foreach (var s in shards.Skip(1))
        {
            var differences = s.Record.DifferencesFrom(first, $"shard {first.Shard}", compareShard: false);
            if (differences.Count > 0)
                throw new InvalidDataException($"'{s.Csv}' is not from the same job as '{shards[0].Csv}': {string.Join(", ", differences)}.");
        }
        var byIndex = shards.GroupBy(s => ScoreShard.Parse(s.Record.Shard!)).ToList();
        if (byIndex.FirstOrDefault(g => g.Key.Count != count) is { } otherCount)
            throw new InvalidDataException($"'{otherCount.First().Csv}' is shard {otherCount.Key} but '{shards[0].Csv}' is one of {count}.");
        if (byIndex.FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new InvalidDataException($"Shard {twice.Key} is given twice: {string.Join(", ", twice.Select(s => $"'{s.Csv}'"))}.");
        var absent = Enumerable.Range(0, count).Except(byIndex.Select(g => g.Key.Index)).ToList();
        if (absent.Count > 0)
            throw new InvalidDataException($"Shard{(absent.Count > 1 ? "s" : "")} {string.Join(", ", absent.Select(i => $"{i}/{count}"))} " +
                $"{(absent.Count > 1 ? "are" : "is")} missing; a merge needs all {count}.");

        var expected = ExpectedPaths(first.Input);
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var s in shards)
        {
            var shard = ScoreShard.Parse(s.Record.Shard!);
            var misplaced = s.Paths.Where(p => !shard.Contains(p)).ToList();
            if (misplaced.Count > 0)
                throw new InvalidDataException($"'{s.Csv}' (shard {shard}) holds {misplaced.Count} file(s) of other shards: {Named(misplaced)}.");
            foreach (var path in s.Paths)
                if (!seen.TryAdd(path, s.Csv))
                    throw new InvalidDataException($"'{path}' is in both '{seen[path]}' and '{s.Csv}'.");
        }
        var missing = expected.Where(p => !seen.ContainsKey(p)).Order(StringComparer.Ordinal).ToList();
        if (missing.Count > 0)
            throw new InvalidDataException($"{missing.Count} file(s) of '{first.Input}' are in no shard CSV (an unfinished shard? " +
                $"--resume it): {Named(missing)}.");
        var extra = seen.Keys.Where(p => !expected.Contains(p)).Order(StringComparer.Ordinal).ToList();
        if (extra.Count > 0)
            throw new InvalidDataException($"{extra.Count} row path(s) are not files of '{first.Input}' any more: {Named(extra)}.");

        // Rows grouped by path in ordinal order (a stable sort keeps each image's faces in their order), so the merged
        // CSV is the same whatever N was.
        var rows = shards.SelectMany(s => s.Rows).OrderBy(r => r[0], StringComparer.Ordinal).ToList();
        var text = new StringBuilder(Csv.Line(BatchScorer.Header)).Append('\n');
        foreach (var r in rows) text.Append(Csv.Line(r)).Append('\n');
        if (Path.GetDirectoryName(Path.GetFullPath(outCsv)) is { } dir) Directory.CreateDirectory(dir);
        AtomicFile.WriteAllText(outCsv, text.ToString());
        new ScoreRunRecord
        {
            Input = first.Input, DetectFaces = first.DetectFaces, ModelSha256 = first.ModelSha256,
            Threshold = first.Threshold, ClassLogOffsets = first.ClassLogOffsets,
        }.Write(outCsv);
        return new ScoreMergeSummary(shards.Count, seen.Count, rows.Count);
    }

    private sealed record Shard(string Csv, ScoreRunRecord Record, List<string[]> Rows, List<string> Paths);

    /// <summary>A shard CSV with its record and rows; its paths in the order they first appear.</summary>
    private static Shard ReadShard(string csv)
    {
        if (!File.Exists(csv)) throw new FileNotFoundException($"Shard CSV '{csv}' does not exist.", csv);
        var record = ScoreRunRecord.Read(csv)
            ?? throw new InvalidDataException($"'{csv}' has no run record ('{Path.GetFileName(ScoreRunRecord.PathFor(csv))}'), so nothing says which shard it is.");
        if (record.Shard is null) throw new InvalidDataException($"'{csv}' is not a shard (its run record names no --shard).");
        var rows = Csv.ParseWritten(File.ReadAllText(csv));
        if (rows.Count == 0 || !rows[0].SequenceEqual(BatchScorer.Header))
            throw new InvalidDataException($"'{csv}' is not a score CSV of this version (header differs).");
        var data = rows.Skip(1).ToList();
        return new Shard(csv, record, data, data.Select(r => r[0]).Distinct().ToList());
    }

    /// <summary>The relative paths the input lists now, as the shards' rows name them.</summary>
    private static HashSet<string> ExpectedPaths(string input)
    {
        var (root, files) = BatchScorer.ListInputs(input, []);
        return files.Select(f => FileTree.RelativePath(root, f)).ToHashSet(StringComparer.Ordinal);
    }

    private static string Named(List<string> paths) =>
        string.Join(", ", paths.Take(NamedInErrors).Select(p => $"'{p}'")) + (paths.Count > NamedInErrors ? $" and {paths.Count - NamedInErrors} more" : "");
}
