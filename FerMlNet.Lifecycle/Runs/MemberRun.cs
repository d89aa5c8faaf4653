namespace FerMlNet.Lifecycle.Runs;

/// <summary>How one member of an ensemble was trained (run.json's and a model card's "memberRuns"/"members").</summary>
/// <param name="Pipeline">The member's pipeline name.</param>
/// <param name="TrainingSeed">Its training seed.</param>
/// <param name="EpochsRun">Epochs trained.</param>
/// <param name="BestEpoch">The epoch whose weights were kept.</param>
/// <param name="StopReason">Why its training stopped.</param>
/// <param name="TrainSeconds">Its training wall time in seconds.</param>
/// <param name="Params">Its parameters.</param>
public sealed record MemberRun(string? Pipeline, int? TrainingSeed, int? EpochsRun, int? BestEpoch, string? StopReason,
    double? TrainSeconds, long? Params)
{
    /// <summary>What a member's own run record says of its training.</summary>
    public static MemberRun Of(RunRecord run) =>
        new(run.PipelineName, run.TrainingSeed, run.EpochsRun, run.BestEpoch, run.StopReason, run.TrainSeconds, run.Params);
}
