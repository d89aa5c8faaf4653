using System.Text;
using FerMlNet.Core;
using FerMlNet.Core.IO;
using FerMlNet.Preprocessing;

namespace FerMlNet.Lifecycle.BatchScoring;

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

    /// <summary>
    /// Checks the shards and writes the merged CSV (rows in the input's order, as the unsharded job writes them) and its
    /// run record, atomically. Rows are streamed: memory holds the paths, never the rows.
    /// </summary>
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
        var missing = expected.Keys.Where(p => !seen.ContainsKey(p)).Order(StringComparer.Ordinal).ToList();
        if (missing.Count > 0)
            throw new InvalidDataException($"{missing.Count} file(s) of '{first.Input}' are in no shard CSV (an unfinished shard? " +
                $"--resume it): {Named(missing)}.");
        var extra = seen.Keys.Where(p => !expected.ContainsKey(p)).Order(StringComparer.Ordinal).ToList();
        if (extra.Count > 0)
            throw new InvalidDataException($"{extra.Count} row path(s) are not files of '{first.Input}' any more: {Named(extra)}.");
        // The rows are merged in the input's order, so each shard must already be in it (a job writes its files in order).
        foreach (var s in shards)
            for (int k = 1; k < s.Paths.Count; k++)
                if (expected[s.Paths[k]] < expected[s.Paths[k - 1]])
                    throw new InvalidDataException($"'{s.Csv}' is not in the order of its input '{first.Input}' ('{s.Paths[k]}' " +
                        $"comes after '{s.Paths[k - 1]}'; was the list reordered since?).");

        if (Path.GetDirectoryName(Path.GetFullPath(outCsv)) is { } dir) Directory.CreateDirectory(dir);
        int rows = 0;
        AtomicFile.Write(outCsv, stream => rows = WriteInInputOrder(shards, expected, stream));
        new ScoreRunRecord
        {
            Input = first.Input, DetectFaces = first.DetectFaces, ModelSha256 = first.ModelSha256,
            Threshold = first.Threshold, ClassLogOffsets = first.ClassLogOffsets,
        }.Write(outCsv);
        return new ScoreMergeSummary(shards.Count, seen.Count, rows);
    }

    /// <summary>
    /// Streams the shards' rows into one CSV in the input's order — the order the unsharded job writes them (for a
    /// folder: ordinal path order), each image's faces in their order — holding one row per shard at a time, so the
    /// memory does not grow with the job. Returns the rows written.
    /// </summary>
    private static int WriteInInputOrder(IReadOnlyList<Shard> shards, Dictionary<string, int> position, Stream output)
    {
        using var writer = new StreamWriter(output, new UTF8Encoding(false), leaveOpen: true);
        writer.Write(Csv.Line(BatchScorer.Header) + "\n");
        var readers = shards.Select(s => new StreamReader(s.Csv, Encoding.UTF8)).ToList();
        try
        {
            var rows = readers.Select((r, i) => Csv.ReadWritten(r, shards[i].Csv).Skip(1).GetEnumerator()).ToList();
            var next = new PriorityQueue<int, int>(); // shard, by its next row's place in the input
            for (int k = 0; k < rows.Count; k++)
                if (rows[k].MoveNext()) next.Enqueue(k, position[rows[k].Current[0]]);
            int written = 0;
            while (next.TryDequeue(out int k, out _))
            {
                // One image's rows are consecutive in its shard: write them all before another shard's image.
                string path = rows[k].Current[0];
                bool more;
                do
                {
                    writer.Write(Csv.Line(rows[k].Current) + "\n");
                    written++;
                    more = rows[k].MoveNext();
                }
                while (more && rows[k].Current[0] == path);
                if (more) next.Enqueue(k, position[rows[k].Current[0]]);
            }
            return written;
        }
        finally
        {
            foreach (var r in readers) r.Dispose();
        }
    }

    private sealed record Shard(string Csv, ScoreRunRecord Record, List<string> Paths);

    /// <summary>A shard CSV's record and the paths of its rows in order, read row by row (the rows are not kept).</summary>
    private static Shard ReadShard(string csv)
    {
        if (!File.Exists(csv)) throw new FileNotFoundException($"Shard CSV '{csv}' does not exist.", csv);
        InputFile.ThrowIfSpecial(csv);
        var record = ScoreRunRecord.Read(csv)
            ?? throw new InvalidDataException($"'{csv}' has no run record ('{Path.GetFileName(ScoreRunRecord.PathFor(csv))}'), so nothing says which shard it is.");
        if (record.Shard is null) throw new InvalidDataException($"'{csv}' is not a shard (its run record names no --shard).");
        using var reader = new StreamReader(csv, Encoding.UTF8);
        var paths = new List<string>();
        bool header = true;
        foreach (var row in Csv.ReadWritten(reader, csv))
        {
            if (header && !row.SequenceEqual(BatchScorer.Header))
                throw new InvalidDataException($"'{csv}' is not a score CSV of this version (header differs).");
            if (!header && (paths.Count == 0 || paths[^1] != row[0])) paths.Add(row[0]);
            header = false;
        }
        if (header) throw new InvalidDataException($"'{csv}' is not a score CSV of this version (header differs).");
        if (paths.Distinct(StringComparer.Ordinal).Count() != paths.Count)
            throw new InvalidDataException($"'{csv}' holds the rows of one image in two places (written by two jobs at once?).");
        return new Shard(csv, record, paths);
    }

    /// <summary>The relative paths the input lists now, as the shards' rows name them, each with its place in the input's order.</summary>
    private static Dictionary<string, int> ExpectedPaths(string input)
    {
        var (root, files) = BatchScorer.ListInputs(input, []);
        var position = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var f in files) position.TryAdd(FileTree.RelativePath(root, f), position.Count);
        return position;
    }

    private static string Named(List<string> paths) =>
        string.Join(", ", paths.Take(NamedInErrors).Select(p => $"'{p}'")) + (paths.Count > NamedInErrors ? $" and {paths.Count - NamedInErrors} more" : "");
}
