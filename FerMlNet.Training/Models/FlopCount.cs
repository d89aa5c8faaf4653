namespace FerMlNet.Training.Models;

/// <summary>
/// Floating-point operations of one forward pass of a network on one 48×48 image, counting a multiply-add as 2
/// (the convention GEMM rates use). Only convolutions and dense layers are counted: BatchNorm, ReLU, pooling and
/// dropout are memory-bound and add well under 1% here, so the result is the GEMM work a perfect kernel must do.
/// </summary>
public static class FlopCount
{
    /// <summary>Forward FLOPs per image; training costs about three times this (forward, and two GEMMs backward).</summary>
    public static long Forward(IReadOnlyList<LayerSpec> layers, int inputChannels)
    {
        long flops = 0;
        foreach (var (spec, channels, side, features) in LayerShapes.Walk(layers, inputChannels))
        {
            flops += spec.Kind switch
            {
                LayerKind.Conv => 2L * side * side * channels * spec.Units * 9,
                LayerKind.Dense => 2L * features * spec.Units,
                LayerKind.SqueezeExcite => 2L * 2 * channels * spec.Units, // two small dense layers on the pooled channels
                _ => 0, // an Upsample's interpolation, like pooling, is memory-bound
            };
        }
        return flops;
    }
}
