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
        long channels = inputChannels, side = 48, features = 0, flops = 0;
        foreach (var spec in layers)
        {
            switch (spec.Kind)
            {
                case LayerKind.Conv:
                    flops += 2L * side * side * channels * spec.Units * 9;
                    channels = spec.Units;
                    break;
                case LayerKind.MaxPool: side /= 2; break;
                case LayerKind.Upsample: side = spec.Units; break; // interpolation itself is memory-bound
                case LayerKind.Flatten: features = channels * side * side; break;
                case LayerKind.GlobalAveragePool: features = channels; break;
                case LayerKind.Dense:
                    flops += 2L * features * spec.Units;
                    features = spec.Units;
                    break;
                case LayerKind.SqueezeExcite: // two small dense layers on the pooled channels
                    flops += 2L * 2 * channels * spec.Units;
                    break;
            }
        }
        return flops;
    }
}
