using FerMlNet.Scoring;

namespace FerMlNet.Lifecycle.Calibration;

/// <summary>
/// Fits a deployment's class-prior offsets b (one per class, summing to zero) to a few labelled photos: the b that
/// maximises the mean log-likelihood of the true labels under softmax(log p + b), minus (l2 / 2)·‖b‖² so that a
/// handful of photos cannot push the offsets far. Convex in b, so plain gradient ascent finds the optimum.
/// </summary>
public static class ClassPriorFit
{
    /// <summary>The default pull toward zero: fixed before any measurement, never tuned on the photos it is judged on.</summary>
    public const double DefaultL2 = 0.1;

    /// <summary>The offsets for <paramref name="probabilities"/> (rows of class probabilities) and their labels.</summary>
    public static float[] Fit(IReadOnlyList<float[]> probabilities, IReadOnlyList<int> truth, double l2 = DefaultL2)
    {
        if (probabilities.Count == 0 || probabilities.Count != truth.Count)
            throw new ArgumentException("Fitting needs at least one labelled photo, with one label per row.");
        int classes = probabilities[0].Length;
        var logs = probabilities.Select(p => p.Select(v => Math.Log(Math.Max(v, 1e-12))).ToArray()).ToArray();
        var b = new double[classes];
        var gradient = new double[classes];
        for (int step = 0; step < 2000; step++)
        {
            Array.Clear(gradient);
            for (int i = 0; i < logs.Length; i++)
            {
                var q = Softmax(logs[i], b);
                for (int c = 0; c < classes; c++) gradient[c] += (c == truth[i] ? 1 : 0) - q[c];
            }
            double largest = 0;
            for (int c = 0; c < classes; c++)
            {
                gradient[c] = gradient[c] / logs.Length - l2 * b[c];
                largest = Math.Max(largest, Math.Abs(gradient[c]));
            }
            if (largest < 1e-7) break;
            // The mean log-likelihood's curvature is at most 1/2 per coordinate, so a step of 1 never overshoots.
            for (int c = 0; c < classes; c++) b[c] += gradient[c];
        }
        double mean = b.Average(); // a common shift changes no answer: keep the offsets centred
        return b.Select(v => (float)(v - mean)).ToArray();
    }

    /// <summary>The class with the largest adjusted probability, by the rule the predictor applies.</summary>
    public static int Answer(float[] probabilities, IReadOnlyList<float> offsets) =>
        EmotionClasses.ArgMax(DeploymentCalibration.Apply((float[])probabilities.Clone(), offsets));

    /// <summary>
    /// How much a deployment calibration from <paramref name="perClass"/> labelled photos per class helps the rest:
    /// <paramref name="repeats"/> times, draw that many photos of each class (seeded), fit on them, and count right
    /// answers on every other photo with and without the offsets. Photos without a face (null rows) count as wrong in
    /// both arms, as `fer evaluate --detect-faces` counts them.
    /// </summary>
    public static IReadOnlyList<CrossFitRound> CrossFit(IReadOnlyList<float[]?> probabilities, IReadOnlyList<int> truth, int perClass,
        int repeats, int seed, double l2 = DefaultL2)
    {
        int classes = probabilities.First(p => p is not null)!.Length;
        var random = new Random(seed);
        var rounds = new List<CrossFitRound>();
        for (int r = 0; r < repeats; r++)
        {
            var fitRows = new HashSet<int>();
            for (int c = 0; c < classes; c++)
            {
                var candidates = Enumerable.Range(0, truth.Count).Where(i => truth[i] == c && probabilities[i] is not null).ToArray();
                if (candidates.Length <= perClass)
                    throw new InvalidDataException($"Class {c} has {candidates.Length} photos with a face; cross-fitting {perClass} per class needs more.");
                random.Shuffle(candidates);
                fitRows.UnionWith(candidates.Take(perClass));
            }
            var offsets = Fit(fitRows.Select(i => probabilities[i]!).ToList(), fitRows.Select(i => truth[i]).ToList(), l2);
            var held = Enumerable.Range(0, truth.Count).Where(i => !fitRows.Contains(i)).ToArray();
            int before = held.Count(i => probabilities[i] is { } p && EmotionClasses.ArgMax(p) == truth[i]);
            int after = held.Count(i => probabilities[i] is { } p && Answer(p, offsets) == truth[i]);
            rounds.Add(new CrossFitRound(held.Length, before, after, offsets));
        }
        return rounds;
    }

    private static double[] Softmax(double[] logs, double[] offsets)
    {
        var z = new double[logs.Length];
        double max = double.NegativeInfinity, sum = 0;
        for (int c = 0; c < z.Length; c++) max = Math.Max(max, z[c] = logs[c] + offsets[c]);
        for (int c = 0; c < z.Length; c++) sum += z[c] = Math.Exp(z[c] - max);
        for (int c = 0; c < z.Length; c++) z[c] /= sum;
        return z;
    }
}

/// <summary>One cross-fitting round: held-out photos, right answers without and with the fitted offsets, the offsets.</summary>
public sealed record CrossFitRound(int HeldOut, int RightBefore, int RightAfter, float[] Offsets);
