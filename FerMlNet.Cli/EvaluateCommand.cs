using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using FerMlNet.Preprocessing;
using FerMlNet.Core.Data;
using FerMlNet.Core.IO;
using FerMlNet.Lifecycle.Calibration;
using FerMlNet.Training.MlNet;
using FerMlNet.Lifecycle.Evaluation;
using Spectre.Console;

using FerMlNet.Scoring.FaceDetection;

namespace FerMlNet.Cli;

/// <summary>`fer evaluate [MODEL] --data DATASET [--split test] --out DIR`: ML.NET metrics of a model.zip on one split.</summary>
internal static class EvaluateCommand
{
    /// <summary>
    /// The calibration a published model carries (its card, MODEL.json beside MODEL.zip, as `fer publish` writes it):
    /// where it was fitted and its in-sample and cross-fitted scores, so `fer compare` can rank the model by the
    /// cross-fitted figure when these metrics are on the faces it was fitted on. Null for a model without a card.
    /// </summary>
    private static FittedCalibrationSummary? FittedCalibration(string modelPath)
    {
        var card = Path.ChangeExtension(modelPath, ".json");
        if (!File.Exists(card)) return null;
        CalibrationRecord? calibration;
        try
        {
            calibration = JsonNode.Parse(InputFile.ReadAllText(card))?["calibration"] is JsonObject json
                ? CalibrationRecord.FromJsonObject(json, card) : null;
        }
        // A JSON file there that is not a model card is not evaluate's to judge: no calibration to report.
        catch (Exception e) when (e is JsonException or InvalidOperationException or InvalidDataException) { return null; }
        return calibration is null ? null : FittedCalibrationSummary.Of(calibration, card);
    }

    public static Command Create()
    {
        var model = new Argument<string?>("model") { Description = $"A model.zip (default {ScoreCommand.DefaultModel}).", Arity = ArgumentArity.ZeroOrOne };
        var data = new Option<string>("--data") { Description = "Dataset root (split or unsplit).", Required = true };
        var split = new Option<string>("--split") { Description = "Split to evaluate: train, val, test (an unsplit dataset is evaluated whole).", DefaultValueFactory = _ => "test" };
        var outDir = new Option<string>("--out") { Description = "Folder for metrics.json.", Required = true };
        var threshold = new Option<float>("--threshold") { Description = "Confidence below which answers are 'uncertain' (coverage is reported).", DefaultValueFactory = _ => FerModelConventions.DefaultUncertainThreshold };
        var force = new Option<bool>("--force") { Description = "Replace an existing metrics.json." };
        var detect = new Option<bool>("--detect-faces") { Description = "Find faces in photos first (largest face per image); images without a face count as errors." };
        var detail = new Option<float>("--crop-detail") { Description = "With --detect-faces: unsharp masking of each face crop (FaceCropOptions.Detail; positive sharpens; see `fer data look`).", DefaultValueFactory = _ => new FaceCropOptions().Detail };
        var cmd = new Command("evaluate", "ML.NET multiclass metrics, per-class P/R/F1, confusion matrix, bootstrap CI, ECE, threshold coverage.")
        {
            model, data, split, outDir, threshold, force, detect, detail,
        };
        cmd.SetAction(parse => FerCommandLine.Guard(() =>
        {
            var modelPath = parse.GetValue(model) ?? ScoreCommand.ResolveDefaultModel();
            if (!parse.GetValue(detect) && !Path.GetExtension(modelPath).Equals(".zip", StringComparison.OrdinalIgnoreCase))
                throw new UsageException("evaluate takes a model.zip (the ML.NET pipeline), or any model with --detect-faces.");
            if (!File.Exists(modelPath)) throw new FileNotFoundException($"Model '{modelPath}' does not exist.");
            var index = DatasetReader.Read(parse.GetValue(data)!);
            var wanted = index.IsSplit ? CliData.ParseSplit(parse.GetValue(split)!) : DatasetSplit.All;
            var dir = CliData.PrepareReportFolder(parse.GetValue(outDir)!, parse.GetValue(force), "metrics.json", "report.html");
            var metrics = FerCommandLine.WithProgress($"Evaluating ({wanted.ToName()})", _ => parse.GetValue(detect)
                ? MlNetEvaluation.EvaluateWithFaceDetection(modelPath, index, wanted, parse.GetValue(threshold),
                    new FaceCropOptions { Detail = parse.GetValue(detail) })
                : MlNetEvaluation.EvaluateModelFile(modelPath, index, wanted, parse.GetValue(threshold)).Metrics);
            metrics = metrics with { Model = Path.GetFileName(modelPath), FittedCalibration = FittedCalibration(modelPath) };
            metrics.Write(Path.Combine(dir, "metrics.json"));
            FerMlNet.Lifecycle.Reports.RunReport.Write(dir, $"{Path.GetFileName(modelPath)} on {Path.GetFileName(Path.GetFullPath(parse.GetValue(data)!))} ({wanted.ToName()})");
            var ci = metrics.AccuracyCi95;
            AnsiConsole.MarkupLine($"{wanted.ToName()} ({metrics.Images:N0} images): accuracy {metrics.Accuracy:P2} " +
                                   $"(95% CI {ci[0]:P1}–{ci[1]:P1}), macro-F1 {metrics.MacroF1:F3} (folder labels) → {Markup.Escape(dir)}");
            if (metrics.Crowd is { Majority: { AccuracyCi95: { } crowdCi } crowd, Agreed70: { } agreed })
                AnsiConsole.MarkupLine($"  FER+ majority ({crowd.Images:N0} faces): accuracy {crowd.Accuracy:P2} " +
                    $"(95% CI {crowdCi[0]:P1}–{crowdCi[1]:P1}), macro-F1 {crowd.MacroF1:F3}; " +
                    $"where ≥ 70% agree ({agreed.Images:N0}): {agreed.Accuracy ?? 0.0:P2}");
            if (metrics.Crowd?.MistakesWithCrowdSupport is { Mistakes: > 0 } minority)
                AnsiConsole.MarkupLine($"  {minority.Supported:N0} of the {minority.Mistakes:N0} misses against the majority name a class that at least " +
                    $"{minority.MinShare:P0} of the taggers chose (accuracy by agreement in report.html)");
            return ExitCodes.Success;
        }));
        return cmd;
    }
}
