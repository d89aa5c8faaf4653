namespace FerMlNet.Lifecycle.Evaluation;

/// <summary>
/// McNemar's exact test of two models scored on the same images: only the images exactly one of them answers right
/// carry information about which is better, and under "equally good" each such image is a fair coin. Paired, so it
/// separates models whose accuracy intervals overlap when they err on mostly the same faces.
/// </summary>
/// <param name="Images">Images both models were scored on.</param>
/// <param name="OnlyFirstRight">Images the first model answers right and the second wrong.</param>
/// <param name="OnlySecondRight">Images the second model answers right and the first wrong.</param>
/// <param name="PValue">Two-sided exact p-value: twice the binomial(n, ½) tail at the smaller count, at most 1.</param>
public sealed record McNemarTest(int Images, int OnlyFirstRight, int OnlySecondRight, double PValue)
{
    /// <summary>The conventional level: a difference is called significant below it.</summary>
    public const double Alpha = 0.05;

    /// <summary>A p-value as the reports print it: three decimals, or "&lt; 0.001".</summary>
    public static string Format(double p) => p < 0.001 ? "< 0.001" : p.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Compares two models' answers on the images both were scored on (matched by path).</summary>
    /// <exception cref="InvalidDataException">The two were scored on different splits or share no image.</exception>
    public static McNemarTest Of(SplitAnswers first, SplitAnswers second)
    {
        if (first.Split != second.Split)
            throw new InvalidDataException($"answers of the {first.Split} split cannot be paired with answers of the {second.Split} split.");
        var secondRight = second.Images.ToDictionary(a => a.Path, a => a.Right, StringComparer.Ordinal);
        int images = 0, onlyFirst = 0, onlySecond = 0;
        foreach (var a in first.Images)
        {
            if (!secondRight.TryGetValue(a.Path, out bool otherRight)) continue;
            images++;
            if (a.Right && !otherRight) onlyFirst++;
            else if (!a.Right && otherRight) onlySecond++;
        }
        if (images == 0) throw new InvalidDataException("the two answer sets share no image: they were scored on different faces.");
        return new McNemarTest(images, onlyFirst, onlySecond, ExactPValue(onlyFirst, onlySecond));
    }

    /// <summary>
    /// One reference model against several others, each on the images it shares with the reference, and each p-value
    /// Holm-adjusted over the family (<see cref="HolmAdjusted"/>); in the order of <paramref name="others"/>.
    /// </summary>
    public static IReadOnlyList<(McNemarTest Test, double AdjustedP)> AgainstReference(SplitAnswers reference, IReadOnlyList<SplitAnswers> others)
    {
        var tests = others.Select(o => Of(reference, o)).ToList();
        var adjusted = HolmAdjusted([.. tests.Select(t => t.PValue)]);
        return [.. tests.Select((t, i) => (t, adjusted[i]))];
    }

    /// <summary>Two-sided exact McNemar p-value for discordant counts <paramref name="b"/> and <paramref name="c"/>.</summary>
    public static double ExactPValue(int b, int c)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(b);
        ArgumentOutOfRangeException.ThrowIfNegative(c);
        int n = b + c, k = Math.Min(b, c);
        if (n == 0) return 1;
        // P(X ≤ k) for X ~ Binomial(n, ½), summed in log space: C(n, i) overflows a double past n ≈ 1,000.
        double logTerm = -n * Math.Log(2), logTail = double.NegativeInfinity;
        for (int i = 0; i <= k; i++)
        {
            if (i > 0) logTerm += Math.Log(n - i + 1) - Math.Log(i);
            logTail = LogAdd(logTail, logTerm);
        }
        return Math.Min(1, 2 * Math.Exp(logTail));
    }

    /// <summary>
    /// Holm's step-down adjustment of p-values tested together (a question's or a leaderboard's comparisons), in their given order:
    /// a family-wise error rate of <see cref="Alpha"/> however many comparisons a question makes.
    /// </summary>
    public static double[] HolmAdjusted(IReadOnlyList<double> pValues)
    {
        var order = Enumerable.Range(0, pValues.Count).OrderBy(i => pValues[i]).ToArray();
        var adjusted = new double[pValues.Count];
        double running = 0;
        for (int rank = 0; rank < order.Length; rank++)
        {
            running = Math.Max(running, Math.Min(1, (order.Length - rank) * pValues[order[rank]]));
            adjusted[order[rank]] = running;
        }
        return adjusted;
    }

    private static double LogAdd(double a, double b)
    {
        if (double.IsNegativeInfinity(a)) return b;
        double max = Math.Max(a, b);
        return max + Math.Log(Math.Exp(a - max) + Math.Exp(b - max));
    }
}
