namespace FerMlNet.Scoring.FaceDetection;

/// <summary>The median the face measurements report (NaN for no values).</summary>
internal static class Medians
{
    public static double Of(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        int n = sorted.Count;
        if (n == 0) return double.NaN;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
