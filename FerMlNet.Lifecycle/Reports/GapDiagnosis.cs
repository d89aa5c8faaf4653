using FerMlNet.Training.Engine;

namespace FerMlNet.Lifecycle.Reports;

/// <summary>
/// The notebook's train–validation gap diagnosis (seed-spec §5.1-5.3): gap = (train accuracy at the best epoch − best
/// validation accuracy) × 100 points, where the train accuracy is the epoch average with dropout and augmentation on,
/// and the verdict thresholds of the Model A-B++ analysis cells.
/// </summary>
public static class GapDiagnosis
{
    /// <summary>The notebook's verdict for a gap in percentage points (Models A-B++ cells).</summary>
    public static string Verdict(double gapPoints) => gapPoints switch
    {
        < -10 => "SEVERE NEGATIVE (major data leakage?)",
        < -5 => "NEGATIVE (likely data leakage)",
        < 0 => "SLIGHTLY NEGATIVE",
        < 5 => "HEALTHY",
        < 10 => "MODERATE overfitting",
        < 15 => "HIGH overfitting",
        _ => "SEVERE overfitting",
    };

    /// <summary>The notebook's gap-bar colour (§5.2 panel 3): red above 10, orange above 5, green from 0, purple below.</summary>
    public static string BarColor(double gapPoints) => gapPoints switch
    {
        > 10 => "#e74c3c",
        > 5 => "#f39c12",
        >= 0 => "#2ecc71",
        _ => "#9b59b6",
    };

    /// <summary>gap, verdict, best epoch and the final-epoch gap of a training history (null when empty).</summary>
    public static TrainValGap? FromHistory(IReadOnlyList<EpochRecord> history)
    {
        if (history.Count == 0) return null;
        // First maximum wins on ties, as numpy's argmax in the notebook.
        var best = history.Aggregate((a, b) => b.ValAccuracy > a.ValAccuracy ? b : a);
        double gap = (best.Accuracy - best.ValAccuracy) * 100, finalGap = (history[^1].Accuracy - history[^1].ValAccuracy) * 100;
        return new TrainValGap(best.Epoch, best.ValAccuracy, best.Accuracy, Math.Round(gap, 2), Verdict(gap), Math.Round(finalGap, 2),
            history.Min(h => h.ValLoss));
    }
}
