using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using FerMlNet.Core.IO;

namespace FerMlNet.Lifecycle.Calibration;

/// <summary>
/// calibration.json: how `fer calibrate` adjusted a model or an ensemble — the sources, the faces it was fitted on,
/// the views averaged, the temperature and class biases, why the biases were kept or dropped, and the scores before
/// and after (in sample and cross-fitted). Also in the calibrated run's run.json and in the published model's card.
/// Read with unknown keys refused, so a renamed key fails where it is read instead of reading as missing.
/// </summary>
public sealed record CalibrationRecord
{
    /// <summary>The layout written now. Files written before the field existed have the same layout and read as 1.</summary>
    public const int CurrentSchemaVersion = 1;

    /// <summary>Version of this file's layout.</summary>
    public int SchemaVersion { get; init; } = CurrentSchemaVersion;

    /// <summary>The run folders or published .onnx files calibrated (absolute paths), one per ensemble member.</summary>
    public required string[] Sources { get; init; }

    /// <summary>The faces the temperature and biases were fitted on.</summary>
    public required FitSet FittedOn { get; init; }

    /// <summary>Whether each face is scored as the mean of it and its mirror image.</summary>
    public required bool FlipAveraging { get; init; }

    /// <summary>Pixels of the four shifted views averaged in too; 0 or absent for none.</summary>
    public int? ShiftAveraging { get; init; }

    /// <summary>What the biases were fitted to maximise: macro-f1, accuracy or none (temperature only).</summary>
    public string? Objective { get; init; }

    /// <summary>Whether --keep-bias kept biases that did not pay (absent: written before the choice existed).</summary>
    public bool? KeepBias { get; init; }

    /// <summary>Why the biases were kept or dropped; null when none were fitted.</summary>
    public BiasDecision? BiasChoice { get; init; }

    /// <summary>The logit temperature: probabilities are softmax((logits + bias) / temperature).</summary>
    public required double Temperature { get; init; }

    /// <summary>The class biases added to the logits, by class name (zero when dropped).</summary>
    public required Dictionary<string, double> Bias { get; init; }

    /// <summary>The sources as trained, on the fitted faces.</summary>
    public required Score AsTrained { get; init; }

    /// <summary>After averaging the views, before temperature and biases; null without view averaging.</summary>
    public Score? ViewAveraged { get; init; }

    /// <summary>The same, under its name before shifted views existed (older files).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Score? FlipAveraged { get; init; }

    /// <summary>With the fitted temperature and biases, on the faces they were fitted on.</summary>
    public required Score CalibratedInSample { get; init; }

    /// <summary>Fitted on one half and scored on the other, both ways: the out-of-sample estimate.</summary>
    public Score? CalibratedCrossFitted { get; init; }

    /// <summary>The faces a calibration was fitted on.</summary>
    /// <param name="Split">Always val: calibration never sees test.</param>
    /// <param name="Images">Faces used (with crowd labels: those with a crowd majority).</param>
    /// <param name="Dataset">The dataset's root.</param>
    /// <param name="Labels">folder or crowd; absent in files written before crowd labels existed.</param>
    public sealed record FitSet(string Split, int Images, string Dataset,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Labels = null);

    /// <summary>Accuracy, macro-F1 and negative log-likelihood of one stage.</summary>
    public sealed record Score(double Accuracy, double MacroF1, double Nll);

    /// <summary>The out-of-sample test the class biases had to pass.</summary>
    public sealed record BiasDecision
    {
        /// <summary>Whether they were kept.</summary>
        public required bool Kept { get; init; }

        /// <summary>The objective cross-fitted with biases.</summary>
        public required double CrossFittedScore { get; init; }

        /// <summary>The same without them.</summary>
        public required double ScoreWithoutBias { get; init; }

        /// <summary>The gain they had to show (one face's worth); absent in older files.</summary>
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        public double? MinimumGain { get; init; }

        /// <summary>The decision in words.</summary>
        public required string Reason { get; init; }
    }

    /// <summary>
    /// The `fer calibrate` options that redo this calibration (for a model card's rebuild line). Calibrations written
    /// before the bias choice existed always kept their biases: --keep-bias says so.
    /// </summary>
    public string RebuildOptions()
    {
        string objective = Objective ?? "macro-f1";
        bool keepBias = KeepBias ?? (objective != "none" && BiasChoice is null);
        return (FlipAveraging ? " --tta" : "") +
               (ShiftAveraging is > 0 and var shift ? $" --tta-shift {shift}" : "") +
               $" --objective {objective}" + (keepBias ? " --keep-bias" : "") +
               (FittedOn.Labels == "crowd" ? " --labels crowd" : "");
    }

    private static readonly JsonSerializerOptions Json = StrictJson.Options();

    private static readonly JsonSerializerOptions Compact = new(Json) { WriteIndented = false };

    /// <summary>Reads a calibration.json; a missing, unknown or mistyped key is an error naming the file.</summary>
    public static CalibrationRecord Load(string path) =>
        StrictJson.Load<CalibrationRecord>(path, "calibration record", Json, r => r.SchemaVersion, CurrentSchemaVersion);

    /// <summary>Reads the text of a calibration record; <paramref name="source"/> names it in errors.</summary>
    public static CalibrationRecord Parse(string json, string source) =>
        StrictJson.Parse<CalibrationRecord>(json, source, "calibration record", Json, r => r.SchemaVersion, CurrentSchemaVersion);

    /// <summary>Reads the record a run.json or model card embeds.</summary>
    public static CalibrationRecord FromJsonObject(JsonObject json, string source) => Parse(json.ToJsonString(), source);

    /// <summary>Writes calibration.json atomically.</summary>
    public void Write(string path) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, Json));

    /// <summary>One line of JSON, for the calibrated ONNX model's metadata.</summary>
    public string ToCompactJson() => JsonSerializer.Serialize(this, Compact);

    /// <summary>This record as a JSON tree (run.json embeds it).</summary>
    public JsonObject ToJsonObject() => JsonSerializer.SerializeToNode(this, Json)!.AsObject();
}
