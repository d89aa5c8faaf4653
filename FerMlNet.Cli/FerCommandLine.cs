using System.CommandLine;
using FerMlNet.Core.Data;
using FerMlNet.Preprocessing;
using FerMlNet.Training.Engine;
using FerMlNet.Lifecycle.Runs;
using Spectre.Console;

namespace FerMlNet.Cli;

/// <summary>The `fer` command tree. Each command is a thin shell over library calls that the tests also make.</summary>
internal static class FerCommandLine
{
    /// <summary>
    /// Columns of a console whose output goes to a file or a pipe. Spectre assumes 80 there and breaks every longer
    /// line and table cell, so a job's log could not be searched for the sentences it printed.
    /// </summary>
    private const int RedirectedWidth = 200;

    public static int Run(string[] args)
    {
        if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = RedirectedWidth;
        if (Console.IsErrorRedirected) ErrorConsole.Profile.Width = RedirectedWidth;
        var root = new RootCommand("FerMlNet: facial-emotion recognition (happy, neutral, sad, surprise) on ML.NET.");
        root.Add(DataCommands.Create());
        root.Add(ModelsCommand.Create());
        root.Add(TrainCommand.Create());
        root.Add(ScoreCommand.Create());
        root.Add(EvaluateCommand.Create());
        root.Add(CalibrateCommand.Create());
        root.Add(QuantizeCommand.Create());
        root.Add(DeploymentCalibrationCommand.Create());
        root.Add(PublishCommand.Create());
        root.Add(ReportCommand.Create());
        root.Add(CompareCommand.Create());
        root.Add(ExperimentCommand.Create());
        root.Add(ServeCommand.Create());
        root.Add(BenchCommand.Create());
        RejectUnknownOptions(root);
        return root.Parse(args).Invoke();
    }

    /// <summary>
    /// System.CommandLine hands an unknown option (a typo such as --froce) to a command's path arguments, where it
    /// would be read as a file name; every argument of the tree refuses such a token unless a file or folder has that
    /// name.
    /// </summary>
    private static void RejectUnknownOptions(Command command)
    {
        foreach (var argument in command.Arguments)
            argument.Validators.Add(result =>
            {
                foreach (var token in result.Tokens)
                    if (token.Value.Length > 1 && token.Value[0] == '-' && !File.Exists(token.Value) && !Directory.Exists(token.Value))
                        result.AddError($"Unknown option '{token.Value}' for fer {command.Name} (fer {command.Name} --help lists them).");
            });
        foreach (var sub in command.Subcommands) RejectUnknownOptions(sub);
    }

    /// <summary>
    /// Runs a command body and maps the product's exceptions to the contract's exit codes with a one-line message
    /// naming the file and the reason (no stack trace for bad input).
    /// </summary>
    public static int Guard(Func<int> body)
    {
        try
        {
            return body();
        }
        // A time limit too small for the first epoch is a usage error too: the limit was wrong, not the data.
        catch (Exception e) when (e is UsageException or NoEpochFinishedException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.Usage;
        }
        catch (Exception e) when (e is DatasetException or ImageDecodeException or FileNotFoundException
                                      or DirectoryNotFoundException or InvalidDataException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.DataError;
        }
        catch (Exception e) when (Environment.GetEnvironmentVariable("FER_DEBUG") != "1")
        {
            // A failure nobody anticipated: one line, not a stack trace; FER_DEBUG=1 shows the trace for a bug report.
            var inner = e is AggregateException or InvalidOperationException && e.InnerException is { } i ? i : e;
            Console.Error.WriteLine($"error: unexpected {inner.GetType().Name}: {inner.Message} (FER_DEBUG=1 shows where)");
            return ExitCodes.DataError;
        }
    }

    /// <summary>A Spectre console on stderr, so progress never mixes with --json output on stdout.</summary>
    public static IAnsiConsole ErrorConsole { get; } =
        AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });

    /// <summary>Shows a progress bar with rate and ETA on stderr while <paramref name="work"/> runs.</summary>
    public static T WithProgress<T>(string description, Func<Action<int, int>, T> work) =>
        CliProgress.Instance.Step(description, step => work(step.Progress));

    /// <summary>The enum value whose JSON name is <paramref name="value"/>; a usage error naming the option and the allowed names otherwise.</summary>
    public static T ParseWireName<T>(string option, string value) where T : struct, Enum =>
        Enum.GetValues<T>().Where(v => WireName.Of(v) == value).Select(v => (T?)v).FirstOrDefault()
        ?? throw new UsageException($"{option} is '{value}'; use {WireName.AllOf(typeof(T))}.");
}
