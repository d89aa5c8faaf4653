using System.Text.Json.Serialization;
using FerMlNet.Preprocessing;
using FerMlNet.Core.IO;

namespace FerMlNet.Core.Quality;

/// <summary>What a reviewer decided for one image (written as "keep", "relabel", "remove").</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RelabelAction>))]
public enum RelabelAction
{
    /// <summary>Keep the image with its label (also an empty decision).</summary>
    [JsonStringEnumMemberName("keep")] Keep,

    /// <summary>Move it to another class.</summary>
    [JsonStringEnumMemberName("relabel")] Relabel,

    /// <summary>Leave it out of the new dataset.</summary>
    [JsonStringEnumMemberName("remove")] Remove,
}

/// <summary>One row of decisions.csv.</summary>
/// <param name="Path">Image path relative to the dataset root.</param>
/// <param name="Action">The decision.</param>
/// <param name="NewLabel">Class index for <see cref="RelabelAction.Relabel"/>; otherwise -1.</param>
/// <param name="Line">Line number in the file (for messages).</param>
public sealed record RelabelDecision(string Path, RelabelAction Action, int NewLabel, int Line);

/// <summary>
/// decisions.csv: <c>path,given,suggested,confidence,decision</c>, one row per flagged image. A reviewer fills the
/// decision column with <c>keep</c>, <c>relabel:CLASS</c> or <c>remove</c>; an empty decision means keep.
/// </summary>
public static class RelabelDecisions
{
    /// <summary>The header line.</summary>
    public static readonly string[] Header = ["path", "given", "suggested", "confidence", "decision"];

    /// <summary>Reads and checks a decisions file; every problem names the file and line.</summary>
    /// <exception cref="InvalidDataException">Missing columns, an unknown decision or class, or a path given twice.</exception>
    public static List<RelabelDecision> Read(string file)
    {
        if (!File.Exists(file)) throw new FileNotFoundException($"Decisions file '{file}' does not exist.");
        List<string[]> rows;
        try { rows = Csv.ParseWritten(InputFile.ReadAllText(file)); }
        catch (FormatException e) { throw new InvalidDataException($"'{file}': {e.Message}."); }
        if (rows.Count == 0) throw new InvalidDataException($"'{file}' is empty; expected the header {string.Join(",", Header)}.");
        int pathCol = Array.IndexOf(rows[0], "path"), decisionCol = Array.IndexOf(rows[0], "decision");
        if (pathCol < 0 || decisionCol < 0)
            throw new InvalidDataException($"'{file}' line 1: the header needs the columns 'path' and 'decision'.");
        var decisions = new List<RelabelDecision>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int r = 1; r < rows.Count; r++)
        {
            int line = r + 1;
            var row = rows[r];
            if (row.Length <= Math.Max(pathCol, decisionCol))
                throw new InvalidDataException($"'{file}' line {line}: expected {rows[0].Length} columns, found {row.Length}.");
            var path = row[pathCol].Trim();
            if (path.Length == 0) throw new InvalidDataException($"'{file}' line {line}: the path is empty.");
            if (!seen.Add(path)) throw new InvalidDataException($"'{file}' line {line}: '{path}' is decided twice.");
            decisions.Add(Parse(file, line, path, row[decisionCol].Trim()));
        }
        return decisions;
    }

    private static RelabelDecision Parse(string file, int line, string path, string text)
    {
        var lower = text.ToLowerInvariant();
        if (lower is "" or "keep") return new RelabelDecision(path, RelabelAction.Keep, -1, line);
        if (lower == "remove") return new RelabelDecision(path, RelabelAction.Remove, -1, line);
        if (lower.StartsWith("relabel:", StringComparison.Ordinal))
        {
            int label = EmotionClasses.IndexOfFolder(lower["relabel:".Length..].Trim());
            if (label < 0)
                throw new InvalidDataException($"'{file}' line {line}: unknown class in '{text}' (use {string.Join(", ", EmotionClasses.Names)}).");
            return new RelabelDecision(path, RelabelAction.Relabel, label, line);
        }
        throw new InvalidDataException($"'{file}' line {line}: unknown decision '{text}' (use keep, relabel:CLASS or remove).");
    }
}
