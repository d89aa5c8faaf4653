namespace FerMlNet.Core.IO;

/// <summary>
/// How a long library call (training, calibrating) shows what it does: steps with a progress count and a status
/// line, and notes (what was skipped, what was kept). The fer CLI draws steps as progress bars on stderr and prints
/// notes there; an embedding caller may log them, or pass <see cref="SilentProgress.Instance"/>.
/// </summary>
public interface IStepProgress
{
    /// <summary>Runs one step; <paramref name="work"/> reports its count and status through the <see cref="StepReport"/>.</summary>
    T Step<T>(string description, Func<StepReport, T> work);

    /// <summary>A line worth keeping in the job's log: a skipped file, a filter's count, an epoch's scores.</summary>
    void Note(string line);
}
