using FerMlNet.Preprocessing;

namespace FerMlNet.Training.Models;

/// <summary>The feature map a layer receives: channels and side of an image-shaped map, or features once flattened (0 before).</summary>
/// <param name="Spec">The layer.</param>
/// <param name="Channels">Channels of the incoming map.</param>
/// <param name="Side">Side of the incoming map in pixels.</param>
/// <param name="Features">Width of the incoming vector after Flatten, GlobalAveragePool or Dense; 0 while the map is an image.</param>
public readonly record struct LayerInput(LayerSpec Spec, long Channels, long Side, long Features);

/// <summary>
/// Walks a layer list from the 48×48 input, so the network builder, the FLOP count and the ONNX exporter share one
/// rule for how each layer changes the shape.
/// </summary>
public static class LayerShapes
{
    /// <summary>Each layer with the shape it receives, in order.</summary>
    public static IEnumerable<LayerInput> Walk(IReadOnlyList<LayerSpec> layers, int inputChannels)
    {
        long channels = inputChannels, side = PreprocessingContract.ImageSize, features = 0;
        foreach (var spec in layers)
        {
            yield return new(spec, channels, side, features);
            switch (spec.Kind)
            {
                case LayerKind.Conv: channels = spec.Units; break;
                case LayerKind.MaxPool: side /= 2; break;
                case LayerKind.Upsample: side = spec.Units; break;
                case LayerKind.Flatten: features = channels * side * side; break;
                case LayerKind.GlobalAveragePool: features = channels; break;
                case LayerKind.Dense: features = spec.Units; break;
            }
        }
    }
}
