using System.Text.Json.Serialization;
using FerMlNet.Preprocessing;
using FerMlNet.Core;

namespace FerMlNet.Lifecycle.Calibration;

/// <summary>A fitted logit adjustment: probabilities = softmax((logits + <see cref="Bias"/>) / <see cref="Temperature"/>).</summary>
/// <param name="Temperature">Divides the logits; above 1 softens over-confident probabilities.</param>
/// <param name="Bias">Added to each class's logit (happy, neutral, sad, surprise); happy's is fixed at 0.</param>
public sealed record LogitAdjustment(double Temperature, double[] Bias)
{
    /// <summary>No change.</summary>
    public static LogitAdjustment Identity { get; } = new(1, new double[EmotionClasses.Count]);

    /// <summary>The adjusted logits of one row: (logits + bias) / temperature.</summary>
    public double[] Logits(float[] logits) => logits.Select((l, c) => (l + Bias[c]) / Temperature).ToArray();

    /// <summary>The adjusted probabilities of one row of logits.</summary>
    public float[] Probabilities(float[] logits)
    {
        var z = Logits(logits);
        double max = z.Max(), sum = z.Sum(v => Math.Exp(v - max));
        return z.Select(v => (float)(Math.Exp(v - max) / sum)).ToArray();
    }
}

/// <summary>
/// Fits a <see cref="LogitAdjustment"/> on held-out (validation) logits: first the per-class bias by coordinate
/// ascent on the chosen objective — the "class-threshold tuning" that trades, say, neutral recall for sad recall —
/// then the temperature that minimises the negative log-likelihood (Guo et al. 2017), which leaves the arg-max alone.
/// </summary>
public static class LogitCalibrator
{
    /// <summary>What the bias search maximises.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<Objective>))]
    public enum Objective
    {
        /// <summary>No bias (temperature only).</summary>
        [JsonStringEnumMemberName("none")] None,
        /// <summary>Mean F1 over the four classes: reported beside accuracy, and it does not let one class be sacrificed.</summary>
        [JsonStringEnumMemberName("macro-f1")] MacroF1,
        /// <summary>Plain accuracy.</summary>
        [JsonStringEnumMemberName("accuracy")] Accuracy,
    }

    /// <summary>Bias values tried per class: −1.5 … 1.5 in steps of 0.05, in three sweeps over the classes.</summary>
    private static readonly double[] BiasGrid = Enumerable.Range(-30, 61).Select(i => i * 0.05).ToArray();

    /// <summary>Fits bias (by <paramref name="objective"/>) then temperature on <paramref name="logits"/> with true classes <paramref name="truth"/>.</summary>
    public static LogitAdjustment Fit(float[][] logits, int[] truth, Objective objective)
    {
        if (logits.Length == 0 || logits.Length != truth.Length) throw new ArgumentException("need one row of logits per true class");
        var bias = new double[EmotionClasses.Count];
        if (objective != Objective.None)
        {
            double best = Score(logits, truth, bias, objective);
            for (int sweep = 0; sweep < 3; sweep++)
                for (int c = 1; c < bias.Length; c++) // class 0 anchors the scale: only differences between biases matter
                {
                    double keep = bias[c];
                    foreach (var value in BiasGrid)
                    {
                        bias[c] = value;
                        double score = Score(logits, truth, bias, objective);
                        // Ties go to the smaller change, so a flat objective leaves the model as trained.
                        if (score > best + 1e-12 || (Math.Abs(score - best) <= 1e-12 && Math.Abs(value) < Math.Abs(keep)))
                            (best, keep) = (score, value);
                    }
                    bias[c] = keep;
                }
        }
        return new LogitAdjustment(FitTemperature(logits, truth, bias), bias);
    }

    /// <summary>
    /// Each face's logits adjusted by a fit that never saw it: the faces in two halves (fixed shuffle, seed 42), fit
    /// on one half and applied to the other, both ways. What a fit gains on unseen faces, where the in-sample figure
    /// is optimistic by construction. Rows come back in shuffled order, each with its true class.
    /// </summary>
    public static (float[][] Logits, int[] Truth) CrossFitted(float[][] logits, int[] truth, Objective objective)
    {
        var order = Enumerable.Range(0, logits.Length).ToArray();
        new Random(42).Shuffle(order);
        var halves = new[] { order[..(order.Length / 2)], order[(order.Length / 2)..] };
        var adjusted = new List<float[]>();
        var adjustedTruth = new List<int>();
        for (int h = 0; h < 2; h++)
        {
            var fitOn = halves[h];
            var adjustment = Fit(fitOn.Select(i => logits[i]).ToArray(), fitOn.Select(i => truth[i]).ToArray(), objective);
            foreach (var i in halves[1 - h])
            {
                adjusted.Add(adjustment.Logits(logits[i]).Select(v => (float)v).ToArray());
                adjustedTruth.Add(truth[i]);
            }
        }
        return (adjusted.ToArray(), adjustedTruth.ToArray());
    }

    /// <summary>
    /// What class biases fitted for <paramref name="objective"/> (not None) score on unseen faces
    /// (<see cref="CrossFitted"/>) against the unadjusted logits on the same faces; biases pay only when the first is
    /// higher by at least <see cref="MinimumBiasGain"/>. Temperature never moves the arg-max, so the second is also what
    /// temperature-only calibration scores.
    /// Pass <paramref name="crossFitted"/> when <see cref="CrossFitted"/> already ran for this objective.
    /// </summary>
    public static (double WithBias, double WithoutBias) OutOfSampleScores(float[][] logits, int[] truth, Objective objective,
        (float[][] Logits, int[] Truth)? crossFitted = null)
    {
        if (objective == Objective.None) throw new ArgumentException("no bias is fitted for Objective.None", nameof(objective));
        var (crossLogits, crossTruth) = crossFitted ?? CrossFitted(logits, truth, objective);
        var none = new double[EmotionClasses.Count];
        return (Score(crossLogits, crossTruth, none, objective), Score(logits, truth, none, objective));
    }

    /// <summary>
    /// The least out-of-sample gain for which fitted class biases are kept: one face's worth on
    /// <paramref name="faces"/> faces (1/n, the smallest step accuracy takes, and about what one face moves macro-F1).
    /// A smaller gain is a tie, and a tie goes to temperature only, which moves no answer (experiment 25 of the research
    /// log kept a neutral bias on a cross-fitted macro-F1 margin of 0.000003, then lost on test).
    /// </summary>
    public static double MinimumBiasGain(int faces) => 1.0 / faces;

    /// <summary>Mean negative log-likelihood of the true classes under an adjustment.</summary>
    public static double NegativeLogLikelihood(float[][] logits, int[] truth, LogitAdjustment adjustment) =>
        Enumerable.Range(0, logits.Length).Average(i => -Math.Log(Math.Max(adjustment.Probabilities(logits[i])[truth[i]], 1e-12)));

    /// <summary>Accuracy and macro-F1 of the arg-max of logits + bias.</summary>
    public static (double Accuracy, double MacroF1) Measure(float[][] logits, int[] truth, IReadOnlyList<double> bias)
    {
        var confusion = Confusion(logits, truth, bias);
        return (Accuracy(confusion, truth.Length), MacroF1(confusion));
    }

    /// <summary>Golden-section search of log T in [ln 0.05, ln 20] for the lowest NLL (convex in 1/T).</summary>
    private static double FitTemperature(float[][] logits, int[] truth, double[] bias)
    {
        double Nll(double logT) => NegativeLogLikelihood(logits, truth, new LogitAdjustment(Math.Exp(logT), bias));
        double lo = Math.Log(0.05), hi = Math.Log(20), ratio = (Math.Sqrt(5) - 1) / 2;
        double a = hi - ratio * (hi - lo), b = lo + ratio * (hi - lo), fa = Nll(a), fb = Nll(b);
        for (int i = 0; i < 60; i++)
        {
            if (fa < fb) { hi = b; b = a; fb = fa; a = hi - ratio * (hi - lo); fa = Nll(a); }
            else { lo = a; a = b; fa = fb; b = lo + ratio * (hi - lo); fb = Nll(b); }
        }
        return Math.Exp((lo + hi) / 2);
    }

    private static double Score(float[][] logits, int[] truth, double[] bias, Objective objective)
    {
        var confusion = Confusion(logits, truth, bias);
        return objective == Objective.Accuracy ? Accuracy(confusion, truth.Length) : MacroF1(confusion);
    }

    /// <summary>confusion[truth, predicted] of the arg-max of logits + bias.</summary>
    private static int[,] Confusion(float[][] logits, int[] truth, IReadOnlyList<double> bias)
    {
        int k = EmotionClasses.Count;
        var confusion = new int[k, k];
        for (int i = 0; i < logits.Length; i++)
        {
            int best = 0;
            for (int c = 1; c < k; c++)
                if (logits[i][c] + bias[c] > logits[i][best] + bias[best]) best = c;
            confusion[truth[i], best]++;
        }
        return confusion;
    }

    private static double Accuracy(int[,] confusion, int images) =>
        (double)Enumerable.Range(0, confusion.GetLength(0)).Sum(c => confusion[c, c]) / images;

    private static double MacroF1(int[,] confusion)
    {
        int k = confusion.GetLength(0);
        double sum = 0;
        for (int c = 0; c < k; c++)
        {
            double tp = confusion[c, c];
            double predicted = Enumerable.Range(0, k).Sum(t => confusion[t, c]);
            double actual = Enumerable.Range(0, k).Sum(p => confusion[c, p]);
            sum += tp == 0 ? 0 : 2 * tp / (predicted + actual);
        }
        return sum / k;
    }
}
