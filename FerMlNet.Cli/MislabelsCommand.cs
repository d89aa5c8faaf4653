using System.CommandLine;
using System.Security.Cryptography;
using System.Text;
using FerMlNet.Core.Labels;
using FerMlNet.Core.Quality;
using FerMlNet.Training.Engine;
using FerMlNet.Lifecycle.Quality;
using Spectre.Console;

namespace FerMlNet.Cli;

/// <summary>`fer data mislabels DATASET --out DIR`: k-fold confident learning; `fer data relabel`: apply decisions.</summary>
internal static class MislabelsCommand
{
    public static Command Create()
    {
        var dataset = new Argument<string>("dataset") { Description = "Dataset root." };
        var outDir = new Option<string>("--out") { Description = "Folder for mislabels.json, mislabels.html, decisions.csv.", Required = true };
        var folds = new Option<int>("--folds") { Description = "Number of folds.", DefaultValueFactory = _ => 5 };
        var pipeline = new Option<string>("--pipeline") { Description = "Pipeline trained per fold.", DefaultValueFactory = _ => "mislabel-folds" };
        var epochs = new Option<int?>("--epochs") { Description = "Override the pipeline's epochs." };
        var budget = new Option<double>("--budget-minutes") { Description = "CPU budget for all folds (0 = none); each fold stops cleanly at its share." };
        var seed = new Option<int>("--seed") { Description = "Fold assignment seed.", DefaultValueFactory = _ => 42 };
        var threads = new Option<int>("--threads") { Description = "Torch threads (0 = default)." };
        var lift = new Option<double>("--min-accuracy-lift")
        {
            Description = "Write flags only when out-of-fold accuracy beats always answering the largest class by this much (0 = always write).",
            DefaultValueFactory = _ => MislabelOptions.DefaultMinimumAccuracyLift,
        };
        var force = new Option<bool>("--force") { Description = "Replace existing reports in --out." };
        var split = new Option<string>("--split")
        {
            Description = "Only this split is folded, trained on and flagged (train leaves validation and test labels as they are), or all.",
            DefaultValueFactory = _ => "all",
        };
        var cmd = new Command("mislabels", "Model-assisted mislabel detection (k-fold confident learning); resumes after a kill.")
        {
            dataset, outDir, folds, pipeline, epochs, budget, seed, threads, force, split, lift,
        };
        cmd.SetAction(parse => FerCommandLine.Guard(() =>
        {
            var options = new MislabelOptions
            {
                Folds = parse.GetValue(folds), Seed = parse.GetValue(seed), BudgetMinutes = parse.GetValue(budget),
                Threads = parse.GetValue(threads), MinimumAccuracyLift = parse.GetValue(lift),
            };
            if (options.Folds is < 2 or > 20) throw new UsageException("--folds must be between 2 and 20.");
            if (options.MinimumAccuracyLift is < 0 or >= 1) throw new UsageException("--min-accuracy-lift must be at least 0 and below 1.");
            var pipe = PipelineOptions.LoadByNameOrPath(parse.GetValue(pipeline)!);
            if (parse.GetValue(epochs) is { } e) pipe.Epochs = e > 0 ? e : throw new UsageException("--epochs must be positive.");
            var dir = CliData.PrepareReportFolder(parse.GetValue(outDir)!, parse.GetValue(force), "mislabels.json", "decisions.csv");
            var (index, data) = CliData.LoadAsIs(parse.GetValue(dataset)!, CliData.ParseSplit(parse.GetValue(split)!));
            var audit = DatasetAudit.Run(data);
            options.WorkDirectory = WorkFolder(dir, data.ContentKey, pipe, options);
            if (Bf16Support.FallbackNote(pipe, TrainingDevice.Cpu) is { } fallback) AnsiConsole.MarkupLine($"[yellow]{Markup.Escape(fallback)}[/]");
            var result = FerCommandLine.WithProgress($"Training {options.Folds} folds", report =>
            {
                options.Progress = (k, p) => report(k * p.Epochs * p.Batches + (p.Epoch - 1) * p.Batches + p.Batch,
                    options.Folds * p.Epochs * p.Batches);
                return MislabelDetector.Run(data, audit, pipe, options);
            });
            if (!result.BeatsConstantAnswerBy(options.MinimumAccuracyLift))
                throw new WeakFoldModelException(
                    $"out-of-fold accuracy {result.OutOfFoldAccuracy:P1} is less than {options.MinimumAccuracyLift * 100:0.#} points above " +
                    $"the {result.ConstantAnswerAccuracy:P1} that always answering '{Preprocessing.EmotionClasses.Names[result.LargestClass]}' scores: " +
                    $"the fold models ({pipe.Name}, {pipe.Epochs} epochs{(options.BudgetMinutes > 0 ? $", {options.BudgetMinutes} CPU minutes" : "")}) " +
                    "learnt too little for their flags to mean anything, so none are written. Give them more epochs or minutes " +
                    "(--epochs, --budget-minutes) or a stronger --pipeline; --min-accuracy-lift 0 writes the flags anyway. " +
                    "The folds are kept: a rerun with the same data, pipeline and budget reuses them.");
            var crowd = CrowdCheck(index, data, result);
            var file = MislabelReport.Write(dir, data, result, pipe.Name, options, crowd);
            AnsiConsole.MarkupLine($"out-of-fold accuracy {result.OutOfFoldAccuracy:P1}; {result.Flagged.Count:N0} of {data.Count:N0} images flagged " +
                                   $"({Markup.Escape(string.Join(", ", file.ByPair.Select(kv => $"{kv.Key} {kv.Value}")))}).");
            if (crowd?.Check is { WithVotes: > 0 } c) AnsiConsole.MarkupLine(Markup.Escape(MislabelReport.CrowdSentence(c)));
            AnsiConsole.MarkupLine($"Review [bold]{Markup.Escape(Path.Combine(dir, "mislabels.html"))}[/], fill decisions.csv, then `fer data relabel`.");
            return ExitCodes.Success;
        }));
        return cmd;
    }

    /// <summary>
    /// The top flags judged by the FER+ crowd when the vote file is here and belongs to these images (FER-2013 faces
    /// named by their row); null otherwise — a user's own faces have no crowd to ask.
    /// </summary>
    private static (CrowdFlagCheck Check, CrowdVoteTable Votes)? CrowdCheck(Core.Data.DatasetIndex index, Core.Data.DecodedDataset data,
        MislabelResult result)
    {
        var (agreement, votes) = CliData.CrowdAgreementOf(index);
        if (agreement is not { Applies: true }) return null;
        var flags = result.Flagged.Select(f => (f.Path, f.Given, f.Suggested));
        var all = Enumerable.Range(0, data.Count).Select(i => (data.RelativePaths[i], data.Labels[i]));
        return (CrowdFlagCheck.Of(flags, all, votes!), votes!);
    }

    /// <summary>
    /// The folder of fold checkpoints, named by everything that shapes the folds (data, pipeline, epochs, k, seed, flips):
    /// a rerun with the same inputs resumes, other inputs start fresh instead of mixing stale folds in.
    /// </summary>
    private static string WorkFolder(string dir, string contentKey, PipelineOptions pipe, MislabelOptions options)
    {
        var key = $"{contentKey};{System.Text.Json.JsonSerializer.Serialize(pipe)};{options.Folds};{options.Seed};{options.BudgetMinutes}" +
                  (options.AverageFlips ? ";flips" : "");
        var tag = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..16];
        return Directory.CreateDirectory(Path.Combine(dir, "work", tag)).FullName;
    }

    public static Command CreateRelabel()
    {
        var dataset = new Argument<string>("dataset") { Description = "Dataset root (only read)." };
        var decisions = new Option<string>("--decisions") { Description = "decisions.csv filled by a reviewer.", Required = true };
        var outDir = new Option<string>("--out") { Description = "New dataset root (must not exist or be empty).", Required = true };
        var cmd = new Command("relabel", "Apply a decisions file (keep / relabel:CLASS / remove) into a new dataset tree with manifest.json.")
        {
            dataset, decisions, outDir,
        };
        cmd.SetAction(parse => FerCommandLine.Guard(() =>
        {
            var index = Core.Data.DatasetReader.Read(parse.GetValue(dataset)!, new Core.Data.DatasetReaderOptions { CreateValidationWhenMissing = false });
            RelabelManifest manifest;
            try { manifest = Relabeler.Apply(index, parse.GetValue(decisions)!, parse.GetValue(outDir)!); }
            catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException) { throw new UsageException(e.Message); }
            var d = manifest.Decisions;
            AnsiConsole.MarkupLine($"{manifest.Images} images in [bold]{Markup.Escape(parse.GetValue(outDir)!)}[/]: " +
                                   $"{d.Relabel} relabelled, {d.Remove} removed, {d.Keep} kept as they were.");
            return ExitCodes.Success;
        }));
        return cmd;
    }
}
