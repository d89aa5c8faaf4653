namespace FerMlNet.Training.Engine;

/// <summary>
/// An epoch's running training accuracy. Batches blended by mixup or CutMix are left out: a blended image has no single
/// right answer, and scoring it against one of its labels made a mixup run's train–validation gap read about 10 points
/// negative. Only when every batch is mixed (mix probability 1) does it fall back to the original labels.
/// </summary>
internal sealed class TrainAccuracy
{
    private long _correct, _judged, _correctMixed, _seen;

    /// <summary>Counts one batch: <paramref name="hits"/> of <paramref name="count"/> predictions equal the original label.</summary>
    public void Add(long hits, long count, bool mixed)
    {
        _seen += count;
        if (mixed) _correctMixed += hits;
        else { _correct += hits; _judged += count; }
    }

    /// <summary>Accuracy over the unmixed batches so far, or over all of them against the original labels if none was.</summary>
    public double Value => _judged > 0 ? (double)_correct / _judged : (double)_correctMixed / Math.Max(_seen, 1);
}
