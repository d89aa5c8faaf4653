using FerMlNet.Core;
using FerMlNet.Core.Data;
using FerMlNet.Core.IO;
using FerMlNet.Preprocessing;
using FerMlNet.Scoring;
using FerMlNet.Training.Engine;
using FerMlNet.Training.MlNet;
using FerMlNet.Lifecycle.Evaluation;
using FerMlNet.Training.Onnx;
using FerMlNet.Lifecycle.Reports;
using FerMlNet.Lifecycle.Runs;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;

namespace FerMlNet.Lifecycle.Calibration;

/// <summary>
/// Post-training changes fitted on the validation split only — an ensemble when several sources are given (logits
/// averaged), flip and shift test-time augmentation, per-class logit biases (class-threshold tuning) and temperature
/// scaling — written as a new run folder whose model.onnx and model.zip carry them inside the graph. `fer calibrate`
/// is this call.
/// </summary>
public static class ModelCalibrator
{
    /// <summary>Fits the calibration <paramref name="options"/> ask for and writes the calibrated run folder.</summary>
    /// <exception cref="ArgumentException">The output folder is one of the sources, or the shift is outside 0–8.</exception>
    /// <exception cref="DatasetException">The dataset has no val split, or too few of its faces have a crowd majority.</exception>
    /// <exception cref="FileNotFoundException">A source has no model.onnx.</exception>
    /// <exception cref="InvalidDataException">A source is not an ONNX model (the message names it).</exception>
    public static CalibrationResult Calibrate(CalibrationOptions options, IStepProgress? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        progress ??= SilentProgress.Instance;
        if (options.Sources.Count == 0) throw new ArgumentException("give at least one run folder or model file.", nameof(options));
        if (options.Sources.Any(r => Path.GetFullPath(r) == Path.GetFullPath(options.OutputFolder)))
            throw new ArgumentException("the output must be a new folder, not one of the sources.", nameof(options));
        if (options.ShiftPixels is < 0 or > 8)
            throw new ArgumentException($"the shift is {options.ShiftPixels}; use 1–8 pixels, or 0 for none.", nameof(options));
        var members = options.Sources.Select(ReadModel).ToList();
        var model = members.Count == 1 ? members[0] : OnnxGraphEdits.Ensemble(members);
        var dir = Directory.CreateDirectory(options.OutputFolder).FullName;

        var index = DatasetReader.Read(options.DataRoot);
        if (!index.IsSplit) throw new DatasetException($"'{options.DataRoot}' has no val split; calibration is fitted on validation only.");
        var decoded = progress.Step("Decoding images", step => DecodedDatasetCache.Load(index, progress: step.Progress));
        var val = decoded.IndicesOf(DatasetSplit.Val);
        var truth = val.Select(i => decoded.Labels[i]).ToArray();
        if (options.Labels == CalibrationLabels.Crowd) (val, truth) = CrowdMajorityOf(decoded, val);

        var uncalibrated = progress.Step("Logits (validation, as trained)", _ => Logits(model, decoded, val));
        if (options.FlipAveraging) model = members.Count == 1 ? OnnxGraphEdits.WithFlipAveraging(model) : OnnxGraphEdits.EnsembleWithFlipAveraging(members);
        if (options.ShiftPixels > 0) model = OnnxGraphEdits.WithShiftAveraging(model, options.ShiftPixels);
        bool averaged = options.FlipAveraging || options.ShiftPixels > 0;
        var logits = averaged ? progress.Step("Logits (validation, averaged over views)", _ => Logits(model, decoded, val)) : uncalibrated;
        var cross = LogitCalibrator.CrossFitted(logits, truth, options.Objective);
        var (keepBiases, biasChoice) = ChooseBias(logits, truth, options.Objective, cross, options.KeepBias);
        var fitted = keepBiases ? options.Objective : LogitCalibrator.Objective.None;
        // The cross-fitted estimate is of what is written: with biases dropped, of the temperature alone.
        if (fitted != options.Objective) cross = LogitCalibrator.CrossFitted(logits, truth, fitted);
        var adjustment = LogitCalibrator.Fit(logits, truth, fitted);
        var crossFitted = Summary(cross.Logits, cross.Truth, LogitAdjustment.Identity);

        var calibration = new CalibrationRecord
        {
            Sources = options.Sources.Select(Path.GetFullPath).ToArray(),
            FittedOn = new("val", val.Length, index.Root, WireName.Of(options.Labels)),
            FlipAveraging = options.FlipAveraging,
            ShiftAveraging = options.ShiftPixels,
            Objective = WireName.Of(options.Objective),
            KeepBias = options.KeepBias,
            BiasChoice = biasChoice,
            Temperature = adjustment.Temperature,
            Bias = ClassMap.Of(c => adjustment.Bias[c]),
            AsTrained = Summary(uncalibrated, truth, LogitAdjustment.Identity),
            ViewAveraged = averaged ? Summary(logits, truth, LogitAdjustment.Identity) : null, // TTA: flip and/or shift views
            CalibratedInSample = Summary(logits, truth, adjustment),
            CalibratedCrossFitted = crossFitted,
        };
        var calibrated = OnnxGraphEdits.WithLogitAdjustment(model, adjustment.Temperature, adjustment.Bias);
        OnnxGraphEdits.SetMetadata(calibrated, "fermlnet.calibration", calibration.ToCompactJson());
        var onnxPath = Path.Combine(dir, "model.onnx");
        AtomicFile.WriteAllBytes(onnxPath, calibrated.ToByteArray());
        using var transformer = ModelFiles.WriteZip(onnxPath, Path.Combine(dir, "model.zip"));
        calibration.Write(Path.Combine(dir, "calibration.json"));

        var metrics = progress.Step("Evaluating (validation)", _ => MlNetEvaluation.Evaluate(transformer, index, DatasetSplit.Val));
        WriteRunFiles(options.Sources, dir, calibration, metrics);
        FerMlNet.Lifecycle.Reports.RunReport.Write(dir, $"{Path.GetFileName(Path.GetFullPath(dir))} (calibrated {string.Join(" + ", options.Sources.Select(r => Path.GetFileName(Path.GetFullPath(r))))}) on val");

        return new CalibrationResult(dir, calibration, metrics);
    }

    private static ModelProto ReadModel(string source)
    {
        var path = RunRecord.IsPublishedModelFile(source) ? source : Path.Combine(source, "model.onnx");
        if (!File.Exists(path)) throw new FileNotFoundException($"'{source}' has no model.onnx; is it a run folder or a .onnx file?");
        try { return ModelProto.Parser.ParseFrom(InputFile.ReadModel(path)); }
        catch (InvalidProtocolBufferException e) { throw new InvalidDataException($"'{path}' is not an ONNX model: {e.Message}"); }
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
        string comparison = $"cross-fitted {WireName.Of(objective)} {withBias:F4} against {withoutBias:F4} without them " +
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
    private static void WriteRunFiles(IReadOnlyList<string> sourceDirs, string dir, CalibrationRecord calibration, EvaluationMetrics metrics)
    {
        var runs = sourceDirs.Select(RunRecord.OfSource).ToList();
        // An ensemble ("members" rebuild it, "memberRuns" say how each was trained, for the model card) or the one
        // source as trained: the run folder's name and "calibration" say the rest.
        var run = (sourceDirs.Count == 1 ? runs[0] : RunRecord.Ensemble(runs)) with { Calibration = calibration };
        if (sourceDirs.Count == 1 && !RunRecord.IsPublishedModelFile(sourceDirs[0])) // one run: its training curve and gap still describe the calibrated model
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
