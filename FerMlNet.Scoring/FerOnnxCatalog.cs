using FerMlNet.Preprocessing;
using Microsoft.ML;

namespace FerMlNet.Scoring;

/// <summary>
/// The scoring half of every FerMlNet model.zip, made only of ML.NET's built-in transforms so that any .NET app can
/// load the model with <c>mlContext.Model.Load</c> without FerMlNet or TorchSharp: the network runs in ONNX Runtime.
/// Output column: <c>Score</c> (4 probabilities: happy, neutral, sad, surprise); the label is its arg-max.
/// (A text PredictedLabel column needs a scalar ONNX output, and ML.NET 5.0.1's OnnxTransformer fails reading a
/// rank-0 output at run time, so the model.zip carries Score only; FerMlNet.Scoring adds the label.)
/// </summary>
public static class FerOnnxCatalog
{
    /// <summary>Name of the probabilities column.</summary>
    public const string ScoreColumn = "Score";

    // Node names of the graphs written by FerMlNet's ONNX exporter.
    private const string OnnxInput = FerModelConventions.OnnxInputName, OnnxProbabilities = FerModelConventions.OnnxProbabilitiesName;

    /// <summary>
    /// Scores <see cref="PreprocessingContract.PixelsColumn"/> with a FerMlNet ONNX graph, adding <c>Score</c>.
    /// </summary>
    /// <param name="catalog">The transforms catalog (<c>mlContext.Transforms</c>).</param>
    /// <param name="onnxModelPath">The ONNX file; its bytes are embedded when the model is saved.</param>
    /// <param name="gpuDeviceId">CUDA device to run on (null = CPU).</param>
    /// <param name="fallbackToCpu">Run on CPU when the GPU cannot be used.</param>
    public static IEstimator<ITransformer> ApplyFerOnnxModel(this TransformsCatalog catalog, string onnxModelPath,
        int? gpuDeviceId = null, bool fallbackToCpu = true)
    {
        return catalog.CopyColumns(OnnxInput, PreprocessingContract.PixelsColumn)
            .Append(catalog.ApplyOnnxModel([OnnxProbabilities], [OnnxInput], onnxModelPath, gpuDeviceId, fallbackToCpu))
            .Append(catalog.CopyColumns(ScoreColumn, OnnxProbabilities))
            .Append(catalog.DropColumns(OnnxInput, OnnxProbabilities));
    }
}
