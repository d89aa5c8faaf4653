using FerMlNet.Core.IO;

namespace FerMlNet.Tests;

/// <summary>Records what a library call reports: the names of its steps, their last status and its notes.</summary>
internal sealed class RecordingProgress : IStepProgress
{
    public List<string> Steps { get; } = [];

    public List<string> Statuses { get; } = [];

    public List<string> Notes { get; } = [];

    public T Step<T>(string description, Func<StepReport, T> work)
    {
        Steps.Add(description);
        return work(new StepReport((_, _) => { }, Statuses.Add));
    }

    public void Note(string line) => Notes.Add(line);
}
