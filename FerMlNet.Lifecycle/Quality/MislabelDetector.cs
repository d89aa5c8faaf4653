using FerMlNet.Core.Data;
using FerMlNet.Core;
using FerMlNet.Core.IO;
using FerMlNet.Preprocessing;
using FerMlNet.Core.Quality;
using FerMlNet.Training.Engine;

namespace FerMlNet.Lifecycle.Quality;

/// <summary>Options of <see cref="MislabelDetector"/>.</summary>
public sealed class MislabelOptions
{
    /// <summary>Number of folds k: each image is scored by a model trained on the other k−1. Default: 5.</summary>
    public int Folds { get; set; } = 5;

    /// <summary>Seed of the fold assignment. Default: 42.</summary>
    public int Seed { get; set; } = 42;

    /// <summary>CPU budget for all folds together in minutes (each fold gets an equal share); 0 = no limit. Default: 0.</summary>
    public double BudgetMinutes { get; set; }

    /// <summary>Folder for per-fold checkpoints and out-of-fold probabilities, so a killed run resumes; null = none.</summary>
    public string? WorkDirectory { get; set; }

    /// <summary>Torch threads; 0 = library default.</summary>
    public int Threads { get; set; }

    /// <summary>
    /// How far out-of-fold accuracy must beat the best constant answer (the largest class's share) before flags are
    /// written: a fold model below that has learnt too little for its disagreements with the labels to mean anything
    /// (a one-epoch model gives every face nearly the same probabilities). 0 writes flags whatever the accuracy.
    /// Default: 0.10 (ten points).
    /// </summary>
    public double MinimumAccuracyLift { get; set; } = DefaultMinimumAccuracyLift;

    /// <summary>The default of <see cref="MinimumAccuracyLift"/>.</summary>
    public const double DefaultMinimumAccuracyLift = 0.10;

    /// <summary>
    /// Whether each held-out face is scored as the mean of its and its mirror's probabilities: a cheap second view
    /// that makes the out-of-fold answers, and so the flags, steadier. Default: true.
    /// </summary>
    public bool AverageFlips { get; set; } = true;

    /// <summary>Reports training progress of fold k.</summary>
    public Action<int, TrainingProgress>? Progress { get; set; }
}

/// <summary>An image whose given label looks wrong: out-of-fold probabilities and the suggested class.</summary>
/// <param name="Index">Image index in the decoded dataset.</param>
/// <param name="Path">Path relative to the dataset root.</param>
/// <param name="Given">Label on disk.</param>
/// <param name="Suggested">Class confident learning assigns.</param>
/// <param name="Probabilities">Out-of-fold probabilities, in class order.</param>
/// <param name="Margin">p(suggested) − p(given): the ranking key, largest first.</param>
public sealed record MislabelCandidate(int Index, string Path, int Given, int Suggested, float[] Probabilities, double Margin);

/// <summary>Out-of-fold predictions and the images confident learning flags.</summary>
/// <param name="OutOfFold">Each image's probabilities from the model that did not train on it.</param>
/// <param name="Fold">Each image's fold.</param>
/// <param name="Thresholds">Per-class confidence thresholds (mean own-class probability).</param>
/// <param name="Flagged">The flags, largest margin first.</param>
/// <param name="OutOfFoldAccuracy">Share of images whose out-of-fold arg-max is their label.</param>
/// <param name="ConstantAnswerAccuracy">What always answering the largest class scores: the floor a useful model must clear.</param>
public sealed record MislabelResult(float[][] OutOfFold, int[] Fold, double[] Thresholds,
    IReadOnlyList<MislabelCandidate> Flagged, double OutOfFoldAccuracy, double ConstantAnswerAccuracy)
{
    /// <summary>The largest class, the constant answer of <see cref="ConstantAnswerAccuracy"/>.</summary>
    public required int LargestClass { get; init; }

    /// <summary>Whether out-of-fold accuracy clears the constant answer by <paramref name="minimumLift"/>.</summary>
    public bool BeatsConstantAnswerBy(double minimumLift) => OutOfFoldAccuracy >= ConstantAnswerAccuracy + minimumLift;
}

/// <summary>
/// Model-assisted mislabel detection by confident learning (Northcutt et al., 2021): k models, each trained on k−1
/// folds, give every image an out-of-fold probability; class j's threshold t_j is the mean p_j over images labelled j;
/// an image is assigned the most probable class among those with p_j ≥ t_j, and flagged when that is not its label.
/// Duplicate groups stay in one fold, so a copy in the training folds cannot vouch for a wrong label.
/// </summary>
public static class MislabelDetector
{
    /// <summary>Runs k-fold training and flags label issues.</summary>
    public static MislabelResult Run(DecodedDataset data, AuditResult audit, PipelineOptions pipeline, MislabelOptions options)
    {
        if (options.Folds < 2) throw new ArgumentException("--folds must be at least 2.");
        var fold = AssignFolds(data, audit, options.Folds, options.Seed);
        var oof = new float[data.Count][];
        for (int k = 0; k < options.Folds; k++)
        {
            var held = Enumerable.Range(0, data.Count).Where(i => fold[i] == k).ToArray();
            var probabilities = LoadFold(options, k, held.Length) ?? TrainFold(data, pipeline, options, fold, k, held);
            for (int j = 0; j < held.Length; j++) oof[held[j]] = probabilities[j];
        }
        return Flag(data, oof, fold);
    }

    /// <summary>Confident-learning flags from out-of-fold probabilities.</summary>
    public static MislabelResult Flag(DecodedDataset data, float[][] oof, int[] fold)
    {
        int n = data.Count;
        var thresholds = Enumerable.Range(0, EmotionClasses.Count).Select(c =>
        {
            var own = Enumerable.Range(0, n).Where(i => data.Labels[i] == c).Select(i => (double)oof[i][c]).ToList();
            return own.Count == 0 ? 1.0 : own.Average();
        }).ToArray();
        var flagged = new List<MislabelCandidate>();
        for (int i = 0; i < n; i++)
        {
            var p = oof[i];
            int given = data.Labels[i];
            var confident = Enumerable.Range(0, EmotionClasses.Count).Where(c => p[c] >= thresholds[c]).ToList();
            if (confident.Count == 0) continue;
            int assigned = confident.MaxBy(c => p[c]);
            if (assigned != given)
                flagged.Add(new MislabelCandidate(i, data.RelativePaths[i], given, assigned, p, p[assigned] - p[given]));
        }
        double accuracy = Enumerable.Range(0, n).Count(i => EmotionClasses.ArgMax(oof[i]) == data.Labels[i]) / (double)n;
        var classSizes = Enumerable.Range(0, EmotionClasses.Count).Select(c => data.Labels.Count(l => l == c)).ToArray();
        int largest = Array.IndexOf(classSizes, classSizes.Max());
        return new MislabelResult(oof, fold, thresholds,
            flagged.OrderByDescending(f => f.Margin).ThenBy(f => f.Path, StringComparer.Ordinal).ToList(), accuracy,
            n == 0 ? 0 : classSizes[largest] / (double)n) { LargestClass = largest };
    }

    /// <summary>Stratified folds over duplicate groups: a group's members share a fold.</summary>
    public static int[] AssignFolds(DecodedDataset data, AuditResult audit, int folds, int seed)
    {
        var units = audit.DuplicateGroups.Select(g => g).ToList();
        var grouped = audit.DuplicateGroups.SelectMany(g => g).ToHashSet();
        units.AddRange(Enumerable.Range(0, data.Count).Where(i => !grouped.Contains(i)).Select(i => new[] { i }));
        var random = new Random(seed);
        var fold = new int[data.Count];
        for (int c = 0; c < EmotionClasses.Count; c++)
        {
            var ofClass = units.Where(u => data.Labels[u[0]] == c).OrderBy(u => u[0]).Select(u => (u, key: random.Next()))
                .OrderBy(x => x.key).Select(x => x.u).ToList();
            for (int j = 0; j < ofClass.Count; j++)
                foreach (int i in ofClass[j]) fold[i] = j % folds;
        }
        return fold;
    }

    private static float[][] TrainFold(DecodedDataset data, PipelineOptions pipeline, MislabelOptions options, int[] fold,
        int k, int[] held)
    {
        var rest = Enumerable.Range(0, data.Count).Where(i => fold[i] != k).ToArray();
        // Every 20th training image validates (best-epoch choice); the held-out fold is never looked at in training.
        var validation = rest.Where((_, j) => j % 20 == 0).ToArray();
        var train = rest.Where((_, j) => j % 20 != 0).ToArray();
        using var trainData = TrainingData.From(data, train);
        using var validationData = TrainingData.From(data, validation);
        using var heldData = TrainingData.From(data, held);
        var foldDir = options.WorkDirectory is null ? null : Path.Combine(options.WorkDirectory, $"fold-{k}");
        if (foldDir is not null) Directory.CreateDirectory(foldDir);
        var result = CnnTrainer.Train(pipeline, trainData, validationData, new TrainerRunOptions
        {
            CheckpointDirectory = foldDir,
            Resume = foldDir is not null,
            MaxMinutes = options.BudgetMinutes > 0 ? options.BudgetMinutes / options.Folds : 0,
            Threads = options.Threads,
            Progress = options.Progress is null ? null : p => options.Progress(k, p),
        });
        using var network = result.Network;
        var probabilities = CnnTrainer.PredictProbabilities(network, heldData, options.AverageFlips);
        if (options.WorkDirectory is not null)
            AtomicFile.Write(FoldFile(options.WorkDirectory, k), s =>
            {
                using var w = new BinaryWriter(s, System.Text.Encoding.UTF8, leaveOpen: true);
                w.Write(probabilities.Length);
                foreach (var row in probabilities) foreach (var v in row) w.Write(v);
            });
        return probabilities;
    }

    /// <summary>A finished fold's saved out-of-fold probabilities, when the work folder has them for this fold size.</summary>
    private static float[][]? LoadFold(MislabelOptions options, int k, int expected)
    {
        if (options.WorkDirectory is null || !File.Exists(FoldFile(options.WorkDirectory, k))) return null;
        using var r = new BinaryReader(File.OpenRead(FoldFile(options.WorkDirectory, k)));
        if (r.ReadInt32() != expected) return null;
        return Enumerable.Range(0, expected)
            .Select(_ => Enumerable.Range(0, EmotionClasses.Count).Select(_ => r.ReadSingle()).ToArray()).ToArray();
    }

    private static string FoldFile(string dir, int k) => Path.Combine(dir, $"fold-{k}.oof");
}
