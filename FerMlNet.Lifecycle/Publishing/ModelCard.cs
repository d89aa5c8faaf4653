using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using FerMlNet.Core.IO;
using FerMlNet.Core.Quality;
using FerMlNet.Lifecycle.Calibration;
using FerMlNet.Training.MlNet;
using FerMlNet.Lifecycle.Evaluation;
using FerMlNet.Training.Onnx;
using FerMlNet.Lifecycle.Runs;
using FerMlNet.Preprocessing;

namespace FerMlNet.Lifecycle.Publishing;

/// <summary>
/// A published model's card, models/NAME.json beside NAME.zip and NAME.onnx (written by `fer publish`): how the model
/// was made — pipeline, seeds, epochs, the split it was trained on and the commands that rebuild it — and its
/// validation and test metrics. Read with unknown keys refused, so a renamed key fails where it is read instead of
/// reading as missing.
/// </summary>
public sealed record ModelCard
{
    /// <summary>The layout written now. Cards written before the field existed have the same layout and read as 1.</summary>
    public const int CurrentSchemaVersion = 1;

    /// <summary>Version of this card's layout.</summary>
    public int SchemaVersion { get; init; } = CurrentSchemaVersion;

    /// <summary>The base name in models/.</summary>
    public required string Name { get; init; }

    /// <summary>The pipeline as trained (run.json's), or the ensemble's joined names and architectures.</summary>
    public JsonObject? Pipeline { get; init; }

    /// <summary>The training seed, or one per ensemble member.</summary>
    public JsonNode? TrainingSeed { get; init; }

    /// <summary>An ensemble's members as each was trained (calibrate's "memberRuns"); null for one network.</summary>
    public MemberRun[]? Members { get; init; }

    /// <summary>Epochs trained (one network).</summary>
    public int? EpochsRun { get; init; }

    /// <summary>The epoch whose weights were kept (one network).</summary>
    public int? BestEpoch { get; init; }

    /// <summary>Why training stopped (one network).</summary>
    public string? StopReason { get; init; }

    /// <summary>Training wall time in seconds (an ensemble's: its members' sum).</summary>
    public double? TrainSeconds { get; init; }

    /// <summary>Parameters, all networks counted.</summary>
    public long? Params { get; init; }

    /// <summary>Seed of the `fer data split` the model was trained and scored on.</summary>
    public required int SplitSeed { get; init; }

    /// <summary>Train, val and test shares of that split.</summary>
    public required double[] SplitRatios { get; init; }

    /// <summary>The dataset that was split.</summary>
    public required SplitSource SplitSource { get; init; }

    /// <summary>SHA-256 of the split's manifest.json: a rebuilt split is the same split when this matches.</summary>
    public required string DataManifestSha256 { get; init; }

    /// <summary>The content key of the dataset training read, when run.json recorded it.</summary>
    public string? TrainedDatasetContentKey { get; init; }

    /// <summary>calibration.json of a calibrated model (TTA, temperature, biases, sources); null otherwise.</summary>
    public CalibrationRecord? Calibration { get; init; }

    /// <summary>An int8 copy's quantization (`fer quantize`): its float source and the training faces its ranges came from; null otherwise.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public QuantizationRecord? Quantization { get; init; }

    /// <summary>The commands that rebuild the model from the embedded data.</summary>
    public required string Rebuild { get; init; }

    /// <summary>Published model files the rebuild uses as they are; null when it uses none.</summary>
    public CardRebuildUse[]? RebuildUses { get; init; }

    /// <summary>metrics.json of the validation split.</summary>
    public required EvaluationMetrics Validation { get; init; }

    /// <summary>metrics.json of the test split (touched once per published model).</summary>
    public required EvaluationMetrics Test { get; init; }

    private static readonly JsonSerializerOptions Json = StrictJson.Options();

    /// <summary>Reads a card.</summary>
    /// <exception cref="InvalidDataException">The file is missing, not JSON, lacks a required key, has an unknown one or a newer layout (the message names the file).</exception>
    public static ModelCard Load(string path) =>
        File.Exists(path)
            ? StrictJson.Parse<ModelCard>(InputFile.ReadAllText(path), path, "model card", Json, c => c.SchemaVersion, CurrentSchemaVersion)
            : throw new InvalidDataException($"Model card '{path}' does not exist.");

    /// <summary>Writes the card atomically.</summary>
    public void Write(string path) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, Json) + "\n");
}

/// <summary>A published model file that a card's rebuild uses as it is.</summary>
/// <param name="Model">models/NAME.onnx.</param>
/// <param name="UsedAs">"calibration member", "distillation teacher" or "quantization source".</param>
/// <param name="Sha256">The file's SHA-256 when it was used.</param>
/// <param name="Rebuild">That file's own card's rebuild line.</param>
public sealed record CardRebuildUse(string Model, string UsedAs, string? Sha256, string? Rebuild);
