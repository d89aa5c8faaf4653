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
        if (options.Rotation > 0 || options.Zoom > 0 || options.Translate > 0)
        {
            var angle = Uniform(n, options.Rotation * 2 * Math.PI, generator);
            // grid_sample maps output to input coordinates: sampling at 1/scale zooms in by scale.
            var scale = Uniform(n, options.Zoom, generator).add(1).reciprocal();
            var cos = angle.cos().mul(scale);
            var sin = angle.sin().mul(scale);
            // Normalised coordinates span 2 per side, so a shift of t·side is 2t; no draw when off keeps the
            // random stream (and so older pipelines' runs) unchanged.
            var (shiftX, shiftY) = options.Translate > 0
                ? (Uniform(n, 2 * options.Translate, generator), Uniform(n, 2 * options.Translate, generator))
                : (zeros_like(cos), zeros_like(cos));
            var theta = stack([cos, sin.neg(), shiftX, sin, cos, shiftY], 1).view(n, 2, 3);
            var grid = F.affine_grid(theta, [n, x.shape[1], x.shape[2], x.shape[3]], align_corners: false);
            result = F.grid_sample(result, grid, mode: GridSampleMode.Bilinear,
                padding_mode: GridSamplePaddingMode.Reflection, align_corners: false);
        }
        if (options.Contrast > 0)
        {
            var factor = Uniform(n, options.Contrast, generator).add(1).view(n, 1, 1, 1);
            var mean = result.mean([2, 3], keepdim: true);
            result = result.sub(mean).mul(factor).add(mean);
        }
        // Brightness and detail draw only when on, so older pipelines' random streams stay the same.
        if (options.Brightness > 0)
            result = result.add(Uniform(n, options.Brightness, generator).view(n, 1, 1, 1)).clamp(0, 1);
        if (options.Detail > 0)
        {
            var amount = Uniform(n, options.Detail, generator).view(n, 1, 1, 1);
            result = result.add(result.sub(GaussianBlur(result)).mul(amount)).clamp(0, 1);
        }
        if (options.Erasing > 0) result = Erase(result, options.Erasing, generator);
        return result;
    }

    /// <summary>
    /// σ = 1 Gaussian blur per channel, separable (GrayBlur.Kernel(1): 7 taps), edges mirrored — the same filter as the
    /// photo crop's GrayBlur.Gaussian(·, 1), so training can show the network what the crop's Detail setting does.
    /// </summary>
    internal static Tensor GaussianBlur(Tensor x)
    {
        long channels = x.shape[1];
        var taps = Scoring.FaceDetection.GrayBlur.Kernel(1);
        int size = taps.Length, radius = size / 2;
        var kernel = tensor(taps.Select(t => (float)t).ToArray(), dtype: x.dtype, device: x.device);
        var horizontal = kernel.view(1, 1, 1, size).expand(channels, 1, 1, size);
        var vertical = kernel.view(1, 1, size, 1).expand(channels, 1, size, 1);
        var padded = F.pad(x, [radius, radius, radius, radius], TorchSharp.PaddingModes.Reflect);
        var rows = F.conv2d(padded, horizontal, groups: channels);
        return F.conv2d(rows, vertical, groups: channels);
    }

    /// <summary>Uniform draws in [−range, range].</summary>
    private static Tensor Uniform(long n, double range, Generator generator) =>
        rand(n, generator: generator).mul(2).sub(1).mul(range);

    /// <summary>
    /// Random erasing: with probability <paramref name="probability"/> per image, a rectangle of 2–20% of the area with
    /// aspect ratio 0.3–3.3 (log-uniform) at a uniform position is replaced by uniform noise in the input's [0, 1] range.
    /// Built as one mask over the batch so it costs a few element-wise ops.
    /// </summary>
    private static Tensor Erase(Tensor x, double probability, Generator generator)
    {
        long n = x.shape[0], height = x.shape[2], width = x.shape[3];
        var apply = rand(n, generator: generator).lt(probability);
        var area = rand(n, generator: generator).mul(0.18).add(0.02).mul(height * width);
        var aspect = rand(n, generator: generator).mul(Math.Log(3.3) * 2).sub(Math.Log(3.3)).exp();
        var h = area.mul(aspect).sqrt().clamp(1, height).floor();
        var w = area.div(aspect).sqrt().clamp(1, width).floor();
        var top = rand(n, generator: generator).mul(h.neg().add(height + 1)).floor();
        var left = rand(n, generator: generator).mul(w.neg().add(width + 1)).floor();
        var rows = arange(height, dtype: x.dtype).view(1, height, 1);
        var cols = arange(width, dtype: x.dtype).view(1, 1, width);
        var mask = rows.ge(top.view(n, 1, 1)).logical_and(rows.lt(top.add(h).view(n, 1, 1)))
            .logical_and(cols.ge(left.view(n, 1, 1))).logical_and(cols.lt(left.add(w).view(n, 1, 1)))
            .logical_and(apply.view(n, 1, 1)).unsqueeze(1);
        var noise = rand(x.shape, generator: generator, dtype: x.dtype);
        return where(mask, noise, x);
    }
}
