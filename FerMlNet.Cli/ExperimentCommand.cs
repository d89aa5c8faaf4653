using System.CommandLine;
using FerMlNet.Preprocessing;
using FerMlNet.Core.Data;
using FerMlNet.Core.IO;
using FerMlNet.Core.Quality;
using FerMlNet.Lifecycle.Runs;
using FerMlNet.Training.Engine;
using FerMlNet.Lifecycle.Experiments;
using FerMlNet.Lifecycle.Reports;
using Spectre.Console;

namespace FerMlNet.Cli;

/// <summary>
/// `fer experiment --out DIR`: the notebook's journey on the embedded data within a stated CPU budget — Model 0 on the
/// original splits; A, B, C, B+, B++, D, gray, RGB and ResNet18 transfer on the leakage-free split (made with seed 42
/// when missing) — then
/// DIR/leaderboard.* and DIR/answers.md. Resumable: a finished run (run.json) is skipped, an interrupted one continues
/// from its checkpoint.
/// </summary>
internal static class ExperimentCommand
{
    public static Command Create()
    {
        var outDir = new Option<string>("--out") { Description = "Experiment folder (one run folder per experiment).", Required = true };
        var data = new Option<string>("--data") { Description = "The original dataset.", DefaultValueFactory = _ => "datasets/fer4-mit" };
        var clean = new Option<string>("--clean") { Description = "Leakage-free split; made from --data with seed 42 when missing.", DefaultValueFactory = _ => "datasets/fer4-clean" };
        var epochs = new Option<int>("--epochs") { Description = "Cap on each run's epochs.", DefaultValueFactory = _ => 3 };
        var minutes = new Option<double>("--budget-minutes") { Description = "Cap on each run's training CPU minutes (process CPU time ÷ cores, so other work on the machine does not eat the budget; stops with the best weights).", DefaultValueFactory = _ => 10 };
        var only = new Option<string?>("--only") { Description = "Comma-separated run names to do now (default: all)." };
        var precision = new Option<string>("--precision")
        {
            Description = "Precision of the CNN runs: fp32, or bf16 where the CPU has bf16 kernels (fp32 elsewhere, with a note).",
            DefaultValueFactory = _ => WireName.Of(TrainingPrecision.Fp32),
        };
        var patience = new Option<int?>("--patience")
        {
            Description = "Stop each CNN run after this many epochs without a better validation accuracy, keeping the best " +
                          "epoch's weights (default: each pipeline's own early stopping, if any).",
        };
        var command = new Command("experiment", "The notebook's model journey within a CPU budget, then leaderboard and answers.md.")
        {
            outDir, data, clean, epochs, minutes, only, precision, patience,
        };
        command.SetAction(parse => FerCommandLine.Guard(() =>
        {
            int epochCap = parse.GetValue(epochs);
            double minuteCap = parse.GetValue(minutes);
            if (epochCap < 1 || minuteCap <= 0) throw new UsageException("--epochs and --budget-minutes must be positive.");
            var cnnPrecision = FerCommandLine.ParseWireName<TrainingPrecision>("--precision", parse.GetValue(precision)!);
            int? stopAfter = parse.GetValue(patience);
            if (stopAfter is < 1) throw new UsageException("--patience must be at least 1.");
            var dir = Path.GetFullPath(parse.GetValue(outDir)!);
            var cleanRoot = parse.GetValue(clean)!;
            if (!Directory.Exists(cleanRoot))
            {
                AnsiConsole.MarkupLine($"Making the leakage-free split {Markup.Escape(cleanRoot)} (seed 42)...");
                SplitCommand.WriteSplit(parse.GetValue(data)!, cleanRoot, new SplitOptions { Seed = 42 }, new AuditOptions());
            }
            var wanted = parse.GetValue(only)?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet();
            foreach (var run in ExperimentPlan.Journey.Where(r => wanted is null || wanted.Contains(r.Name)))
            {
                var runDir = Path.Combine(dir, run.Name);
                if (File.Exists(Path.Combine(runDir, RunRecord.FileName)))
                {
                    AnsiConsole.MarkupLine($"[grey]{run.Name}: done, skipped[/]");
                    continue;
                }
                var options = PipelineOptions.LoadByNameOrPath(run.Pipeline);
                options.Name = run.Name;
                options.Dataset = run.OriginalSplits ? parse.GetValue(data)! : cleanRoot;
                // The cap is for CNNs; a transfer head trains on cached features in seconds per epoch.
                if (options.Architecture != PipelineOptions.TransferArchitecture)
                {
                    options.Epochs = Math.Min(options.Epochs, epochCap);
                    options.Precision = cnnPrecision;
                    if (stopAfter is { } n) options.EarlyStopping = new EarlyStoppingOptions { Patience = n, RestoreBest = true };
                }
                bool resume = File.Exists(Path.Combine(runDir, "checkpoint.bin"));
                AnsiConsole.MarkupLine($"[bold]{run.Name}[/]: {run.Pipeline} on {Markup.Escape(options.Dataset)}, ≤ {options.Epochs} epochs, " +
                                       $"≤ {minuteCap} CPU min{(resume ? ", resuming" : "")}");
                try
                {
                    TrainCommand.Run(options, runDir, new TrainerRunOptions { Resume = resume, MaxMinutes = minuteCap, CountCpuMinutes = true });
                }
                catch (NoEpochFinishedException e)
                {
                    // Not recorded as done: the leaderboard and answers leave it out, and a rerun with a larger
                    // budget trains it.
                    AnsiConsole.MarkupLine($"[yellow]{Markup.Escape(e.Message)}[/]");
                }
            }
            var runDirs = ExperimentPlan.Journey.Select(r => Path.Combine(dir, r.Name))
                .Where(d => File.Exists(Path.Combine(d, RunRecord.FileName))).ToList();
            if (runDirs.Count == 0) return ExitCodes.Success;
            // The answers compare runs face by face; a run trained before `fer train` wrote its validation answers is
            // scored once from its model.zip (seconds for these networks).
            RunAnswers.ScoreMissing(runDirs, ScoringAnswersNote);
            var board = Leaderboard.Collect(runDirs);
            Leaderboard.WriteFiles(dir, board);
            string budget = $"each run at most {epochCap} epochs and {minuteCap} training CPU minutes (CPU time ÷ cores) on {Environment.ProcessorCount} CPU cores" +
                (stopAfter is { } p ? $", stopped after {p} epochs without a better validation accuracy" : "") +
                (cnnPrecision == TrainingPrecision.Bf16 ? ", CNNs trained in bf16 where the CPU has bf16 kernels" : "");
            // Q1's explanation is the audit's count of validation images with a copy in train, on the original splits.
            var audit = DatasetAudit.Run(CliData.LoadAsIs(parse.GetValue(data)!).Data);
            int leakedIntoVal = audit.LeakedEvaluationImages()[DatasetSplit.Val.ToName()];
            AtomicFile.WriteAllText(Path.Combine(dir, "answers.md"), ExperimentAnswers.Build(dir, budget, board, leakedIntoVal, audit.Options));
            AnsiConsole.MarkupLine($"→ {Markup.Escape(Path.Combine(dir, "answers.md"))}");
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>The line printed before a run's validation answers are scored from its model.zip.</summary>
    internal static void ScoringAnswersNote(string runDir) =>
        AnsiConsole.MarkupLine($"[grey]{Markup.Escape(Path.GetFileName(runDir))}: scoring its validation answers from model.zip[/]");
}
