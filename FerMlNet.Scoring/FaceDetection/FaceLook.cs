using FerMlNet.Preprocessing;

namespace FerMlNet.Scoring.FaceDetection;

/// <summary>
/// The low-level look of a set of 48×48 faces, as medians over the faces: brightness (mean grey, 0..1), contrast (grey
/// standard deviation, 0..1) and sharpness (mean absolute 4-neighbour Laplacian over the interior divided by the
/// face's standard deviation, so a dim face and a bright one of the same detail score alike). Comparing the training
/// faces with faces cropped from a deployment's photos shows whether the photos look like what the model learnt from.
/// </summary>
/// <param name="Faces">Faces measured.</param>
/// <param name="Brightness">Median mean grey (0..1).</param>
/// <param name="Contrast">Median grey standard deviation (0..1).</param>
/// <param name="Sharpness">Median contrast-normalised mean |Laplacian|; faces with no contrast are left out of it.</param>
internal sealed record FaceLook(int Faces, double Brightness, double Contrast, double Sharpness)
{
    private const int Side = PreprocessingContract.ImageSize;

    /// <summary>The medians over <paramref name="faces"/> (48×48 grey bytes each).</summary>
    public static FaceLook Measure(IEnumerable<byte[]> faces)
    {
        var brightness = new List<double>();
        var contrast = new List<double>();
        var sharpness = new List<double>();
        foreach (var pixels in faces)
        {
            var (mean, std, sharp) = Of(pixels);
            brightness.Add(mean);
            contrast.Add(std);
            if (!double.IsNaN(sharp)) sharpness.Add(sharp);
        }
        return new FaceLook(brightness.Count, Medians.Of(brightness), Medians.Of(contrast), Medians.Of(sharpness));
    }

    /// <summary>One face's brightness, contrast and sharpness (NaN for a face of one flat grey).</summary>
    public static (double Brightness, double Contrast, double Sharpness) Of(byte[] pixels)
    {
        GrayBlur.CheckSize(pixels);
        double sum = 0, squares = 0;
        foreach (byte p in pixels) { sum += p; squares += (double)p * p; }
        double mean = sum / pixels.Length;
        double std = Math.Sqrt(Math.Max(0, squares / pixels.Length - mean * mean));
        double laplacian = 0;
        for (int y = 1; y < Side - 1; y++)
            for (int x = 1; x < Side - 1; x++)
            {
                int i = y * Side + x;
                laplacian += Math.Abs(4 * pixels[i] - pixels[i - 1] - pixels[i + 1] - pixels[i - Side] - pixels[i + Side]);
            }
        laplacian /= (Side - 2) * (Side - 2);
        return (mean / 255, std / 255, std < 1 ? double.NaN : laplacian / std);
    }
}
