using System.Text.Json;
using System.Text.Json.Nodes;
using FerMlNet.Core.Data;
using FerMlNet.Core.IO;
using FerMlNet.Core.Labels;
using FerMlNet.Preprocessing;
using FerMlNet.Training.Engine;
using FerMlNet.Training.MlNet;
using FerMlNet.Lifecycle.Evaluation;
using FerMlNet.Lifecycle.Reports;
using FerMlNet.Training.Transfer;

namespace FerMlNet.Lifecycle.Runs;

/// <summary>
/// The whole job of `fer train PIPELINE`: read the dataset and decode it (cached), build the pipeline's targets
/// (folder labels or the crowd's votes), train with checkpoints, export model.onnx and model.zip, evaluate on
/// validation, and write history.json, metrics.json, run.json and report.html into the run folder.
/// </summary>
public static class TrainingJob
{
    /// <summary>The whole job: read, decode (cached), train with checkpoints, export, evaluate, write the run files.</summary>
    public static TrainingJobResult Run(PipelineOptions options, string runDir, TrainerRunOptions run, IStepProgress? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        progress ??= SilentProgress.Instance;
        if (options.Architecture == PipelineOptions.TransferArchitecture) return RunTransfer(options, runDir, progress);
        var (index, decoded) = LoadSplitDataset(options, runDir, progress);
        var votes = options.Labels.UsesVotes ? CrowdTargets.LoadVotes(options.Labels) : null;
        using var train = TrainingSplit(options, decoded, DatasetSplit.Train, votes, progress);
        using var val = TrainingSplit(options, decoded, DatasetSplit.Val, votes, progress);
        progress.Note($"{options.Name}: {options.Architecture}, train {train.Count:N0} / val {val.Count:N0} images, " +
            $"up to {options.Epochs} epochs of batch {options.BatchSize}");
        if (Bf16Support.FallbackNote(options, run.Device) is { } fallback) progress.Note(fallback);
        if (options.Distillation?.TeacherModel is { } teacher)
            progress.Note($"distillation: {teacher} answers the {train.Count:N0} training faces once before the first epoch");

        run.CheckpointDirectory = runDir;
        var started = DateTime.UtcNow;
        var result = progress.Step("training", step =>
        {
            // The caller's own callbacks still run; the step shows the running figures and notes each epoch.
            var (onBatch, onEpoch) = (run.Progress, run.EpochEnd);
            run.Progress = p =>
            {
                step.Progress((p.Epoch - 1) * p.Batches + p.Batch, p.Epochs * p.Batches);
                step.Status($"epoch {p.Epoch}/{p.Epochs} loss {p.RunningLoss:F3} acc {p.RunningAccuracy:P1} {p.ImagesPerSecond:F0} img/s");
                onBatch?.Invoke(p);
            };
            run.EpochEnd = r =>
            {
                progress.Note($"epoch {r.Epoch}: loss {r.Loss:F4} acc {r.Accuracy:P2} | val_loss {r.ValLoss:F4} val_acc {r.ValAccuracy:P2} " +
                    (r.TrainedValAccuracy is { } trained ? $"(averaged; trained weights {trained:P2}) " : "") +
                    $"| lr {r.LearningRate:E2} | {r.ImagesPerSecond:F0} img/s");
                onEpoch?.Invoke(r);
            };
            return CnnTrainer.Train(options, train, val, run);
        });
        if (result.State.History.Count == 0)
        {
            result.Network.Dispose();
            throw new NoEpochFinishedException($"{options.Name}: {result.State.StopReason}, before the first epoch finished; " +
                $"nothing was trained, so no model is written to '{runDir}'. Allow more minutes.");
        }
        using var network = result.Network;

        var metadata = new Dictionary<string, string>
        {
            ["fermlnet.pipeline"] = options.Name,
            ["fermlnet.preprocessing"] = PreprocessingContract.Version,
            ["fermlnet.labels"] = string.Join(",", EmotionClasses.Names),
            ["fermlnet.bestEpoch"] = result.State.BestEpoch.ToString(),
        };
        using var model = ModelFiles.Write(network, Path.Combine(runDir, "model.onnx"), Path.Combine(runDir, "model.zip"), metadata);
        AtomicFile.WriteAllText(Path.Combine(runDir, "history.json"), JsonSerializer.Serialize(result.State.History, ReportJson.IndentedCamelCase));
        var gap = GapDiagnosis.FromHistory(result.State.History);
        var (metrics, answers) = progress.Step("Evaluating (validation)", _ => MlNetEvaluation.EvaluateWithAnswers(model, index, DatasetSplit.Val));
        metrics = metrics with { TrainValGap = gap };
        metrics.Write(Path.Combine(runDir, "metrics.json"));
        answers.Write(Path.Combine(runDir, SplitAnswers.ValFileName));
        var (total, trainable) = network.CountParameters();
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
            Precision = result.Precision,
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
        RunReport.Write(runDir, $"{options.Name}: training run");
        return new TrainingJobResult(Path.GetFullPath(runDir), record, metrics);
    }

    /// <summary>A transfer pipeline: features (cached), head, and the same run files as a CNN run except the model.</summary>
    private static TrainingJobResult RunTransfer(PipelineOptions options, string runDir, IStepProgress progress)
    {
        var (index, decoded) = LoadSplitDataset(options, runDir, progress);
        var started = DateTime.UtcNow;
        var result = progress.Step("ResNet18 features (cached after the first run), then the head", step =>
            TransferTrainer.Train(options, decoded, DecodedDatasetCache.DefaultDirectory, step.Progress));
        var valRelativePaths = decoded.IndicesOf(DatasetSplit.Val).Select(i => decoded.RelativePaths[i]).ToList();
        var valPaths = valRelativePaths.Select(p => Path.Combine(decoded.Root, p)).ToList();
        var gap = GapDiagnosis.FromHistory(result.History);
        var metrics = MlNetEvaluation.FromScores(result.ValScores, result.ValTruth, DatasetSplit.Val, paths: valPaths) with { TrainValGap = gap };
        if (result.History.Count > 0)
            AtomicFile.WriteAllText(Path.Combine(runDir, "history.json"), JsonSerializer.Serialize(result.History, ReportJson.IndentedCamelCase));
        metrics.Write(Path.Combine(runDir, "metrics.json"));
        SplitAnswers.Of(DatasetSplit.Val.ToName(), valRelativePaths, result.ValTruth, result.ValScores)
            .Write(Path.Combine(runDir, SplitAnswers.ValFileName));
        var record = new RunRecord
        {
            Pipeline = JsonNode.Parse(options.ToJson())!.AsObject(),
            Dataset = index.Root,
            DatasetContentKey = decoded.ContentKey,
            TrainImages = result.TrainImages,
            ValImages = result.ValTruth.Length,
            Params = result.HeadParameters,
            TrainableParams = result.HeadParameters,
            FrozenBackbone = "ResNet18 (ImageNet), 11.7 M parameters, not trained",
            EpochsRun = result.History.Count == 0 ? 1 : result.History.Count,
            FeatureSeconds = result.FeatureSeconds,
            TrainSeconds = result.HeadSeconds,
            StartedUtc = started,
            Gap = gap,
            Model = "not exported: a research comparison; the backbone runs at a few faces per second on CPU",
        };
        record.Write(runDir);
        RunReport.Write(runDir, $"{options.Name}: ResNet18 features + {WireName.Of(options.Transfer!.Head)} head");
        return new TrainingJobResult(Path.GetFullPath(runDir), record, metrics);
    }

    /// <summary>
    /// Creates the run folder, reads the pipeline's dataset (which must have train and val splits) and decodes it
    /// through the cache, reporting every image it had to skip.
    /// </summary>
    private static (DatasetIndex Index, DecodedDataset Decoded) LoadSplitDataset(PipelineOptions options, string runDir, IStepProgress progress)
    {
        Directory.CreateDirectory(runDir);
        var index = DatasetReader.Read(options.Dataset);
        if (!index.IsSplit) throw new DatasetException($"'{options.Dataset}' has no train/val splits; training needs them.");
        var decoded = progress.Step("Decoding images", step => DecodedDatasetCache.Load(index, progress: step.Progress));
        foreach (var f in decoded.Failures)
            progress.Note($"skipped {f.Path}: {f.Reason}");
        return (index, decoded);
    }

    /// <summary>
    /// One split with the pipeline's targets: folder labels, or with <paramref name="votes"/> the crowd's (saying what
    /// was left out and why).
    /// </summary>
    private static TrainingData TrainingSplit(PipelineOptions options, DecodedDataset decoded, DatasetSplit split, CrowdVoteTable? votes,
        IStepProgress progress)
    {
        var indices = decoded.IndicesOf(split);
        if (votes is null) return TrainingData.From(decoded, indices);
        var data = CrowdTargets.Select(decoded, indices, options.Labels, votes, split == DatasetSplit.Val, out var kept);
        progress.Note($"labels ({options.Labels.Target.ToString().ToLowerInvariant()}, {votes.Path}): {split.ToName()} keeps " +
            $"{kept.Kept:N0} of {indices.Length:N0} faces ({kept.WithoutVotes:N0} without votes, {kept.BelowShare:N0} below the " +
            $"four-class share, {kept.WithoutMajority:N0} without a crowd majority)");
        if (kept.WithoutVotes > 0)
            throw new DatasetException($"{kept.WithoutVotes:N0} {split.ToName()} faces of '{options.Dataset}' have no row in the vote " +
                $"file '{votes.Path}': crowd targets need FER-2013 faces whose file names end in their row index.");
        return data;
    }
}
