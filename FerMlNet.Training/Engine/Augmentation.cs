using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace FerMlNet.Training.Engine;

/// <summary>
/// The notebook's soft augmentation applied to a whole batch as tensor ops (training only):
/// Keras RandomFlip('horizontal'), RandomRotation(f) = ±f·360°, RandomZoom(z) with the same factor on both axes
/// (Keras' default when only height_factor is given), fill_mode 'reflect' with bilinear interpolation, and
/// RandomContrast(c): (x − mean)·k + mean with k ∈ [1 − c, 1 + c] and the mean per image.
/// Rotation and zoom are one affine warp (affine_grid + grid_sample) so the batch is resampled once.
/// </summary>
internal static class Augmentation
{
    public static Tensor Apply(Tensor x, AugmentationOptions options, Generator generator)
    {
        long n = x.shape[0];
        var result = x;
        if (options.Flip)
        {
            var flip = rand(n, generator: generator).lt(0.5).view(n, 1, 1, 1);
            result = where(flip, result.flip(3), result);
        }
        if (options.Rotation > 0 || options.Zoom > 0)
        {
            var angle = rand(n, generator: generator).mul(2).sub(1).mul(options.Rotation * 2 * Math.PI);
            // grid_sample maps output to input coordinates: sampling at 1/scale zooms in by scale.
            var scale = rand(n, generator: generator).mul(2).sub(1).mul(options.Zoom).add(1).reciprocal();
            var cos = angle.cos().mul(scale);
            var sin = angle.sin().mul(scale);
            var zero = zeros_like(cos);
            var theta = stack([cos, sin.neg(), zero, sin, cos, zero], 1).view(n, 2, 3);
            var grid = F.affine_grid(theta, [n, x.shape[1], x.shape[2], x.shape[3]], align_corners: false);
            result = F.grid_sample(result, grid, mode: GridSampleMode.Bilinear,
                padding_mode: GridSamplePaddingMode.Reflection, align_corners: false);
        }
        if (options.Contrast > 0)
        {
            var factor = rand(n, generator: generator).mul(2).sub(1).mul(options.Contrast).add(1).view(n, 1, 1, 1);
            var mean = result.mean([2, 3], keepdim: true);
            result = result.sub(mean).mul(factor).add(mean);
        }
        return result;
    }
}
