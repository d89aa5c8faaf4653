using FerMlNet.Preprocessing;

namespace FerMlNet.Scoring.FaceDetection;

/// <summary>Gaussian blur and unsharp masking of a 48×48 grey face (separable, edges mirrored, rounded back to bytes).</summary>
internal static class GrayBlur
{
    private const int Side = PreprocessingContract.ImageSize;

    /// <summary>The face blurred with standard deviation <paramref name="sigma"/> pixels; 0 returns a copy.</summary>
    public static byte[] Gaussian(byte[] pixels, double sigma)
    {
        CheckSize(pixels);
        if (sigma < 0 || double.IsNaN(sigma)) throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "must be 0 or more");
        if (sigma == 0) return (byte[])pixels.Clone();
        var kernel = Kernel(sigma);
        int radius = kernel.Length / 2;

        var rows = new double[Side * Side];
        for (int y = 0; y < Side; y++)
            for (int x = 0; x < Side; x++)
            {
                double s = 0;
                for (int k = -radius; k <= radius; k++) s += kernel[k + radius] * pixels[y * Side + Mirror(x + k)];
                rows[y * Side + x] = s;
            }
        var result = new byte[Side * Side];
        for (int y = 0; y < Side; y++)
            for (int x = 0; x < Side; x++)
            {
                double s = 0;
                for (int k = -radius; k <= radius; k++) s += kernel[k + radius] * rows[Mirror(y + k) * Side + x];
                result[y * Side + x] = (byte)Math.Clamp(Math.Round(s), 0, 255);
            }
        return result;
    }

    /// <summary>
    /// The normalised Gaussian taps of standard deviation <paramref name="sigma"/> (&gt; 0), radius ⌈3σ⌉: the one
    /// kernel of this blur and of the training-time detail augmentation.
    /// </summary>
    public static double[] Kernel(double sigma)
    {
        int radius = (int)Math.Ceiling(3 * sigma);
        var kernel = Enumerable.Range(-radius, 2 * radius + 1).Select(k => Math.Exp(-k * k / (2 * sigma * sigma))).ToArray();
        double total = kernel.Sum();
        for (int k = 0; k < kernel.Length; k++) kernel[k] /= total;
        return kernel;
    }

    /// <summary>
    /// Unsharp masking with a σ = 1 Gaussian: x + <paramref name="amount"/>·(x − blur(x)). A positive amount sharpens,
    /// a negative one softens (−1 is the blur itself); 0 returns a copy.
    /// </summary>
    public static byte[] Detail(byte[] pixels, double amount)
    {
        CheckSize(pixels);
        if (amount == 0) return (byte[])pixels.Clone();
        var blurred = Gaussian(pixels, 1);
        var result = new byte[pixels.Length];
        for (int i = 0; i < pixels.Length; i++)
            result[i] = (byte)Math.Clamp(Math.Round(pixels[i] + amount * (pixels[i] - blurred[i])), 0, 255);
        return result;
    }

    /// <summary>Throws unless <paramref name="pixels"/> is one 48×48 grey face.</summary>
    internal static void CheckSize(byte[] pixels)
    {
        if (pixels.Length != Side * Side)
            throw new ArgumentException($"Expected {Side}×{Side} = {Side * Side} grey bytes, got {pixels.Length}.", nameof(pixels));
    }

    /// <summary>Reflects an index that falls off the face back inside it (…2 1 | 0 1 2 … 47 | 46 45…).</summary>
    private static int Mirror(int i)
    {
        while (i < 0 || i >= Side) i = i < 0 ? -i : 2 * (Side - 1) - i;
        return i;
    }
}
