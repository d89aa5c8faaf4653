using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using FerMlNet.Core.Data;
using FerMlNet.Core.IO;
using FerMlNet.Core.Labels;
using FerMlNet.Preprocessing;
using FerMlNet.Training.Engine;
using FerMlNet.Training.MlNet;
using FerMlNet.Training.Runs;
using Spectre.Console;

namespace FerMlNet.Cli;

/// <summary>`fer train PIPELINE`: trains one pipeline and writes model.zip, model.onnx, history.json, metrics.json, run.json, report.html.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var pipeline = new Argument<string>("pipeline") { Description = "Pipeline name or file, e.g. model-bplusplus or pipelines/notebook/model-bplusplus.json." };
        var data = new Option<string?>("--data") { Description = "Dataset root (default: the pipeline's dataset)." };
        var output = new Option<string?>("--out") { Description = "Run folder (default: runs/<pipeline name>)." };
        var epochs = new Option<int?>("--epochs") { Description = "Override the pipeline's maximum epochs." };
        var maxMinutes = new Option<double>("--max-minutes") { Description = "Stop cleanly with the best weights once the run has trained M minutes (wall clock, counted across --resume)." };
        var resume = new Option<bool>("--resume") { Description = "Continue from RUNDIR/checkpoint.bin after an interruption." };
        var threads = new Option<int>("--threads") { Description = "Intra-op threads (default: one per core)." };
        var device = new Option<TrainingDevice>("--device") { Description = "cpu or cuda (a CUDA build of libtorch).", DefaultValueFactory = _ => TrainingDevice.Cpu };
        var cmd = new Command("train", "Train one pipeline; writes model.zip, model.onnx, history.json, metrics.json, run.json, report.html.")
        {
            pipeline, data, output, epochs, maxMinutes, resume, threads, device,
        };
        cmd.SetAction(parse => FerCommandLine.Guard(() =>
        {
            var options = PipelineOptions.LoadByNameOrPath(parse.GetValue(pipeline)!);
            if (parse.GetValue(epochs) is { } e) options.Epochs = e;
            if (parse.GetValue(data) is { } d) options.Dataset = d;
            options.Validate(parse.GetValue(pipeline)!);
            RequirePrerequisiteRuns(options);
            var runDir = parse.GetValue(output) ?? Path.Combine("runs", options.Name);
            if (!parse.GetValue(resume) && File.Exists(Path.Combine(runDir, "model.zip")))
                throw new UsageException($"'{runDir}' already holds a trained model; choose another --out, or --resume.");
            Run(options, runDir, new TrainerRunOptions
            {
                Resume = parse.GetValue(resume),
                MaxMinutes = parse.GetValue(maxMinutes),
                Threads = parse.GetValue(threads),
                Device = parse.GetValue(device),
            });
            return ExitCodes.Success;
        }));
        return cmd;
    }

    /// <summary>
    /// Refuses, before any image is decoded, a pipeline whose warm-start run or distillation teachers have no
    /// checkpoint, naming the key and the command that trains the run (run folders are not in the repository).
    /// </summary>
    internal static void RequirePrerequisiteRuns(PipelineOptions options)
    {
        foreach (var (key, run) in options.PrerequisiteRuns())
        {
            var checkpoint = Checkpoint.InRun(run);
            if (File.Exists(checkpoint)) continue;
            var how = PipelineCatalog.OfRunFolder(run) is { } name ? $"./fer train {name} --data {options.Dataset} --out {run}" : "fer train its pipeline with --out there";
            throw new UsageException($"{key} '{run}' has no checkpoint ({checkpoint}); train that run first: {how}.");
        }
        if (options.Distillation?.TeacherModel is { } model && !File.Exists(model))
            throw new UsageException($"distillation.teacherModel '{model}' does not exist (a model.zip or .onnx written by " +
                "`fer train` or `fer publish`, such as models/fer-default.onnx).");
    }

    /// <summary>
    /// Creates the run folder, reads the pipeline's dataset (which must have train and val splits) and decodes it
    /// through the cache, reporting every image it had to skip.
    /// </summary>
    internal static (DatasetIndex Index, DecodedDataset Decoded) LoadSplitDataset(PipelineOptions options, string runDir)
    {
        Directory.CreateDirectory(runDir);
        var index = DatasetReader.Read(options.Dataset);
        if (!index.IsSplit) throw new DatasetException($"'{options.Dataset}' has no train/val splits; training needs them.");
        var decoded = FerCommandLine.WithProgress("Decoding images", report => DecodedDatasetCache.Load(index, progress: report));
        foreach (var f in decoded.Failures)
            Console.Error.WriteLine($"skipped {f.Path}: {f.Reason}");
        return (index, decoded);
    }

    /// <summary>
    /// One split with the pipeline's targets: folder labels, or with <paramref name="votes"/> the crowd's (saying what
    /// was left out and why).
    /// </summary>
    internal static TrainingData TrainingSplit(PipelineOptions options, DecodedDataset decoded, DatasetSplit split, CrowdVoteTable? votes)
    {
        var indices = decoded.IndicesOf(split);
        if (votes is null) return TrainingData.From(decoded, indices);
        var data = CrowdTargets.Select(decoded, indices, options.Labels, votes, split == DatasetSplit.Val, out var kept);
        Console.Error.WriteLine($"labels ({options.Labels.Target.ToString().ToLowerInvariant()}, {votes.Path}): {split.ToName()} keeps " +
            $"{kept.Kept:N0} of {indices.Length:N0} faces ({kept.WithoutVotes:N0} without votes, {kept.BelowShare:N0} below the " +
            $"four-class share, {kept.WithoutMajority:N0} without a crowd majority)");
        if (kept.WithoutVotes > 0)
            throw new DatasetException($"{kept.WithoutVotes:N0} {split.ToName()} faces of '{options.Dataset}' have no row in the vote " +
                $"file '{votes.Path}': crowd targets need FER-2013 faces whose file names end in their row index.");
        return data;
    }

    /// <summary>The whole job: read, decode (cached), train with checkpoints, export, evaluate, write the run files.</summary>
    public static RunRecord Run(PipelineOptions options, string runDir, TrainerRunOptions run)
    {
        if (options.Architecture == PipelineOptions.TransferArchitecture) return TransferRun.Run(options, runDir);
        var (index, decoded) = LoadSplitDataset(options, runDir);
        var votes = options.Labels.UsesVotes ? CrowdTargets.LoadVotes(options.Labels) : null;
        using var train = TrainingSplit(options, decoded, DatasetSplit.Train, votes);
        using var val = TrainingSplit(options, decoded, DatasetSplit.Val, votes);
        Console.Error.WriteLine($"{options.Name}: {options.Architecture}, train {train.Count:N0} / val {val.Count:N0} images, " +
            $"up to {options.Epochs} epochs of batch {options.BatchSize}");
        if (options.Distillation?.TeacherModel is { } teacher)
            Console.Error.WriteLine($"distillation: {teacher} answers the {train.Count:N0} training faces once before the first epoch");

        run.CheckpointDirectory = runDir;
        var started = DateTime.UtcNow;
        TrainingResult result = null!;
        FerCommandLine.ErrorConsole.Progress().AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("training", maxValue: 1);
                run.Progress = p =>
                {
                    task.MaxValue = (double)p.Epochs * p.Batches;
                    task.Value = (double)(p.Epoch - 1) * p.Batches + p.Batch;
                    task.Description = $"epoch {p.Epoch}/{p.Epochs} loss {p.RunningLoss:F3} acc {p.RunningAccuracy:P1} {p.ImagesPerSecond:F0} img/s";
                };
                run.EpochEnd = r => FerCommandLine.ErrorConsole.MarkupLine(
                    $"epoch {r.Epoch}: loss {r.Loss:F4} acc {r.Accuracy:P2} | val_loss {r.ValLoss:F4} val_acc [bold]{r.ValAccuracy:P2}[/] " +
                    (r.TrainedValAccuracy is { } trained ? $"(averaged; trained weights {trained:P2}) " : "") +
                    $"| lr {r.LearningRate:E2} | {r.ImagesPerSecond:F0} img/s");
                result = CnnTrainer.Train(options, train, val, run);
            });
        if (result.State.History.Count == 0)
        {
            result.Network.Dispose();
            throw new NoEpochFinishedException($"{options.Name}: {result.State.StopReason}, before the first epoch finished; " +
                $"nothing was trained, so no model is written to '{runDir}'. Allow more minutes.");
        }

        var metadata = new Dictionary<string, string>
        {
            ["fermlnet.pipeline"] = options.Name,
            ["fermlnet.preprocessing"] = PreprocessingContract.Version,
            ["fermlnet.labels"] = "happy,neutral,sad,surprise",
            ["fermlnet.bestEpoch"] = result.State.BestEpoch.ToString(),
        };
        var model = ModelFiles.Write(result.Network, Path.Combine(runDir, "model.onnx"), Path.Combine(runDir, "model.zip"), metadata);
        AtomicFile.WriteAllText(Path.Combine(runDir, "history.json"), JsonSerializer.Serialize(result.State.History, ReportJson.IndentedCamelCase));
        var gap = FerMlNet.Training.Reports.GapDiagnosis.FromHistory(result.State.History);
        var metrics = FerCommandLine.WithProgress("Evaluating (validation)", _ => MlNetEvaluation.Evaluate(model, index, DatasetSplit.Val))
            with { TrainValGap = gap };
        metrics.Write(Path.Combine(runDir, "metrics.json"));
        var (total, trainable) = result.Network.CountParameters();
        var record = new RunRecord
        {
            Pipeline = JsonNode.Parse(options.ToJson())!.AsObject(),
            Dataset = index.Root,
            DatasetContentKey = decoded.ContentKey,
            TrainImages = train.Count,
            ValImages = val.Count,
            Params = total,
            TrainableParams = trainable,
            EpochsRun = result.State.EpochsDone,
            BestEpoch = result.State.BestEpoch,
            BestValAccuracy = result.State.BestValAccuracy,
            StopReason = result.State.StopReason,
            ClassWeights = result.ClassWeights,
            StartedUtc = started,
            TrainSeconds = result.State.History.Sum(h => h.Seconds),
            ImagesPerSecond = result.State.History.Count == 0 ? 0 : result.State.History.Average(h => h.ImagesPerSecond),
            Gap = gap,
            // Read by `fer compare`: before 2026-12-03 a mixed run's train accuracy scored blends against one label.
            TrainAccuracyCounts = options.Mix is null ? "all batches" : "unmixed batches",
            // A teacher file may be replaced later (fer publish --force over models/fer-default.*): say which one taught.
            TeacherModelSha256 = options.Distillation?.TeacherModel is { } teacherModel ? FileHash.Sha256(teacherModel) : null,
        };
        record.Write(runDir);
        FerMlNet.Training.Reports.RunReport.Write(runDir, $"{options.Name}: training run");
        AnsiConsole.MarkupLine($"[green]{Markup.Escape(options.Name)}[/]: best val_accuracy {result.State.BestValAccuracy:P2} " +
            $"at epoch {result.State.BestEpoch} ({result.State.StopReason}); ML.NET validation accuracy " +
            $"{metrics.Accuracy:P2} on {metrics.Images:N0} images → {Markup.Escape(runDir)}");
        return record;
    }
}
