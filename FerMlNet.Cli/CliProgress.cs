using FerMlNet.Core.IO;

namespace FerMlNet.Cli;

/// <summary>The library's steps as Spectre progress bars on stderr (<see cref="FerCommandLine.WithProgress"/>).</summary>
internal sealed class CliProgress : IStepProgress
{
    /// <summary>The one instance.</summary>
    public static CliProgress Instance { get; } = new();

    private CliProgress() { }

    /// <inheritdoc />
    public T Step<T>(string description, Func<Action<int, int>, T> work) => FerCommandLine.WithProgress(description, work);
}
