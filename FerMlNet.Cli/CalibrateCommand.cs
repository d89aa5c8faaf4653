using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using FerMlNet.Core;
using FerMlNet.Core.Data;
using FerMlNet.Core.IO;
using FerMlNet.Preprocessing;
using FerMlNet.Scoring;
using FerMlNet.Training.Calibration;
using FerMlNet.Training.Runs;
using FerMlNet.Training.MlNet;
using FerMlNet.Training.Onnx;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;
using Spectre.Console;

namespace FerMlNet.Cli;

/// <summary>
/// `fer calibrate RUNDIR [RUNDIR...] --data DATASET [--tta] [--objective macro-f1] --out DIR`: post-training changes
/// fitted on the validation split only — an ensemble when several runs are given (logits averaged), flip test-time
/// augmentation, per-class logit bias (class-threshold tuning) and temperature scaling — written as a new run folder
/// whose model.onnx/model.zip carry them inside the graph.
/// </summary>
internal static class CalibrateCommand
{
    public static Command Create()
    {
        var runDirs = new Argument<string[]>("runs") { Description = "Run folders with model.onnx (from fer train), or published model files (models/NAME.onnx beside its card models/NAME.json); several make an ensemble.", Arity = ArgumentArity.OneOrMore };
        var data = new Option<string>("--data") { Description = "Dataset root with a val split (the one the run was trained on).", Required = true };
        var outDir = new Option<string>("--out") { Description = "New run folder for the calibrated model.", Required = true };
        var tta = new Option<bool>("--tta") { Description = "Average the logits of each face and its mirror image (twice the inference work; an ensemble member that already does, such as a published model calibrated with --tta, is not flipped again)." };
        var shift = new Option<int>("--tta-shift") { Description = "Also average each face moved by this many pixels up, down, left and right (1–8; 0 = off): five times the inference work, ten with --tta." };
        var objective = new Option<string>("--objective") { Description = "What the class-bias search maximises on validation: macro-f1, accuracy, or none (temperature only).", DefaultValueFactory = _ => "macro-f1" };
        var keepBias = new Option<bool>("--keep-bias") { Description = "Keep the fitted class biases even when their 2-fold cross-fitted score on validation gains less than one face's worth (1/n) over none (by default they are then dropped and only the temperature is kept)." };
        var force = new Option<bool>("--force") { Description = "Replace a calibrated model already in --out." };
        var labels = new Option<string>("--labels") { Description = "The labels the temperature and class biases are fitted to: folder (the class folders) or crowd (the FER+ crowd majority, over the validation faces that have one; for vote-trained runs).", DefaultValueFactory = _ => "folder" };
        var cmd = new Command("calibrate", "Ensemble runs, add flip/shift TTA, fit class biases and temperature on validation; write a new model.onnx/model.zip with them in the graph.")
        {
            runDirs, data, outDir, tta, shift, objective, keepBias, force, labels,
        };
        cmd.SetAction(parse => FerCommandLine.Guard(() => Run(parse.GetValue(runDirs)!, parse.GetValue(data)!, parse.GetValue(outDir)!,
            parse.GetValue(tta), parse.GetValue(shift), ParseObjective(parse.GetValue(objective)!), parse.GetValue(keepBias), parse.GetValue(force),
            parse.GetValue(labels) switch
            {
                "folder" => false,
                "crowd" => true,
                var other => throw new UsageException($"--labels is '{other}'; use folder or crowd."),
            })));
        return cmd;
    }

    /// <summary>--objective values (also written into calibration.json).</summary>
    private static readonly Dictionary<string, LogitCalibrator.Objective> Objectives = new()
    {
        ["macro-f1"] = LogitCalibrator.Objective.MacroF1,
        ["accuracy"] = LogitCalibrator.Objective.Accuracy,
        ["none"] = LogitCalibrator.Objective.None,
    };

    private static string NameOf(LogitCalibrator.Objective objective) => Objectives.Single(o => o.Value == objective).Key;

    private static LogitCalibrator.Objective ParseObjective(string value) =>
        Objectives.TryGetValue(value, out var objective) ? objective
            : throw new UsageException($"--objective is '{value}'; use {string.Join(", ", Objectives.Keys)}.");

    private static ModelProto ReadModel(string source)
    {
        var path = RunRecord.IsPublishedModelFile(source) ? source : Path.Combine(source, "model.onnx");
        if (!File.Exists(path)) throw new FileNotFoundException($"'{source}' has no model.onnx; is it a run folder or a .onnx file?");
        try { return ModelProto.Parser.ParseFrom(File.ReadAllBytes(path)); }
        catch (InvalidProtocolBufferException e) { throw new InvalidDataException($"'{path}' is not an ONNX model: {e.Message}"); }
    }

    private static int Run(string[] runDirs, string dataRoot, string outDir, bool tta, int shift, LogitCalibrator.Objective objective, bool keepBias, bool force,
        bool crowdLabels)
    {
        if (runDirs.Any(r => Path.GetFullPath(r) == Path.GetFullPath(outDir))) throw new UsageException("--out must be a new folder, not a run given.");
        if (shift is < 0 or > 8) throw new UsageException($"--tta-shift is {shift}; use 1–8 pixels, or 0 for none.");
        var members = runDirs.Select(ReadModel).ToList();
        var model = members.Count == 1 ? members[0] : OnnxGraphEdits.Ensemble(members);
        var dir = CliData.PrepareReportFolder(outDir, force, "model.onnx", "model.zip", "calibration.json");

        var index = DatasetReader.Read(dataRoot);
        if (!index.IsSplit) throw new DatasetException($"'{dataRoot}' has no val split; calibration is fitted on validation only.");
        var decoded = FerCommandLine.WithProgress("Decoding images", report => DecodedDatasetCache.Load(index, progress: report));
        var val = decoded.IndicesOf(DatasetSplit.Val);
        var truth = val.Select(i => decoded.Labels[i]).ToArray();
        if (crowdLabels) (val, truth) = CrowdMajorityOf(decoded, val);

        var uncalibrated = FerCommandLine.WithProgress("Logits (validation, as trained)", _ => Logits(model, decoded, val));
        if (tta) model = members.Count == 1 ? OnnxGraphEdits.WithFlipAveraging(model) : OnnxGraphEdits.EnsembleWithFlipAveraging(members);
        if (shift > 0) model = OnnxGraphEdits.WithShiftAveraging(model, shift);
        bool averaged = tta || shift > 0;
        var logits = averaged ? FerCommandLine.WithProgress("Logits (validation, averaged over views)", _ => Logits(model, decoded, val)) : uncalibrated;
        var cross = LogitCalibrator.CrossFitted(logits, truth, objective);
        var (keepBiases, biasChoice) = ChooseBias(logits, truth, objective, cross, keepBias);
        var fitted = keepBiases ? objective : LogitCalibrator.Objective.None;
        // The cross-fitted estimate is of what is written: with biases dropped, of the temperature alone.
        if (fitted != objective) cross = LogitCalibrator.CrossFitted(logits, truth, fitted);
        var adjustment = LogitCalibrator.Fit(logits, truth, fitted);
        var crossFitted = Summary(cross.Logits, cross.Truth, LogitAdjustment.Identity);

        var calibration = new CalibrationRecord
        {
            Sources = runDirs.Select(Path.GetFullPath).ToArray(),
            FittedOn = new("val", val.Length, index.Root, crowdLabels ? "crowd" : "folder"),
            FlipAveraging = tta,
            ShiftAveraging = shift,
            Objective = NameOf(objective),
            KeepBias = keepBias,
            BiasChoice = biasChoice,
            Temperature = adjustment.Temperature,
            Bias = EmotionClasses.Names.Select((n, c) => (n, c)).ToDictionary(x => x.n, x => adjustment.Bias[x.c]),
            AsTrained = Summary(uncalibrated, truth, LogitAdjustment.Identity),
            ViewAveraged = averaged ? Summary(logits, truth, LogitAdjustment.Identity) : null, // TTA: flip and/or shift views
            CalibratedInSample = Summary(logits, truth, adjustment),
            CalibratedCrossFitted = crossFitted,
        };
        var calibrated = OnnxGraphEdits.WithLogitAdjustment(model, adjustment.Temperature, adjustment.Bias);
        OnnxGraphEdits.SetMetadata(calibrated, "fermlnet.calibration", calibration.ToCompactJson());
        var onnxPath = Path.Combine(dir, "model.onnx");
        AtomicFile.WriteAllBytes(onnxPath, calibrated.ToByteArray());
        var transformer = ModelFiles.WriteZip(onnxPath, Path.Combine(dir, "model.zip"));
        calibration.Write(Path.Combine(dir, "calibration.json"));

        var metrics = FerCommandLine.WithProgress("Evaluating (validation)", _ => MlNetEvaluation.Evaluate(transformer, index, DatasetSplit.Val));
        WriteRunFiles(runDirs, dir, calibration, metrics);
        FerMlNet.Training.Reports.RunReport.Write(dir, $"{Path.GetFileName(Path.GetFullPath(dir))} (calibrated {string.Join(" + ", runDirs.Select(r => Path.GetFileName(Path.GetFullPath(r))))}) on val");

        var before = calibration.AsTrained;
        AnsiConsole.MarkupLine($"val ({val.Length:N0}): accuracy {before.Accuracy:P2} → {metrics.Accuracy:P2} " +
            $"(cross-fitted {crossFitted.Accuracy:P2}), macro-F1 {before.MacroF1:F3} → {metrics.MacroF1:F3} " +
            $"(cross-fitted {crossFitted.MacroF1:F3}), NLL {before.Nll:F3} → {calibration.CalibratedInSample.Nll:F3}, " +
            $"T {adjustment.Temperature:F2}, bias [[{string.Join(", ", adjustment.Bias.Select(b => b.ToString("+0.00;-0.00")))}]] → {Markup.Escape(dir)}");
        if (biasChoice is not null) AnsiConsole.MarkupLine(Markup.Escape(biasChoice.Reason));
        return ExitCodes.Success;
    }

    /// <summary>The validation faces with a FER+ crowd majority, and that majority as their truth.</summary>
    private static (int[] Faces, int[] Truth) CrowdMajorityOf(DecodedDataset decoded, int[] val)
    {
        var votes = Core.Labels.CrowdVoteTable.LoadDefault();
        var majority = val.Select(i => votes.Find(decoded.RelativePaths[i])?.Majority).ToArray();
        if (majority.Count(m => m is not null) < val.Length / 2)
            throw new DatasetException($"Fewer than half of the validation faces have a FER+ crowd majority in {votes.Path}; " +
                "--labels crowd needs FER-2013 faces named by their row.");
        var kept = Enumerable.Range(0, val.Length).Where(k => majority[k] is not null).ToArray();
        return (kept.Select(k => val[k]).ToArray(), kept.Select(k => majority[k]!.Value).ToArray());
    }

    /// <summary>
    /// Whether the class biases stay: only when their 2-fold cross-fitted score beats no biases on the same faces by at
    /// least one face's worth (a bias fit that only pays in sample, or by a hair, would move unseen faces for nothing),
    /// or when --keep-bias says so.
    /// The record for calibration.json is null when no bias is fitted (--objective none).
    /// </summary>
    private static (bool Keep, CalibrationRecord.BiasDecision? Record) ChooseBias(float[][] logits, int[] truth, LogitCalibrator.Objective objective,
        (float[][] Logits, int[] Truth) crossFitted, bool keepBias)
    {
        if (objective == LogitCalibrator.Objective.None) return (false, null);
        var (withBias, withoutBias) = LogitCalibrator.OutOfSampleScores(logits, truth, objective, crossFitted);
        double minimumGain = LogitCalibrator.MinimumBiasGain(truth.Length);
        bool pays = withBias - withoutBias >= minimumGain, keep = pays || keepBias;
        string comparison = $"cross-fitted {NameOf(objective)} {withBias:F4} against {withoutBias:F4} without them " +
                            $"(kept from a gain of one face's worth, 1/{truth.Length:N0} = {minimumGain:F4})";
        string reason = pays ? $"class biases kept: {comparison}"
            : keepBias ? $"class biases kept (--keep-bias) although they gain less: {comparison}"
            : $"class biases dropped (temperature only): {comparison}; --keep-bias keeps them";
        return (keep, new CalibrationRecord.BiasDecision
        {
            Kept = keep, CrossFittedScore = withBias, ScoreWithoutBias = withoutBias, MinimumGain = minimumGain, Reason = reason,
        });
    }

    /// <summary>Accuracy, macro-F1 and NLL of logits under an adjustment.</summary>
    private static CalibrationRecord.Score Summary(float[][] logits, int[] truth, LogitAdjustment adjustment)
    {
        var (accuracy, macroF1) = LogitCalibrator.Measure(logits, truth, adjustment.Bias);
        return new(accuracy, macroF1, LogitCalibrator.NegativeLogLikelihood(logits, truth, adjustment));
    }

    /// <summary>The logits of the given images: the graph with its logits exposed, run by ONNX Runtime in batches of 256.</summary>
    private static float[][] Logits(ModelProto model, DecodedDataset decoded, int[] indices)
    {
        var withLogits = OnnxGraphEdits.WithLogitsOutput(model);
        string logitsName = OnnxGraphEdits.LogitsName(withLogits);
        using var session = new InferenceSession(withLogits.ToByteArray());
        var result = new float[indices.Length][];
        const int batch = 256;
        for (int start = 0; start < indices.Length; start += batch)
        {
            int n = Math.Min(batch, indices.Length - start);
            var input = FaceTensor.FromFaces(indices[start..(start + n)].Select(i => decoded.ImagePixels(i).ToArray()).ToArray());
            using var outputs = session.Run([NamedOnnxValue.CreateFromTensor(OnnxExporter.InputName, input)], [logitsName]);
            var values = outputs.First().AsTensor<float>().ToArray();
            for (int k = 0; k < n; k++) result[start + k] = values.AsSpan(k * EmotionClasses.Count, EmotionClasses.Count).ToArray();
        }
        return result;
    }

    /// <summary>run.json (the source's, marked as calibrated) and history.json, so report and compare treat the folder as a run.</summary>
    private static void WriteRunFiles(string[] sourceDirs, string dir, CalibrationRecord calibration, EvaluationMetrics metrics)
    {
        var runs = sourceDirs.Select(RunRecord.OfSource).ToList();
        // An ensemble ("members" rebuild it, "memberRuns" say how each was trained, for the model card) or the one
        // source as trained: the run folder's name and "calibration" say the rest.
        var run = (sourceDirs.Length == 1 ? runs[0] : RunRecord.Ensemble(runs)) with { Calibration = calibration };
        if (sourceDirs.Length == 1 && !RunRecord.IsPublishedModelFile(sourceDirs[0])) // one run: its training curve and gap still describe the calibrated model
        {
            var sourceHistory = Path.Combine(sourceDirs[0], "history.json");
            if (File.Exists(sourceHistory)) AtomicFile.WriteAllText(Path.Combine(dir, "history.json"), File.ReadAllText(sourceHistory));
            var sourceMetrics = Path.Combine(sourceDirs[0], "metrics.json");
            if (File.Exists(sourceMetrics)) metrics = metrics with { TrainValGap = EvaluationMetrics.Load(sourceMetrics).TrainValGap };
        }
        metrics.Write(Path.Combine(dir, "metrics.json"));
        run.Write(dir);
    }
}
