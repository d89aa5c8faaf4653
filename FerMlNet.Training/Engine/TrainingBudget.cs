using System.Diagnostics;

namespace FerMlNet.Training.Engine;

/// <summary>
/// The minutes a training run has spent against <see cref="TrainerRunOptions.MaxMinutes"/>: wall time, or with
/// <see cref="TrainerRunOptions.CountCpuMinutes"/> the process's CPU time since the start divided by the cores, on top
/// of <paramref name="spentBefore"/> minutes from the earlier processes of a resumed run.
/// </summary>
internal sealed class TrainingBudget(TrainerRunOptions run, double spentBefore)
{
    private readonly Stopwatch _wall = Stopwatch.StartNew();
    private readonly TimeSpan _cpuAtStart = CpuTime();

    /// <summary>Minutes spent so far, on the run's clock.</summary>
    public double Minutes => spentBefore + (run.CountCpuMinutes
        ? (CpuTime() - _cpuAtStart).TotalMinutes / Environment.ProcessorCount
        : _wall.Elapsed.TotalMinutes);

    /// <summary>True once a limit is set and reached.</summary>
    public bool Exhausted => run.MaxMinutes > 0 && Minutes >= run.MaxMinutes;

    /// <summary>How the limit reads in a stop reason.</summary>
    public override string ToString() => run.CountCpuMinutes
        ? $"the budget of {run.MaxMinutes} CPU minutes ({Environment.ProcessorCount} cores)"
        : $"--max-minutes {run.MaxMinutes}";

    private static TimeSpan CpuTime()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }
}
