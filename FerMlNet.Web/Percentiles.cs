namespace FerMlNet.Web;

/// <summary>Nearest-rank percentiles, shared by the API's metrics and the serve and load benchmarks.</summary>
internal static class Percentiles
{
    /// <summary>The <paramref name="q"/> quantile (0-1) of ascending <paramref name="sorted"/> values; 0 when empty.</summary>
    public static double Of(IReadOnlyList<double> sorted, double q) =>
        sorted.Count == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Count) - 1, 0, sorted.Count - 1)];
}
