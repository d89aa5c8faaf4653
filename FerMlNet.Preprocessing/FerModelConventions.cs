namespace FerMlNet.Preprocessing;

/// <summary>
/// The names and numbers every FerMlNet model shares, in one place: the ONNX graph's node names (written by the
/// exporter, read by the predictor, the ML.NET catalog and the benchmarks), the default "uncertain" threshold and the
/// pixel scale of the preprocessing contract.
/// </summary>
public static class FerModelConventions
{
    /// <summary>Name of the ONNX graph's input: N×C×48×48 floats in [0, 1] (C = 1 for gray, 3 for RGB networks).</summary>
    public const string OnnxInputName = "input";

    /// <summary>Name of the ONNX graph's output: N×4 probabilities in the order of <see cref="EmotionClasses.Names"/>.</summary>
    public const string OnnxProbabilitiesName = "probabilities";

    /// <summary>
    /// Below this top probability an answer is "uncertain": 0.7, the notebook's production setting. Every command,
    /// the web app and <c>FerPredictorOptions</c> start from this value.
    /// </summary>
    public const float DefaultUncertainThreshold = 0.7f;

    /// <summary>The contract's scaling of a grey byte to the network's input: pixel × (1 / 255).</summary>
    public const float PixelScale = 1f / 255f;
}
