using static TorchSharp.torch;

namespace FerMlNet.Training.Engine;

/// <summary>A batch blended with a shuffled copy of itself: the images, which copy each row was blended with, and λ.</summary>
internal readonly record struct MixedBatch(Tensor Images, Tensor Partners, double Lambda)
{
    /// <summary>λ · loss(targets) + (1 − λ) · loss(partners' targets): the loss of a mixed batch (targets: labels, target rows or training rows).</summary>
    public Tensor Loss(Func<Tensor, Tensor> lossFor, Tensor targets) =>
        lossFor(targets).mul(Lambda).add(lossFor(targets.index_select(0, Partners)).mul(1 - Lambda));
}

/// <summary>
/// Mixup and CutMix for one epoch (<see cref="MixOptions"/>). Draws come from its own seeded stream, so a resumed run
/// mixes the same batches the same way, and pipelines without mixing keep their augmentation stream unchanged.
/// </summary>
internal sealed class BatchMixer(MixOptions options, long seed)
{
    private readonly Random _random = new((int)((seed ^ 0x6d69785fL) & int.MaxValue));

    /// <summary>The mixed batch, or null when this batch stays plain (probability 1 − <see cref="MixOptions.Probability"/>).</summary>
    public MixedBatch? Mix(Tensor images)
    {
        if (_random.NextDouble() >= options.Probability) return null;
        long n = images.shape[0];
        var order = Enumerable.Range(0, (int)n).ToArray();
        _random.Shuffle(order);
        var partners = tensor(order.Select(i => (long)i).ToArray()).to(images.device);
        var other = images.index_select(0, partners);
        double lambda = Beta(options.Alpha);
        if (options.Type == MixType.Mixup) return new MixedBatch(images.mul(lambda).add(other.mul(1 - lambda)), partners, lambda);

        // CutMix: a box of about (1 − λ) of the area, centred uniformly and clipped at the border; λ then becomes the
        // share of the image that really stayed, as the paper does.
        long height = images.shape[2], width = images.shape[3];
        double side = Math.Sqrt(1 - lambda);
        int cutH = (int)(height * side), cutW = (int)(width * side);
        int centreY = _random.Next((int)height), centreX = _random.Next((int)width);
        int top = Math.Clamp(centreY - cutH / 2, 0, (int)height), bottom = Math.Clamp(centreY + cutH / 2, 0, (int)height);
        int left = Math.Clamp(centreX - cutW / 2, 0, (int)width), right = Math.Clamp(centreX + cutW / 2, 0, (int)width);
        var mixed = images.clone();
        if (bottom > top && right > left)
        {
            var (rows, cols) = (TensorIndex.Slice(top, bottom), TensorIndex.Slice(left, right));
            mixed[TensorIndex.Ellipsis, rows, cols] = other[TensorIndex.Ellipsis, rows, cols];
        }
        double kept = 1 - (double)(bottom - top) * (right - left) / (height * width);
        return new MixedBatch(mixed, partners, kept);
    }

    /// <summary>Beta(α, α) as X / (X + Y) with X, Y ~ Gamma(α).</summary>
    private double Beta(double alpha)
    {
        double x = Gamma(alpha), y = Gamma(alpha);
        return x / (x + y);
    }

    /// <summary>Gamma(shape, 1) by Marsaglia and Tsang (2000); shapes below 1 through Gamma(shape + 1) · U^(1/shape).</summary>
    private double Gamma(double shape)
    {
        if (shape < 1) return Gamma(shape + 1) * Math.Pow(1 - _random.NextDouble(), 1 / shape);
        double d = shape - 1.0 / 3, c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            double z = Normal(), v = Math.Pow(1 + c * z, 3);
            if (v <= 0) continue;
            double u = 1 - _random.NextDouble();
            if (Math.Log(u) < 0.5 * z * z + d - d * v + d * Math.Log(v)) return d * v;
        }
    }

    /// <summary>Standard normal by Box–Muller.</summary>
    private double Normal() =>
        Math.Sqrt(-2 * Math.Log(1 - _random.NextDouble())) * Math.Cos(2 * Math.PI * _random.NextDouble());
}
