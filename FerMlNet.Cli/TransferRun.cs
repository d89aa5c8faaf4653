using System.Text.Json;
using System.Text.Json.Nodes;
using FerMlNet.Core.Data;
using FerMlNet.Core.IO;
using FerMlNet.Preprocessing;
using FerMlNet.Training.Engine;
using FerMlNet.Training.MlNet;
using FerMlNet.Training.Reports;
using FerMlNet.Training.Runs;
using FerMlNet.Training.Transfer;
using Spectre.Console;

namespace FerMlNet.Cli;

/// <summary>`fer train` of a transfer pipeline: features (cached), head, and the same run files as a CNN run except the model.</summary>
internal static class TransferRun
{
    public static RunRecord Run(PipelineOptions options, string runDir)
    {
        var (index, decoded) = TrainCommand.LoadSplitDataset(options, runDir);
        var started = DateTime.UtcNow;
        var result = FerCommandLine.WithProgress("ResNet18 features (cached after the first run), then the head", report =>
            TransferTrainer.Train(options, decoded, DecodedDatasetCache.DefaultDirectory, report));
        var valPaths = decoded.IndicesOf(DatasetSplit.Val).Select(i => Path.Combine(decoded.Root, decoded.RelativePaths[i])).ToList();
        var gap = GapDiagnosis.FromHistory(result.History);
        var metrics = MlNetEvaluation.FromScores(result.ValScores, result.ValTruth, DatasetSplit.Val, paths: valPaths) with { TrainValGap = gap };
        if (result.History.Count > 0)
            AtomicFile.WriteAllText(Path.Combine(runDir, "history.json"), JsonSerializer.Serialize(result.History, ReportJson.IndentedCamelCase));
        metrics.Write(Path.Combine(runDir, "metrics.json"));
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
        AnsiConsole.MarkupLine($"[green]{Markup.Escape(options.Name)}[/]: validation accuracy {metrics.Accuracy:P2} on " +
                               $"{result.ValTruth.Length:N0} images ({result.TrainImages:N0} training images) → {Markup.Escape(runDir)}");
        return record;
    }
}
