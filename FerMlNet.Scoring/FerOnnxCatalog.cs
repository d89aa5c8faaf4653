using FerMlNet.Core;
using FerMlNet.Core.Preprocessing;
using Microsoft.ML;

namespace FerMlNet.Scoring;

/// <summary>
/// The scoring half of every FerMlNet model.zip, made only of ML.NET's built-in transforms so that any .NET app can
/// load the model with <c>mlContext.Model.Load</c> without FerMlNet or TorchSharp: the network runs in ONNX Runtime.
/// Output columns: <c>Score</c> (4 probabilities: happy, neutral, sad, surprise) and <c>PredictedLabel</c> (text).
/// </summary>
public static class FerOnnxCatalog
{
    /// <summary>Name of the probabilities column.</summary>
    public const string ScoreColumn = "Score";

    /// <summary>Name of the predicted class column.</summary>
    public const string PredictedLabelColumn = "PredictedLabel";

    // Node names of the graphs written by FerMlNet's ONNX exporter.
    private const string OnnxInput = "input", OnnxProbabilities = "probabilities", OnnxScalarLabel = "label_scalar";

    /// <summary>
    /// Scores <see cref="PreprocessingContract.PixelsColumn"/> with a FerMlNet ONNX graph that has the scalar label
    /// output (written with <c>forMlNetRows</c>), adding <c>Score</c> and <c>PredictedLabel</c>.
    /// </summary>
    /// <param name="catalog">The transforms catalog (<c>mlContext.Transforms</c>).</param>
    /// <param name="onnxModelPath">The ONNX file; its bytes are embedded when the model is saved.</param>
    /// <param name="gpuDeviceId">CUDA device to run on (null = CPU).</param>
    /// <param name="fallbackToCpu">Run on CPU when the GPU cannot be used.</param>
    public static IEstimator<ITransformer> ApplyFerOnnxModel(this TransformsCatalog catalog, string onnxModelPath,
        int? gpuDeviceId = null, bool fallbackToCpu = true)
    {
        var labels = Enumerable.Range(0, EmotionClasses.Count)
            .Select(i => new KeyValuePair<long, string>(i, EmotionClasses.Names[i]));
        return catalog.CopyColumns(OnnxInput, PreprocessingContract.PixelsColumn)
            .Append(catalog.ApplyOnnxModel([OnnxProbabilities, OnnxScalarLabel], [OnnxInput], onnxModelPath,
                gpuDeviceId, fallbackToCpu))
            .Append(catalog.Conversion.MapValue(PredictedLabelColumn, labels, OnnxScalarLabel))
            .Append(catalog.CopyColumns(ScoreColumn, OnnxProbabilities))
            .Append(catalog.DropColumns(OnnxInput, OnnxProbabilities, OnnxScalarLabel));
    }
}
