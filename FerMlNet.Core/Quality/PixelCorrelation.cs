using FerMlNet.Preprocessing;

namespace FerMlNet.Core.Quality;

/// <summary>
/// The pixel-level check that confirms a perceptual-hash candidate pair as the same picture: the Pearson correlation
/// of the two 48×48 faces over their overlap, the best of every shift up to a few pixels each way (a re-cropped copy
/// is the same picture moved). Two photos of different people in the same pose share a hash far more often than they
/// share their pixels, which is why the hash alone joined distinct faces.
/// </summary>
public static class PixelCorrelation
{
    /// <summary>Largest shift tried each way, in pixels. Re-cropped copies in FER-2013 move by a pixel or two.</summary>
    public const int DefaultMaxShift = 3;

    /// <summary>The best correlation in [-1, 1] over shifts of up to <paramref name="maxShift"/> pixels; 0 when either overlap is flat.</summary>
    public static double Best(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, int maxShift = DefaultMaxShift)
    {
        const int side = PreprocessingContract.ImageSize;
        if (a.Length != side * side || b.Length != side * side)
            throw new ArgumentException($"both faces must be {side}×{side} grey pixels.");
        double best = -1;
        for (int dy = -maxShift; dy <= maxShift; dy++)
            for (int dx = -maxShift; dx <= maxShift; dx++)
                best = Math.Max(best, AtShift(a, b, dx, dy, side));
        return best;
    }

    /// <summary>Correlation of a(x, y) with b(x + dx, y + dy) over the pixels both have.</summary>
    private static double AtShift(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, int dx, int dy, int side)
    {
        double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
        int n = 0;
        for (int y = Math.Max(0, -dy); y < Math.Min(side, side - dy); y++)
        {
            int rowA = y * side, rowB = (y + dy) * side + dx;
            for (int x = Math.Max(0, -dx); x < Math.Min(side, side - dx); x++)
            {
                double va = a[rowA + x], vb = b[rowB + x];
                sa += va; sb += vb; saa += va * va; sbb += vb * vb; sab += va * vb;
                n++;
            }
        }
        double covariance = sab - sa * sb / n, varA = saa - sa * sa / n, varB = sbb - sb * sb / n;
        return varA <= 0 || varB <= 0 ? 0 : covariance / Math.Sqrt(varA * varB);
    }
}
