using System.CommandLine;
using Spectre.Console;

namespace FerMlNet.Cli;

/// <summary>`fer report DIR`: (re)writes DIR/report.html from DIR/metrics.json and, for a training run, DIR/history.json.</summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var dir = new Argument<string>("dir") { Description = "A training run folder or an evaluate --out folder." };
        var command = new Command("report", "Rewrite report.html of a run or evaluation from its metrics.json (and history.json).") { dir };
        command.SetAction(parse => FerCommandLine.Guard(() =>
        {
            var folder = Path.GetFullPath(parse.GetValue(dir)!);
            if (!File.Exists(Path.Combine(folder, "metrics.json")))
                throw new FileNotFoundException($"'{Path.Combine(folder, "metrics.json")}' does not exist; give a run or evaluation folder.");
            var path = FerMlNet.Lifecycle.Reports.RunReport.Write(folder, Path.GetFileName(folder));
            AnsiConsole.MarkupLine($"→ {Markup.Escape(path)}");
            return ExitCodes.Success;
        }));
        return command;
    }
}
