using FerMlNet.Core.IO;
using Spectre.Console;

namespace FerMlNet.Cli;

/// <summary>
/// The libraries' steps as Spectre progress bars on stderr (with rate and ETA; a step's status replaces its
/// description), and their notes as plain lines on stderr, above the bar while one is drawn.
/// </summary>
internal sealed class CliProgress : IStepProgress
{
    /// <summary>The one instance.</summary>
    public static CliProgress Instance { get; } = new();

    private bool _inStep;

    private CliProgress() { }

    /// <inheritdoc />
    public T Step<T>(string description, Func<StepReport, T> work)
    {
        T result = default!;
        FerCommandLine.ErrorConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(description), autoStart: true, maxValue: 1);
                _inStep = true;
                try
                {
                    result = work(new StepReport(
                        (done, total) =>
                        {
                            task.MaxValue = Math.Max(total, 1);
                            task.Value = done;
                        },
                        status => task.Description = Markup.Escape(status)));
                }
                finally
                {
                    _inStep = false;
                }
                task.Value = task.MaxValue;
            });
        return result;
    }

    /// <inheritdoc />
    public void Note(string line)
    {
        // Inside a step the line goes through Spectre so the live bar is redrawn below it; outside, unwrapped, so a
        // log keeps each note (a skipped file's path and reason) on one line.
        if (_inStep) FerCommandLine.ErrorConsole.WriteLine(line);
        else Console.Error.WriteLine(line);
    }
}
