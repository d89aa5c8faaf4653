using System.CommandLine;
using System.Text.Json;
using FerMlNet.Preprocessing;
using FerMlNet.Core.IO;
using FerMlNet.Lifecycle.Reports;
using FerMlNet.Lifecycle.Runs;
using Spectre.Console;

namespace FerMlNet.Cli;

/// <summary>`fer compare RUNDIR... --out DIR`: leaderboard.html, leaderboard.json, leaderboard.md.</summary>
internal static class CompareCommand
{
    public static Command Create()
    {
        var runs = new Argument<string[]>("runs") { Description = "Run folders (from fer train; RUNDIR/test/metrics.json adds test accuracy).", Arity = ArgumentArity.ZeroOrMore };
        var carry = new Option<string?>("--carry") { Description = "An earlier leaderboard.json whose rows are kept, marked †, where their run folders are not given (a run given here is measured anew)." };
        var outDir = new Option<string>("--out") { Description = "Folder for the leaderboard files.", Required = true };
        var force = new Option<bool>("--force") { Description = "Replace existing leaderboard files." };
        var scoreAnswers = new Option<bool>("--score-answers")
        {
            Description = "Score the validation answers of runs trained before fer train wrote val-answers.json (from their model.zip, " +
                          "written into the run folder), so they are compared face by face too.",
        };
        var command = new Command("compare", "AutoML-style leaderboard over training runs: accuracy with CI, macro-F1, gap, cost, latency.")
        {
            runs, outDir, force, carry, scoreAnswers,
        };
        command.SetAction(parse => FerCommandLine.Guard(() =>
        {
            var runDirs = parse.GetValue(runs) ?? [];
            var earlierBoard = parse.GetValue(carry);
            if (runDirs.Length == 0 && earlierBoard is null)
                throw new UsageException("give at least one run folder, or an earlier leaderboard with --carry.");
            var earlier = earlierBoard is null ? null : LeaderboardFile.Load(earlierBoard).Rows;
            var dir = CliData.PrepareReportFolder(parse.GetValue(outDir)!, parse.GetValue(force), "leaderboard.html", LeaderboardFile.FileName, "leaderboard.md");
            if (parse.GetValue(scoreAnswers)) RunAnswers.ScoreMissing(runDirs, ExperimentCommand.ScoringAnswersNote);
            var rows = FerCommandLine.WithProgress("Reading runs, measuring latency", _ => Leaderboard.Collect(runDirs));
            if (earlier is not null) rows = Leaderboard.CarryOver(rows, earlier, earlierBoard!);
            Console.Write(Leaderboard.WriteFiles(dir, rows));
            AnsiConsole.MarkupLine($"→ {Markup.Escape(dir)}");
            return ExitCodes.Success;
        }));
        return command;
    }
}
