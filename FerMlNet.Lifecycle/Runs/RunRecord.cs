using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using FerMlNet.Core.IO;
using FerMlNet.Lifecycle.Calibration;
using FerMlNet.Training.Engine;
using FerMlNet.Training.Onnx;
using FerMlNet.Lifecycle.Publishing;
using FerMlNet.Lifecycle.Reports;

namespace FerMlNet.Lifecycle.Runs;

/// <summary>
/// run.json: how a run folder's model was made — by `fer train` (one network), `fer calibrate` (a calibrated network
/// or ensemble), `fer quantize` (an int8 copy) or a transfer-learning run. `fer publish`, `fer compare`, `fer
/// calibrate`, `fer quantize` and `fer experiment` read it. Keys that do not apply are left out; unknown keys are
/// refused, so a renamed key fails where it is read instead of reading as missing.
/// </summary>
public sealed record RunRecord
{
    /// <summary>The file's name in a run folder.</summary>
    public const string FileName = "run.json";

    /// <summary>The layout written now. Files written before the field existed have the same layout and read as 1.</summary>
    public const int CurrentSchemaVersion = 1;

    /// <summary>Version of this file's layout.</summary>
    public int SchemaVersion { get; init; } = CurrentSchemaVersion;

    /// <summary>
    /// The pipeline as trained, in the pipelines/*.json format (what rebuilds the network); for an ensemble only its
    /// members' joined names and architectures, the members' own pipelines being in <see cref="Members"/>.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonObject? Pipeline { get; init; }

    /// <summary>An ensemble's member pipelines, in order; null for one network.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonObject?[]? Members { get; init; }

    /// <summary>How each ensemble member was trained (what a model card states); null for one network.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public MemberRun[]? MemberRuns { get; init; }

    /// <summary>The dataset folder training read.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Dataset { get; init; }

    /// <summary>The content key (hash of files and labels) of that dataset.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? DatasetContentKey { get; init; }

    /// <summary>Training faces after the label source's filters.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? TrainImages { get; init; }

    /// <summary>Validation faces after the label source's filters.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? ValImages { get; init; }

    /// <summary>Parameters, every network of an ensemble counted.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? Params { get; init; }

    /// <summary>Parameters training changed.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? TrainableParams { get; init; }

    /// <summary>A transfer run's frozen feature extractor, in words.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? FrozenBackbone { get; init; }

    /// <summary>Epochs trained.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? EpochsRun { get; init; }

    /// <summary>The epoch whose weights were kept.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? BestEpoch { get; init; }

    /// <summary>The training loop's validation accuracy at <see cref="BestEpoch"/>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? BestValAccuracy { get; init; }

    /// <summary>Why training stopped.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? StopReason { get; init; }

    /// <summary>The loss's class weights (happy, neutral, sad, surprise); null when the loss weighs classes alike.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public float[]? ClassWeights { get; init; }

    /// <summary>The precision the passes ran in (the pipeline's, or fp32 where its bf16 would have been slower); absent before 2026-12-05 (fp32).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public TrainingPrecision? Precision { get; init; }

    /// <summary>When training started.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTime? StartedUtc { get; init; }

    /// <summary>A transfer run's feature-extraction time in seconds.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? FeatureSeconds { get; init; }

    /// <summary>Training wall time in seconds (an ensemble's: its members' sum).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? TrainSeconds { get; init; }

    /// <summary>Mean training throughput over the epochs.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? ImagesPerSecond { get; init; }

    /// <summary>The train–validation gap at the best epoch.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public TrainValGap? Gap { get; init; }

    /// <summary>
    /// Which batches the train accuracy counted: "all batches", or "unmixed batches" for a run that mixes faces. Absent
    /// in runs trained before 2026-12-03, whose mixed train accuracy scored blends against one label.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? TrainAccuracyCounts { get; init; }

    /// <summary>SHA-256 of the distillation teacher's file as training read it (a published file may be replaced later).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? TeacherModelSha256 { get; init; }

    /// <summary>Why a run wrote no model files (a transfer run), in words; null when it did.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Model { get; init; }

    /// <summary>A calibrated run's calibration (as in its calibration.json).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public CalibrationRecord? Calibration { get; init; }

    /// <summary>An int8 copy's quantization (as in its quantization.json).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public QuantizationRecord? Quantization { get; init; }

    /// <summary>
    /// Whether a source (as given to `fer calibrate` or `fer quantize`, or as calibration.json's "sources" recorded it)
    /// is a published model file rather than a run folder. By name, so `fer publish` can tell after the file has moved on.
    /// </summary>
    public static bool IsPublishedModelFile(string? source) =>
        source?.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase) == true && !Directory.Exists(source);

    /// <summary>The pipeline's name, or null.</summary>
    [JsonIgnore]
    public string? PipelineName => (string?)Pipeline?["name"];

    /// <summary>The pipeline's architecture key, or null.</summary>
    [JsonIgnore]
    public string? Architecture => (string?)Pipeline?["architecture"];

    /// <summary>The pipeline's training seed, or null (an ensemble: see <see cref="MemberRuns"/>).</summary>
    [JsonIgnore]
    public int? TrainingSeed => (int?)Pipeline?["seed"];

    private static readonly JsonSerializerOptions Json = StrictJson.Options();

    /// <summary>Reads DIR/run.json.</summary>
    /// <exception cref="InvalidDataException">Not JSON, an unknown key or a newer layout (the message names the file).</exception>
    /// <exception cref="FileNotFoundException">The folder has no run.json.</exception>
    public static RunRecord Load(string runDir) =>
        StrictJson.Load<RunRecord>(Path.Combine(runDir, FileName), "run record", Json, r => r.SchemaVersion, CurrentSchemaVersion);

    /// <summary>DIR/run.json when the folder has one, else null.</summary>
    public static RunRecord? LoadIfPresent(string runDir) =>
        File.Exists(Path.Combine(runDir, FileName)) ? Load(runDir) : null;

    /// <summary>
    /// How a source of `fer calibrate` or `fer quantize` was trained: a run folder's run.json, or for a published
    /// model file (models/NAME.onnx) its card; an empty record when neither exists.
    /// </summary>
    public static RunRecord OfSource(string source)
    {
        if (!IsPublishedModelFile(source)) return LoadIfPresent(source) ?? new RunRecord();
        var card = Path.ChangeExtension(source, ".json");
        return File.Exists(card) ? FromCard(ModelCard.Load(card)) : new RunRecord();
    }

    /// <summary>What a published model's card says of its training, as the run it came from.</summary>
    public static RunRecord FromCard(ModelCard card) => new()
    {
        Pipeline = card.Pipeline?.DeepClone().AsObject(),
        MemberRuns = card.Members,
        EpochsRun = card.EpochsRun,
        BestEpoch = card.BestEpoch,
        StopReason = card.StopReason,
        TrainSeconds = card.TrainSeconds,
        Params = card.Params,
        DatasetContentKey = card.TrainedDatasetContentKey,
        Calibration = card.Calibration,
        Quantization = card.Quantization,
    };

    /// <summary>
    /// The run of an ensemble of <paramref name="members"/>: name and architecture join the members', parameters and
    /// training time add up (the ensemble costs all of them), and each member's pipeline and training are kept.
    /// </summary>
    public static RunRecord Ensemble(IReadOnlyList<RunRecord> members)
    {
        string Joined(Func<RunRecord, string?> part) => string.Join("+", members.Select(m => part(m) ?? "?"));
        return new RunRecord
        {
            Pipeline = new JsonObject { ["name"] = Joined(m => m.PipelineName), ["architecture"] = Joined(m => m.Architecture) },
            Members = members.Select(m => m.Pipeline?.DeepClone().AsObject()).ToArray(),
            MemberRuns = members.Select(MemberRun.Of).ToArray(),
            Params = members.Sum(m => m.Params ?? 0),
            TrainSeconds = members.Sum(m => m.TrainSeconds ?? 0),
        };
    }

    /// <summary>
    /// The run of an int8 copy of this run's model: how the source was trained (pipeline, members, epochs, time,
    /// parameters, calibration) and the quantization on top.
    /// </summary>
    public RunRecord Quantized(QuantizationRecord quantization) => new()
    {
        Pipeline = Pipeline?.DeepClone().AsObject(),
        Members = Members,
        MemberRuns = MemberRuns,
        EpochsRun = EpochsRun,
        BestEpoch = BestEpoch,
        StopReason = StopReason,
        TrainSeconds = TrainSeconds,
        Params = Params,
        Calibration = Calibration,
        Quantization = quantization,
    };

    /// <summary>Writes DIR/run.json atomically.</summary>
    public void Write(string runDir) =>
        AtomicFile.WriteAllText(Path.Combine(runDir, FileName), JsonSerializer.Serialize(this, Json));
}
