using System.CommandLine;
using System.Text.Json;
using FerMlNet.Core.IO;
using FerMlNet.Training.Reports;
using Spectre.Console;

namespace FerMlNet.Training.Cli;

/// <summary>`fer compare RUNDIR... --out DIR`: leaderboard.html, leaderboard.json, leaderboard.md.</summary>
internal static class CompareCommand
{
    public static Command Create()
    {
        var runs = new Argument<string[]>("runs") { Description = "Run folders (from fer train; RUNDIR/test/metrics.json adds test accuracy).", Arity = ArgumentArity.OneOrMore };
        var outDir = new Option<string>("--out") { Description = "Folder for the leaderboard files.", Required = true };
        var force = new Option<bool>("--force") { Description = "Replace existing leaderboard files." };
        var command = new Command("compare", "AutoML-style leaderboard over training runs: accuracy with CI, macro-F1, gap, cost, latency.")
        {
            runs, outDir, force,
        };
        command.SetAction(parse => FerCommandLine.Guard(() =>
        {
            var dir = CliData.PrepareReportFolder(parse.GetValue(outDir)!, parse.GetValue(force), "leaderboard.html", "leaderboard.json", "leaderboard.md");
            var rows = FerCommandLine.WithProgress("Reading runs, measuring latency", _ => Leaderboard.Collect(parse.GetValue(runs)!));
            var markdown = Leaderboard.Markdown(rows);
            AtomicFile.WriteAllText(Path.Combine(dir, "leaderboard.json"),
                JsonSerializer.Serialize(rows, new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true }));
            AtomicFile.WriteAllText(Path.Combine(dir, "leaderboard.md"), markdown);
            AtomicFile.WriteAllText(Path.Combine(dir, "leaderboard.html"), Leaderboard.Html(rows));
            Console.Write(markdown);
            AnsiConsole.MarkupLine($"→ {Markup.Escape(dir)}");
            return ExitCodes.Success;
        }));
        return command;
    }
}
