namespace FerMlNet.Core.IO;

/// <summary>An <see cref="IStepProgress"/> that shows nothing: each step just runs and notes are dropped.</summary>
public sealed class SilentProgress : IStepProgress
{
    /// <summary>The one instance.</summary>
    public static SilentProgress Instance { get; } = new();

    private SilentProgress() { }

    /// <inheritdoc />
    public T Step<T>(string description, Func<StepReport, T> work) => work(StepReport.Silent);

    /// <inheritdoc />
    public void Note(string line) { }
}
