using System.Text.Json.Serialization;

namespace FerMlNet.Training.Engine;

/// <summary>
/// One epoch's numbers, as history.json stores them (Keras' history keys, camelCase). <see cref="Accuracy"/> is the
/// epoch's training accuracy with augmentation and dropout on, unmixed batches only (<see cref="TrainAccuracy"/>; runs
/// trained before 2026-12-03 counted mixed batches against their original labels, which read about 10 points low).
/// With a weight average the validation numbers are the average's, and <see cref="TrainedValAccuracy"/> is the trained
/// weights' (absent otherwise).
/// </summary>
public sealed record EpochRecord(int Epoch, double Loss, double Accuracy, double ValLoss, double ValAccuracy,
    double LearningRate, double Seconds, double ImagesPerSecond,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? TrainedValAccuracy = null);

/// <summary>Where a training run stands: written into every checkpoint so --resume continues exactly.</summary>
public sealed class TrainingState
{
    public string Architecture { get; set; } = "";
    public int EpochsDone { get; set; }
    public long OptimizerStep { get; set; }
    public double LearningRate { get; set; }
    public double PlateauBest { get; set; } = double.PositiveInfinity;
    public int PlateauWait { get; set; }
    public double BestValAccuracy { get; set; } = double.NegativeInfinity;
    public int BestEpoch { get; set; }
    public int EarlyStopWait { get; set; }
    public bool Finished { get; set; }
    public string StopReason { get; set; } = "";
    public List<EpochRecord> History { get; set; } = [];

    /// <summary>
    /// Minutes spent against the run's time budget up to the last saved epoch, over all resumed sessions, so a
    /// per-run cap holds for the run and not per process (an interrupted epoch's minutes are not counted).
    /// </summary>
    public double BudgetMinutesSpent { get; set; }
}

/// <summary>Progress of a running epoch, for progress bars.</summary>
public readonly record struct TrainingProgress(int Epoch, int Epochs, int Batch, int Batches, double ImagesPerSecond,
    double RunningLoss, double RunningAccuracy);
