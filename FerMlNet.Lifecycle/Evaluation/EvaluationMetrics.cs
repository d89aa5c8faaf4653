using System.Text.Json;
using System.Text.Json.Serialization;
using FerMlNet.Core.IO;
using FerMlNet.Lifecycle.Reports;

namespace FerMlNet.Lifecycle.Evaluation;

/// <summary>
/// metrics.json: one model scored on one split — ML.NET's multiclass metrics against the folder labels, the per-class
/// figures, bootstrap CI, reliability bins and threshold coverage, and beside them the same faces against the FER+
/// crowd majority. Written by `fer train`, `fer evaluate`, `fer calibrate`, `fer quantize`; read by `fer compare`,
/// `fer report`, `fer publish` and `fer experiment`. Read with unknown keys refused, so a renamed key fails where it is
/// read instead of reading as missing.
/// </summary>
public sealed record EvaluationMetrics
{
    /// <summary>The layout written now. Files written before the field existed have the same layout and read as 1.</summary>
    public const int CurrentSchemaVersion = 1;

    /// <summary>Version of this file's layout.</summary>
    public int SchemaVersion { get; init; } = CurrentSchemaVersion;

    /// <summary>The split scored: train, val, test or all.</summary>
    public required string Split { get; init; }

    /// <summary>Images counted in <see cref="Accuracy"/> (with face detection: every image of the split).</summary>
    public required int Images { get; init; }

    /// <summary>Share of <see cref="Images"/> whose arg-max is the folder label.</summary>
    public required double Accuracy { get; init; }

    /// <summary>95% percentile bootstrap interval of <see cref="Accuracy"/> (1,000 resamples, seed 42): low, high.</summary>
    public required double[] AccuracyCi95 { get; init; }

    /// <summary>With face detection: accuracy over the images where a face was found.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? AccuracyOnDetected { get; init; }

    /// <summary>With face detection: images where a face was found.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? DetectedImages { get; init; }

    /// <summary>With face detection: readable images without a face.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? NoFaceDetected { get; init; }

    /// <summary>With face detection: the detector and crop settings.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? FaceDetection { get; init; }

    /// <summary>Expected calibration error over <see cref="Calibration"/>'s bins.</summary>
    public required double Ece { get; init; }

    /// <summary>Reliability diagram: 10 equal-width bins of the top-class probability.</summary>
    public required MlNetEvaluation.CalibrationBin[] Calibration { get; init; }

    /// <summary>Coverage and accuracy of the answers at or above the "uncertain" threshold.</summary>
    public required ThresholdCoverage Threshold { get; init; }

    /// <summary>Mean of the per-class F1 scores.</summary>
    public required double MacroF1 { get; init; }

    /// <summary>ML.NET's MicroAccuracy (equal to <see cref="Accuracy"/> without face detection).</summary>
    public required double MicroAccuracy { get; init; }

    /// <summary>ML.NET's MacroAccuracy: the mean per-class recall.</summary>
    public required double MacroAccuracy { get; init; }

    /// <summary>ML.NET's LogLoss.</summary>
    public required double LogLoss { get; init; }

    /// <summary>ML.NET's LogLossReduction against the class prior.</summary>
    public required double LogLossReduction { get; init; }

    /// <summary>Precision, recall, F1, support and log-loss of each class, by class name.</summary>
    public required Dictionary<string, ClassMetrics> PerClass { get; init; }

    /// <summary>Counts by true class (rows) and predicted class (columns).</summary>
    public required ConfusionCounts ConfusionMatrix { get; init; }

    /// <summary>The most confident wrong answers (at most 24), for the report's gallery.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Mistake[]? Mistakes { get; init; }

    /// <summary>Images left out as unreadable: each with its reason, or (with face detection) their count.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public UnreadableImages? Unreadable { get; init; }

    /// <summary>The same faces against the FER+ crowd majority.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public CrowdMetrics? Crowd { get; init; }

    /// <summary>A training run's train–validation gap (`fer train`; kept by `fer calibrate` of one run).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public TrainValGap? TrainValGap { get; init; }

    /// <summary>File name of the model `fer evaluate` scored (absent in training and calibration runs).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Model { get; init; }

    /// <summary>Where the calibration of an evaluated published model was fitted, and its scores there (from its card).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Calibration.FittedCalibrationSummary? FittedCalibration { get; init; }

    /// <summary>Accuracy and coverage of the answers whose top probability reaches the "uncertain" threshold.</summary>
    /// <param name="Value">The threshold.</param>
    /// <param name="Coverage">Share of the images answered at or above it.</param>
    /// <param name="Accuracy">Accuracy of those answers.</param>
    public sealed record ThresholdCoverage(float Value, double Coverage, double Accuracy);

    /// <summary>One class's figures against the folder labels.</summary>
    public sealed record ClassMetrics(double Precision, double Recall, double F1, int Support, double LogLoss);

    /// <summary>The confusion matrix with its class order.</summary>
    /// <param name="Labels">Class names, the order of both axes.</param>
    /// <param name="Rows">One row per true class, one count per predicted class.</param>
    public sealed record ConfusionCounts(string[] Labels, int[][] Rows);

    /// <summary>A wrong answer: the image, its folder label, the answer and its probability.</summary>
    public sealed record Mistake(string Path, string Truth, string Predicted, float Confidence);

    private static readonly JsonSerializerOptions Json = StrictJson.Options();

    /// <summary>Reads a metrics.json; a missing, unknown or mistyped key is an error naming the file.</summary>
    public static EvaluationMetrics Load(string path) =>
        StrictJson.Load<EvaluationMetrics>(path, "metrics.json", Json, m => m.SchemaVersion, CurrentSchemaVersion);

    /// <summary>Reads the text of a metrics.json; <paramref name="source"/> names it in errors.</summary>
    public static EvaluationMetrics Parse(string json, string source) =>
        StrictJson.Parse<EvaluationMetrics>(json, source, "metrics.json", Json, m => m.SchemaVersion, CurrentSchemaVersion);

    /// <summary>Writes metrics.json atomically.</summary>
    public void Write(string path) => AtomicFile.WriteAllText(path, ToJson());

    /// <summary>The file's text.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);
}
