namespace FerMlNet.Cli.Bench;

/// <summary>Small statistics the benchmark commands share.</summary>
internal static class BenchMath
{
    /// <summary>Median (mean of the middle two for an even count) of a non-empty list.</summary>
    public static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToArray();
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
