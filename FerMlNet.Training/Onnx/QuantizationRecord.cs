namespace FerMlNet.Training.Onnx;

/// <summary>
/// The record `fer quantize` writes beside the int8 model (quantization.json, and in the run.json and model card of a
/// published int8 model): what was quantized, on which faces.
/// </summary>
/// <param name="SchemaVersion">Version of this record's layout.</param>
/// <param name="Source">The float model quantized.</param>
/// <param name="SourceSha256">Its SHA-256.</param>
/// <param name="CalibrationSplit">The split the activation ranges were measured on (always train: never val or test).</param>
/// <param name="CalibrationFaces">How many faces of it, drawn with <paramref name="Seed"/>.</param>
/// <param name="Seed">Seed of the draw.</param>
/// <param name="Summary">What the quantizer changed, with every activation range.</param>
public sealed record QuantizationRecord(int SchemaVersion, string Source, string SourceSha256, string CalibrationSplit,
    int CalibrationFaces, int Seed, QuantizationSummary Summary)
{
    /// <summary>The layout written now.</summary>
    public const int CurrentSchemaVersion = 1;
}
