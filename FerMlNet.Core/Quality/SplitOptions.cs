namespace FerMlNet.Core.Quality;

/// <summary>Options of <see cref="LeakageFreeSplitter"/>.</summary>
public sealed class SplitOptions
{
    /// <summary>Train, validation and test shares of each class. Default: 0.8, 0.1, 0.1 (the notebook's target).</summary>
    public double[] Ratios { get; set; } = [0.8, 0.1, 0.1];

    /// <summary>Seed of the shuffle; the same seed on the same data gives a byte-identical manifest. Default: 42.</summary>
    public int Seed { get; set; } = 42;

    /// <summary>
    /// Keep every copy of a duplicate group (all in the same split) instead of one. Default: false — redundant copies
    /// only weight a picture twice.
    /// </summary>
    public bool KeepDuplicates { get; set; }

    /// <summary>Checks the ratios: three non-negative shares that add up to 1.</summary>
    /// <exception cref="ArgumentException">They do not.</exception>
    public void Validate()
    {
        if (Ratios.Length != 3 || Ratios.Any(r => r < 0 || double.IsNaN(r)) || Math.Abs(Ratios.Sum() - 1) > 1e-6)
            throw new ArgumentException($"Ratios must be three non-negative shares adding up to 100 (got {string.Join(",", Ratios)}).");
    }

    /// <summary>Parses "80,10,10" (percentages) or "0.8,0.1,0.1".</summary>
    public static double[] ParseRatios(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length != 3 || parts.Any(p => !double.TryParse(p, System.Globalization.CultureInfo.InvariantCulture, out _)))
            throw new ArgumentException($"--ratios '{text}' must be three numbers such as 80,10,10.");
        var values = parts.Select(p => double.Parse(p, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        double sum = values.Sum();
        return sum > 1.5 ? values.Select(v => v / 100).ToArray() : values;
    }
}
