using FerMlNet.Preprocessing;

namespace FerMlNet.Core.Quality;

/// <summary>
/// 64-bit perceptual hashes of a 48×48 grey face. Two faces are "near" when the Hamming distance of their hashes is
/// small; README "Near duplicates" records the measurement behind the method and threshold the audit uses.
/// </summary>
public static class PerceptualHash
{
    private const int DctSize = 32;
    private static readonly double[,] DctBasis = BuildDctBasis();

    /// <summary>
    /// pHash: box-resample to 32×32, 2-D DCT-II, keep the 8×8 lowest frequencies without the DC term, and set a bit
    /// for each coefficient above their median. Low frequencies describe the face's layout, so re-encoding, slight
    /// blur, brightness and contrast changes move few bits, while a different face moves about half of them.
    /// </summary>
    public static ulong PHash(ReadOnlySpan<byte> pixels)
    {
        CheckSize(pixels);
        Span<double> small = stackalloc double[DctSize * DctSize];
        Resample(pixels, small, DctSize, DctSize);

        // Separable DCT restricted to the 8 lowest frequencies in each direction: 8×32 rows, then 8×8.
        Span<double> rows = stackalloc double[8 * DctSize];
        for (int u = 0; u < 8; u++)
            for (int x = 0; x < DctSize; x++)
            {
                double s = 0;
                for (int y = 0; y < DctSize; y++) s += DctBasis[u, y] * small[y * DctSize + x];
                rows[u * DctSize + x] = s;
            }
        Span<double> coefficients = stackalloc double[64];
        for (int u = 0; u < 8; u++)
            for (int v = 0; v < 8; v++)
            {
                double s = 0;
                for (int x = 0; x < DctSize; x++) s += DctBasis[v, x] * rows[u * DctSize + x];
                coefficients[u * 8 + v] = s;
            }

        Span<double> sorted = stackalloc double[63];
        coefficients[1..].CopyTo(sorted);
        sorted.Sort();
        double median = sorted[31]; // 63 coefficients: the 32nd is the median
        ulong hash = 0;
        for (int k = 1; k < 64; k++)
            if (coefficients[k] > median) hash |= 1UL << k;
        return hash;
    }

    /// <summary>
    /// dHash: box-resample to 9×8 and set a bit where a pixel is brighter than its right neighbour. Cheaper than pHash
    /// and kept for comparison (see README); it reacts more to small shifts.
    /// </summary>
    public static ulong DHash(ReadOnlySpan<byte> pixels)
    {
        CheckSize(pixels);
        Span<double> small = stackalloc double[9 * 8];
        Resample(pixels, small, 9, 8);
        ulong hash = 0;
        for (int y = 0; y < 8; y++)
            for (int x = 0; x < 8; x++)
                if (small[y * 9 + x] > small[y * 9 + x + 1]) hash |= 1UL << (y * 8 + x);
        return hash;
    }

    /// <summary>Number of differing bits.</summary>
    public static int Distance(ulong a, ulong b) => System.Numerics.BitOperations.PopCount(a ^ b);

    private static void CheckSize(ReadOnlySpan<byte> pixels)
    {
        if (pixels.Length != PreprocessingContract.PixelCount)
            throw new ArgumentException($"Expected {PreprocessingContract.PixelCount} grey pixels, got {pixels.Length}.");
    }

    /// <summary>Area-average resampling of the 48×48 image to width×height (exact box filter with fractional edges).</summary>
    private static void Resample(ReadOnlySpan<byte> pixels, Span<double> target, int width, int height)
    {
        const int n = PreprocessingContract.ImageSize;
        double sx = (double)n / width, sy = (double)n / height;
        for (int ty = 0; ty < height; ty++)
        {
            double y0 = ty * sy, y1 = y0 + sy;
            for (int tx = 0; tx < width; tx++)
            {
                double x0 = tx * sx, x1 = x0 + sx, sum = 0;
                for (int y = (int)y0; y < Math.Min(n, (int)Math.Ceiling(y1)); y++)
                {
                    double wy = Math.Min(y1, y + 1) - Math.Max(y0, y);
                    for (int x = (int)x0; x < Math.Min(n, (int)Math.Ceiling(x1)); x++)
                    {
                        double wx = Math.Min(x1, x + 1) - Math.Max(x0, x);
                        sum += wx * wy * pixels[y * n + x];
                    }
                }
                target[ty * width + tx] = sum / (sx * sy);
            }
        }
    }

    private static double[,] BuildDctBasis()
    {
        var basis = new double[8, DctSize];
        for (int u = 0; u < 8; u++)
            for (int x = 0; x < DctSize; x++)
                basis[u, x] = Math.Cos((2 * x + 1) * u * Math.PI / (2.0 * DctSize));
        return basis;
    }
}
