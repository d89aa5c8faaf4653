namespace FerMlNet.Training.Engine;

/// <summary>
/// The notebook's schedules. Constant; Keras ReduceLROnPlateau on val_loss (min_delta 1e-4, cooldown 0); Keras
/// CosineDecay per optimizer step: lr = lr0·((1 − α)·½(1 + cos(π·min(step, decay)/decay)) + α).
/// Its state (best, wait, current rate) is plain data so a checkpoint can hold it.
/// </summary>
internal sealed class LearningRateSchedule
{
    private readonly ScheduleOptions _options;
    private readonly double _initial;
    private readonly long _decaySteps;

    public LearningRateSchedule(ScheduleOptions options, double initial, long decaySteps)
    {
        _options = options;
        _initial = initial;
        _decaySteps = Math.Max(1, decaySteps);
        Current = initial;
    }

    public double Current { get; set; }
    public double PlateauBest { get; set; } = double.PositiveInfinity;
    public int PlateauWait { get; set; }

    /// <summary>Before each optimizer step (cosine only).</summary>
    public double ForStep(long step)
    {
        if (_options.Type != ScheduleType.Cosine) return Current;
        double progress = Math.Min(step, _decaySteps) / (double)_decaySteps;
        Current = _initial * ((1 - _options.Alpha) * 0.5 * (1 + Math.Cos(Math.PI * progress)) + _options.Alpha);
        return Current;
    }

    /// <summary>After each epoch (plateau only). Returns true when the rate was reduced.</summary>
    public bool AfterEpoch(double valLoss)
    {
        if (_options.Type != ScheduleType.ReduceOnPlateau) return false;
        if (valLoss < PlateauBest - 1e-4)
        {
            PlateauBest = valLoss;
            PlateauWait = 0;
            return false;
        }
        if (++PlateauWait < _options.Patience) return false;
        PlateauWait = 0;
        double reduced = Math.Max(Current * _options.Factor, _options.MinLearningRate);
        bool changed = reduced < Current;
        Current = reduced;
        return changed;
    }
}
