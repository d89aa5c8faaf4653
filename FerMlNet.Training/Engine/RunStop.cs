namespace FerMlNet.Training.Engine;

/// <summary>Why a CNN run stopped, as a closed choice (run.json keeps the sentence, <see cref="TrainingState.StopReason"/>).</summary>
public enum RunStop
{
    /// <summary>No stop recorded (a transfer head, or a run record without the sentence).</summary>
    Unrecorded,

    /// <summary>Early stopping: no better validation accuracy for the pipeline's patience.</summary>
    EarlyStopping,

    /// <summary>Every epoch of the run's schedule was trained.</summary>
    Completed,

    /// <summary>The training-minutes budget ran out.</summary>
    TimeBudget,
}

/// <summary>The stop sentences <see cref="CnnTrainer"/> writes, and their reading back as <see cref="RunStop"/>.</summary>
public static class RunStops
{
    private const string EarlyStoppingPrefix = "early stopping:";
    private const string CompletedPrefix = "completed ";
    private const string BudgetMarker = " reached ";

    /// <summary>The sentence for early stopping after <paramref name="patience"/> epochs without a gain.</summary>
    public static string EarlyStopping(int patience) => $"{EarlyStoppingPrefix} no val_accuracy gain for {patience} epochs";

    /// <summary>The sentence for a run that trained all <paramref name="epochs"/> epochs.</summary>
    public static string Completed(int epochs) => $"{CompletedPrefix}{epochs} epochs";

    /// <summary>The sentence for a run whose budget (<paramref name="budget"/>, e.g. "600 CPU minutes") ran out <paramref name="when"/>.</summary>
    public static string BudgetReached(string budget, string when) => $"{budget}{BudgetMarker}{when}";

    /// <summary>Reads a stop sentence written by <see cref="CnnTrainer"/>.</summary>
    public static RunStop Of(string? reason) => reason switch
    {
        null or "" => RunStop.Unrecorded,
        _ when reason.StartsWith(EarlyStoppingPrefix, StringComparison.Ordinal) => RunStop.EarlyStopping,
        _ when reason.StartsWith(CompletedPrefix, StringComparison.Ordinal) => RunStop.Completed,
        _ when reason.Contains(BudgetMarker, StringComparison.Ordinal) => RunStop.TimeBudget,
        _ => RunStop.Unrecorded,
    };
}
