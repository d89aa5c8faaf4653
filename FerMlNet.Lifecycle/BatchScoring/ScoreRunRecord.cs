using System.Text.Json;
using System.Text.Json.Serialization;
using FerMlNet.Preprocessing;
using FerMlNet.Core.IO;

namespace FerMlNet.Lifecycle.BatchScoring;

/// <summary>The model a score CSV's answers come from, as its run record names it.</summary>
/// <param name="Sha256">SHA-256 of the model file (hex).</param>
/// <param name="Threshold">Confidence below which the label is "uncertain".</param>
/// <param name="ClassLogOffsets">The deployment calibration's class offsets (`--deployment`), or null.</param>
public sealed record ScoreRunModel(string Sha256, float Threshold, float[]? ClassLogOffsets = null);

/// <summary>
/// The run record of a score CSV (<c>X.csv.json</c> beside <c>X.csv</c>, written atomically before the first row):
/// what the rows were made from, so <c>--resume</c> can refuse to continue a CSV of another input, model or setting
/// instead of keeping another run's answers as "already done".
/// </summary>
public sealed class ScoreRunRecord
{
    /// <summary>Version of this record's layout.</summary>
    public int SchemaVersion { get; init; } = 1;

    /// <summary>The input (file, folder or list) as a full path.</summary>
    public required string Input { get; init; }

    /// <summary>Whether faces were detected first (one row per face).</summary>
    public bool DetectFaces { get; init; }

    /// <summary>SHA-256 of the model file, or null when the caller did not say.</summary>
    public string? ModelSha256 { get; init; }

    /// <summary>The "uncertain" threshold, or null when the caller did not say.</summary>
    public float? Threshold { get; init; }

    /// <summary>The deployment calibration's class offsets, or null when none was applied.</summary>
    public float[]? ClassLogOffsets { get; init; }

    /// <summary>The shard "I/N" this CSV holds (<see cref="ScoreShard"/>), or null for the whole input.</summary>
    public string? Shard { get; init; }

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>The record's path for a CSV.</summary>
    public static string PathFor(string csvPath) => csvPath + ".json";

    /// <summary>
    /// What this record says differently from <paramref name="other"/> (input, face detection, model, threshold,
    /// deployment offsets and, with <paramref name="compareShard"/>, the shard), each as "this (OTHER: that)" where
    /// OTHER is <paramref name="otherName"/>.
    /// </summary>
    public List<string> DifferencesFrom(ScoreRunRecord other, string otherName, bool compareShard)
    {
        static string Offsets(float[]? offsets) => $"[{string.Join(", ", offsets ?? [])}]";
        var differences = new List<string>();
        void Differ(string mine, string theirs) => differences.Add($"{mine} ({otherName}: {theirs})");
        if (Input != other.Input) Differ($"input '{Input}'", $"'{other.Input}'");
        if (DetectFaces != other.DetectFaces) Differ($"face detection {(DetectFaces ? "on" : "off")}", other.DetectFaces ? "on" : "off");
        if (ModelSha256 != other.ModelSha256) Differ($"model SHA-256 {ModelSha256 ?? "unknown"}", other.ModelSha256 ?? "unknown");
        if (Threshold != other.Threshold) Differ($"threshold {Threshold}", $"{other.Threshold}");
        if (compareShard && Shard != other.Shard) Differ($"shard {Shard ?? "none (the whole input)"}", other.Shard ?? "none");
        if (!(ClassLogOffsets ?? []).SequenceEqual(other.ClassLogOffsets ?? []))
            Differ($"deployment offsets {Offsets(ClassLogOffsets)}", Offsets(other.ClassLogOffsets));
        return differences;
    }

    /// <summary>Reads the record of a CSV, or null when it has none.</summary>
    /// <exception cref="InvalidDataException">The record is not a score run record.</exception>
    public static ScoreRunRecord? Read(string csvPath)
    {
        var path = PathFor(csvPath);
        if (!File.Exists(path)) return null;
        try { return JsonSerializer.Deserialize<ScoreRunRecord>(InputFile.ReadAllText(path), Json) ?? throw new InvalidDataException($"'{path}' is empty."); }
        catch (JsonException e) { throw new InvalidDataException($"'{path}' is not a score run record ({e.Message})."); }
    }

    /// <summary>Writes the record beside the CSV (atomically).</summary>
    public void Write(string csvPath) => AtomicFile.WriteAllText(PathFor(csvPath), JsonSerializer.Serialize(this, Json) + "\n");

    /// <summary>
    /// Refuses to resume <paramref name="csvPath"/> when its record names another input, model, threshold or face
    /// setting than <paramref name="current"/>, or when it has no record and <paramref name="allowMissing"/> is off.
    /// </summary>
    /// <exception cref="ResumeMismatchException">The CSV is not this run's; the message says what differs.</exception>
    public static void CheckResume(string csvPath, ScoreRunRecord current, bool allowMissing)
    {
        var path = PathFor(csvPath);
        if (!File.Exists(path))
        {
            if (allowMissing) return;
            throw new ResumeMismatchException($"'{csvPath}' has no run record ('{Path.GetFileName(path)}'), so nothing says which " +
                "input and model its rows come from; resume it with --resume-unrecorded if you know it is this run's, or choose another --out.");
        }
        ScoreRunRecord saved;
        try { saved = Read(csvPath)!; }
        catch (InvalidDataException e) { throw new ResumeMismatchException(e.Message); }
        var differences = saved.DifferencesFrom(current, "this run", compareShard: true);
        if (differences.Count > 0)
            throw new ResumeMismatchException($"'{csvPath}' was made from {string.Join(", ", differences)}; " +
                "resuming would mix two runs' answers. Choose another --out, or rerun with the same input and model.");
    }
}

/// <summary>A <c>--resume</c> onto a CSV that belongs to another run.</summary>
public sealed class ResumeMismatchException(string message) : IOException(message);
