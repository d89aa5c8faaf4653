using System.Text.Json;
using System.Text.Json.Serialization;
using FerMlNet.Preprocessing;

namespace FerMlNet.Scoring;

/// <summary>
/// Class-prior offsets fitted for one deployment (`fer calibrate-deployment`): a few labelled photos from the
/// cameras, lighting and people a model will really see tell how often each class is answered too often or too
/// seldom there. The offsets are added to the model's log-probabilities before the answer
/// (<see cref="FerPredictorOptions.ClassLogOffsets"/>), which moves answers between classes without retraining.
/// </summary>
public sealed record DeploymentCalibration
{
    /// <summary>File name of the model the offsets were fitted for.</summary>
    public required string Model { get; init; }

    /// <summary>SHA-256 of that model file: offsets fitted for one model mean nothing for another.</summary>
    public required string ModelSha256 { get; init; }

    /// <summary>One offset per class, in the order of <see cref="EmotionClasses.Names"/>; they sum to zero.</summary>
    public required float[] ClassLogOffsets { get; init; }

    /// <summary>The labelled photos per class the offsets were fitted on (photos with a face found).</summary>
    public required IReadOnlyDictionary<string, int> PhotosPerClass { get; init; }

    /// <summary>Strength of the pull of the offsets toward zero (L2 penalty on the mean log-likelihood).</summary>
    public required double L2 { get; init; }

    /// <summary>When the offsets were fitted (UTC).</summary>
    public required DateTimeOffset Created { get; init; }

    /// <summary>The JSON settings of the file (camelCase, indented).</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>
    /// The offsets applied to one row of probabilities, in place: p_c · e^(offset_c), renormalised (softmax of
    /// log p + offsets). The predictor answers with it and `fer calibrate-deployment` measures with it, so the
    /// cross-fitted figures are those of the rule that scores.
    /// </summary>
    internal static float[] Apply(float[] probabilities, IReadOnlyList<float> offsets)
    {
        double sum = 0;
        var adjusted = new double[probabilities.Length];
        for (int c = 0; c < adjusted.Length; c++) sum += adjusted[c] = probabilities[c] * Math.Exp(offsets[c]);
        for (int c = 0; c < adjusted.Length; c++) probabilities[c] = (float)(adjusted[c] / sum);
        return probabilities;
    }

    /// <summary>Whether these offsets were fitted for the model file with this SHA-256.</summary>
    internal bool IsFor(string modelSha256) => ModelSha256.Equals(modelSha256, StringComparison.OrdinalIgnoreCase);

    /// <summary>The reason this file (<paramref name="file"/>) is refused for <paramref name="model"/>, fitted for another.</summary>
    internal string NotForMessage(string file, string model) =>
        $"'{file}' was fitted for {Model} (SHA-256 {ModelSha256[..12]}…), not for '{model}'; fit one for this model with fer calibrate-deployment.";

    /// <summary>Reads a file written by `fer calibrate-deployment`.</summary>
    /// <exception cref="InvalidDataException">The file is missing, not JSON or not a deployment calibration (the message names it).</exception>
    public static DeploymentCalibration Load(string path)
    {
        DeploymentCalibration? calibration;
        try
        {
            calibration = JsonSerializer.Deserialize<DeploymentCalibration>(InputFile.ReadAllBytes(path), JsonOptions);
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            throw new InvalidDataException($"Deployment calibration '{path}' is not readable: {FerPredictor.FirstLine(e.Message)}");
        }
        if (calibration is null || calibration.ClassLogOffsets is not { Length: EmotionClasses.Count } offsets || !offsets.All(float.IsFinite))
            throw new InvalidDataException($"Deployment calibration '{path}' needs {EmotionClasses.Count} finite classLogOffsets.");
        return calibration;
    }
}
