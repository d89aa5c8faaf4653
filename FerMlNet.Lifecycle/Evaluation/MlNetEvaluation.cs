using FerMlNet.Preprocessing;
using FerMlNet.Core;
using FerMlNet.Core.Data;
using FerMlNet.Scoring;
using FerMlNet.Scoring.FaceDetection;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace FerMlNet.Lifecycle.Evaluation;

/// <summary>Evaluates a FerMlNet ML.NET model with ML.NET's MulticlassClassification.Evaluate on one split.</summary>
public static class MlNetEvaluation
{
    private sealed class LabelledImage
    {
        public string ImagePath { get; set; } = "";
        public string Label { get; set; } = "";
    }

    private sealed class ScoredImage
    {
        public string Label { get; set; } = "";

        [VectorType(4)]
        public float[] Score { get; set; } = [];

        public string Predicted { get; set; } = "";
    }

    /// <summary>
    /// Loads a model.zip with ML.NET. Dispose the result: ML.NET copies the embedded ONNX network to a file in the
    /// temporary folder and deletes it only when the model is disposed (not at process exit).
    /// </summary>
    /// <exception cref="InvalidDataException">ML.NET cannot load it; the message names the file and why.</exception>
    public static TransformerChain<ITransformer> LoadModel(string modelPath)
    {
        try
        {
            var model = new MLContext().Model.Load(modelPath, out _);
            return model as TransformerChain<ITransformer> ?? new TransformerChain<ITransformer>(model);
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or InvalidDataException)
        {
            throw new InvalidDataException($"Model '{modelPath}' cannot be loaded by ML.NET: {e.Message}");
        }
    }

    /// <summary>
    /// <see cref="EvaluateWithAnswers"/> of a model.zip file, loaded and disposed here (so its temporary ONNX copy goes).
    /// </summary>
    /// <exception cref="InvalidDataException">ML.NET cannot load it; the message names the file and why.</exception>
    public static (EvaluationMetrics Metrics, SplitAnswers Answers) EvaluateModelFile(string modelPath, DatasetIndex dataset,
        DatasetSplit split, float threshold = FerModelConventions.DefaultUncertainThreshold)
    {
        using var model = LoadModel(modelPath);
        return EvaluateWithAnswers(model, dataset, split, threshold);
    }

    /// <summary>
    /// Scores every image of <paramref name="split"/> through <paramref name="model"/> (the whole model.zip pipeline,
    /// image path in) and returns metrics.json's content: ML.NET's metrics plus per-class precision/recall/F1.
    /// </summary>
    public static EvaluationMetrics Evaluate(ITransformer model, DatasetIndex dataset, DatasetSplit split, float threshold = FerModelConventions.DefaultUncertainThreshold) =>
        EvaluateWithAnswers(model, dataset, split, threshold).Metrics;

    /// <summary>
    /// <see cref="Evaluate"/>, and every scored image's answer beside the metrics (val-answers.json), for comparing
    /// two models face by face.
    /// </summary>
    public static (EvaluationMetrics Metrics, SplitAnswers Answers) EvaluateWithAnswers(ITransformer model, DatasetIndex dataset,
        DatasetSplit split, float threshold = FerModelConventions.DefaultUncertainThreshold)
    {
        var ml = new MLContext(seed: 0);
        var entries = dataset.Entries.Where(e => e.Split == split).ToList();
        // ML.NET's image loader throws on the first bad file and ends the whole evaluation; files that the contract's
        // decoder refuses are left out first, each reported with its reason (and listed in metrics.json).
        var reasons = new string?[entries.Count];
        Parallel.For(0, entries.Count, i =>
        {
            try { FaceImageDecoder.DecodeFile(entries[i].FullPath); }
            catch (ImageDecodeException e) { reasons[i] = e.Reason; }
        });
        var unreadable = Enumerable.Range(0, entries.Count).Where(i => reasons[i] is not null)
            .Select(i => new DatasetNotice(entries[i].RelativePath, reasons[i]!)).ToList();
        foreach (var notice in unreadable) Console.Error.WriteLine($"skipped {notice.Path}: {notice.Reason}");
        var readable = entries.Where((_, i) => reasons[i] is null).ToList();
        var rows = readable.Select(e => new LabelledImage { ImagePath = e.FullPath, Label = EmotionClasses.Names[e.Label] }).ToList();
        if (rows.Count == 0) throw new InvalidDataException($"The {split.ToName()} split of '{dataset.Root}' has no readable image.");
        var data = ml.Data.LoadFromEnumerable(rows);
        // The model gives Score; the predicted label is its arg-max (see FerOnnxCatalog for why the model.zip has no
        // text label column). Both go to ML.NET's evaluator as key columns over the same class list.
        var scores = model.Transform(data).GetColumn<VBuffer<float>>(FerOnnxCatalog.ScoreColumn)
            .Select(v => v.DenseValues().ToArray()).ToArray();
        var truth = readable.Select(e => e.Label).ToArray();
        var metrics = FromScores(scores, truth, split, threshold, rows.Select(r => r.ImagePath).ToList()) with
        {
            Unreadable = UnreadableImages.Listed(unreadable),
            Crowd = CrowdEvaluation.Of(scores, truth, rows.Select(r => r.ImagePath).ToList(), split),
        };
        return (metrics, SplitAnswers.Of(split.ToName(), readable.Select(e => e.RelativePath).ToList(), truth, scores));
    }

    /// <summary>
    /// metrics.json from probabilities and true classes: ML.NET's MulticlassClassification.Evaluate (the predicted
    /// label is the arg-max) plus per-class precision/recall/F1, bootstrap CI, ECE, reliability bins and threshold
    /// coverage. With <paramref name="paths"/> (the image of each row) the most confident mistakes are listed too.
    /// </summary>
    public static EvaluationMetrics FromScores(float[][] scores, int[] truth, DatasetSplit split, float threshold = FerModelConventions.DefaultUncertainThreshold,
        IReadOnlyList<string>? paths = null)
    {
        var ml = new MLContext(seed: 0);
        var keys = ml.Data.LoadFromEnumerable(EmotionClasses.Names.Select(n => new { Label = n }));
        var rows = truth.Select(t => new LabelledImage { Label = EmotionClasses.Names[t] }).ToList();
        var scoredRows = rows.Select((r, i) => new ScoredImage
        {
            Label = r.Label,
            Score = scores[i],
            Predicted = EmotionClasses.MostProbable(scores[i]),
        });
        var scored = ml.Data.LoadFromEnumerable(scoredRows);
        var keyed = ml.Transforms.Conversion.MapValueToKey("LabelKey", "Label", keyData: keys)
            .Append(ml.Transforms.Conversion.MapValueToKey("PredictedKey", "Predicted", keyData: keys))
            .Fit(scored).Transform(scored);
        var m = ml.MulticlassClassification.Evaluate(keyed, "LabelKey", "Score", "PredictedKey");

        var matrix = m.ConfusionMatrix;
        var perClass = new Dictionary<string, EvaluationMetrics.ClassMetrics>();
        double f1Sum = 0;
        for (int c = 0; c < EmotionClasses.Count; c++)
        {
            double tp = matrix.GetCountForClassPair(c, c);
            double support = Enumerable.Range(0, EmotionClasses.Count).Sum(p => matrix.GetCountForClassPair(p, c));
            double predicted = Enumerable.Range(0, EmotionClasses.Count).Sum(t => matrix.GetCountForClassPair(c, t));
            double precision = predicted == 0 ? 0 : tp / predicted, recall = support == 0 ? 0 : tp / support;
            double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            f1Sum += f1;
            perClass[EmotionClasses.Names[c]] = new(precision, recall, f1, (int)support, m.PerClassLogLoss[c]);
        }
        var confusionRows = Enumerable.Range(0, EmotionClasses.Count).Select(t => Enumerable.Range(0, EmotionClasses.Count)
            .Select(p => (int)matrix.GetCountForClassPair(p, t)).ToArray()).ToArray();
        var (lo, hi) = BootstrapAccuracyCi(truth.Select((t, i) => EmotionClasses.ArgMax(scores[i]) == t).ToArray());
        var confident = Enumerable.Range(0, rows.Count).Where(i => scores[i].Max() >= threshold).ToList();
        var bins = CalibrationBins(scores, truth);
        return new EvaluationMetrics
        {
            Split = split.ToName(),
            Images = rows.Count,
            Accuracy = m.MicroAccuracy,
            AccuracyCi95 = [lo, hi],
            Ece = ExpectedCalibrationError(bins, truth.Length),
            Calibration = [.. bins],
            Threshold = new(threshold, (double)confident.Count / rows.Count,
                confident.Count == 0 ? 0 : (double)confident.Count(i => EmotionClasses.ArgMax(scores[i]) == truth[i]) / confident.Count),
            MacroF1 = f1Sum / EmotionClasses.Count,
            MicroAccuracy = m.MicroAccuracy,
            MacroAccuracy = m.MacroAccuracy,
            LogLoss = m.LogLoss,
            LogLossReduction = m.LogLossReduction,
            PerClass = perClass,
            ConfusionMatrix = new([.. EmotionClasses.Names], confusionRows),
            Mistakes = paths is null ? null : MostConfidentMistakes(scores, truth, paths),
        };
    }

    /// <summary>The wrong answers given with the highest confidence, for the report's gallery (at most <paramref name="count"/>).</summary>
    private static EvaluationMetrics.Mistake[] MostConfidentMistakes(float[][] scores, int[] truth, IReadOnlyList<string> paths, int count = 24) =>
        Enumerable.Range(0, truth.Length).Where(i => EmotionClasses.ArgMax(scores[i]) != truth[i])
            .OrderByDescending(i => scores[i].Max()).Take(count)
            .Select(i => new EvaluationMetrics.Mistake(paths[i], EmotionClasses.Names[truth[i]], EmotionClasses.MostProbable(scores[i]), scores[i].Max()))
            .ToArray();

    /// <summary>One bin of the reliability diagram: images whose top probability lies in (Low, High].</summary>
    public sealed record CalibrationBin(double Low, double High, int Count, double Accuracy, double Confidence);

    /// <summary>Accuracy against mean confidence in 10 equal-width bins of the top-class probability.</summary>
    public static IReadOnlyList<CalibrationBin> CalibrationBins(float[][] scores, int[] truth, int bins = 10)
    {
        var result = new List<CalibrationBin>();
        for (int b = 0; b < bins; b++)
        {
            double low = (double)b / bins, high = (double)(b + 1) / bins;
            var inBin = Enumerable.Range(0, truth.Length).Where(i => scores[i].Max() > low && scores[i].Max() <= high).ToList();
            result.Add(inBin.Count == 0
                ? new CalibrationBin(low, high, 0, 0, 0)
                : new CalibrationBin(low, high, inBin.Count, inBin.Average(i => EmotionClasses.ArgMax(scores[i]) == truth[i] ? 1.0 : 0.0),
                    inBin.Average(i => (double)scores[i].Max())));
        }
        return result;
    }

    /// <summary>95% percentile bootstrap interval of accuracy (1,000 resamples, seed 42) from per-image hits.</summary>
    public static (double Low, double High) BootstrapAccuracyCi(bool[] hits, int resamples = 1000)
    {
        var correct = hits.Select(h => h ? 1 : 0).ToArray();
        var random = new Random(42);
        var accuracies = new double[resamples];
        for (int r = 0; r < resamples; r++)
        {
            int sum = 0;
            for (int k = 0; k < correct.Length; k++) sum += correct[random.Next(correct.Length)];
            accuracies[r] = (double)sum / correct.Length;
        }
        Array.Sort(accuracies);
        return (accuracies[(int)(0.025 * resamples)], accuracies[(int)(0.975 * resamples) - 1]);
    }

    /// <summary>Expected calibration error: the bins' |accuracy − confidence|, weighted by their share of images.</summary>
    private static double ExpectedCalibrationError(IReadOnlyList<CalibrationBin> bins, int images) =>
        bins.Sum(b => b.Count * Math.Abs(b.Accuracy - b.Confidence) / images);

    /// <summary>
    /// The probabilities of each photo's largest face (null: no face found, or the file is unreadable, as the second
    /// array says), through face detection with <paramref name="options"/>: the same code as `fer score --detect-faces`.
    /// </summary>
    public static (float[]?[] Scores, bool[] Unreadable) LargestFaceScores(string modelPath, IReadOnlyList<ImageEntry> entries,
        FerPredictorOptions options)
    {
        using var predictor = FerPredictor.Load(modelPath, options);
        var scores = new float[]?[entries.Count];
        var unreadable = new bool[entries.Count];
        Parallel.For(0, entries.Count, i =>
        {
            try
            {
                var faces = predictor.PredictFaces(entries[i].FullPath);
                scores[i] = faces.Count > 0 ? faces[0].Probabilities : null;
            }
            catch (Exception e) when (e is Preprocessing.ImageDecodeException or IOException) { unreadable[i] = true; }
        });
        return (scores, unreadable);
    }

    /// <summary>
    /// The photo path: each image goes through face detection and its largest face is classified (FerPredictor, the
    /// same code as `fer score --detect-faces`). Images without a face (or unreadable) count as errors in
    /// <c>accuracy</c>; ML.NET's metrics and the confusion matrix cover the images where a face was found.
    /// </summary>
    public static EvaluationMetrics EvaluateWithFaceDetection(string modelPath, DatasetIndex dataset, DatasetSplit split, float threshold = FerModelConventions.DefaultUncertainThreshold,
        FaceCropOptions? crop = null)
    {
        crop ??= new FaceCropOptions();
        var entries = dataset.Entries.Where(e => e.Split == split).ToList();
        if (entries.Count == 0) throw new InvalidDataException($"The {split.ToName()} split of '{dataset.Root}' is empty.");
        var (scores, unreadable) = LargestFaceScores(modelPath, entries, new FerPredictorOptions { UncertainThreshold = threshold, FaceCrop = crop });
        var found = Enumerable.Range(0, entries.Count).Where(i => scores[i] is not null).ToArray();
        if (found.Length == 0) throw new InvalidDataException($"No face was found in any image of the {split.ToName()} split.");
        var metrics = FromScores(found.Select(i => scores[i]!).ToArray(), found.Select(i => entries[i].Label).ToArray(), split, threshold,
            found.Select(i => entries[i].FullPath).ToList());
        var hits = Enumerable.Range(0, entries.Count)
            .Select(i => scores[i] is { } p && EmotionClasses.ArgMax(p) == entries[i].Label).ToArray();
        var (lo, hi) = BootstrapAccuracyCi(hits);
        return metrics with
        {
            AccuracyOnDetected = metrics.Accuracy,
            Accuracy = hits.Count(h => h) / (double)entries.Count,
            AccuracyCi95 = [lo, hi],
            Images = entries.Count,
            DetectedImages = found.Length,
            NoFaceDetected = entries.Count - found.Length - unreadable.Count(u => u),
            Unreadable = UnreadableImages.Counted(unreadable.Count(u => u)),
            FaceDetection = $"yunet, largest face ({crop})",
        };
    }
}
