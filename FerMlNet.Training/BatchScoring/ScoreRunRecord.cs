using System.Text.Json;
using System.Text.Json.Serialization;
using FerMlNet.Preprocessing;
using FerMlNet.Core.IO;

namespace FerMlNet.Training.BatchScoring;

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

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>The record's path for a CSV.</summary>
    public static string PathFor(string csvPath) => csvPath + ".json";

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
        ScoreRunRecord? saved;
        try { saved = JsonSerializer.Deserialize<ScoreRunRecord>(File.ReadAllText(path), Json); }
        catch (JsonException e) { throw new ResumeMismatchException($"'{path}' is not a score run record ({e.Message})."); }
        if (saved is null) throw new ResumeMismatchException($"'{path}' is empty.");
        var differences = new List<string>();
        if (saved.Input != current.Input) differences.Add($"input '{saved.Input}' (this run: '{current.Input}')");
        if (saved.DetectFaces != current.DetectFaces) differences.Add($"face detection {(saved.DetectFaces ? "on" : "off")} (this run: {(current.DetectFaces ? "on" : "off")})");
        if (saved.ModelSha256 != current.ModelSha256) differences.Add($"model SHA-256 {saved.ModelSha256 ?? "unknown"} (this run: {current.ModelSha256 ?? "unknown"})");
        if (saved.Threshold != current.Threshold) differences.Add($"threshold {saved.Threshold} (this run: {current.Threshold})");
        if (!(saved.ClassLogOffsets ?? []).SequenceEqual(current.ClassLogOffsets ?? []))
            differences.Add($"deployment offsets [{string.Join(", ", saved.ClassLogOffsets ?? [])}] (this run: [{string.Join(", ", current.ClassLogOffsets ?? [])}])");
        if (differences.Count > 0)
            throw new ResumeMismatchException($"'{csvPath}' was made from {string.Join(", ", differences)}; " +
                "resuming would mix two runs' answers. Choose another --out, or rerun with the same input and model.");
    }
}

/// <summary>A <c>--resume</c> onto a CSV that belongs to another run.</summary>
public sealed class ResumeMismatchException(string message) : IOException(message);
