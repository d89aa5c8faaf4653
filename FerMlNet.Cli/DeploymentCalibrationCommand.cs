using System.CommandLine;
using System.Text.Json;
using FerMlNet.Core.Data;
using FerMlNet.Core.IO;
using FerMlNet.Scoring;
using FerMlNet.Lifecycle.Calibration;
using FerMlNet.Training.MlNet;
using FerMlNet.Lifecycle.Evaluation;
using Spectre.Console;

namespace FerMlNet.Cli;

/// <summary>
/// `fer calibrate-deployment MODEL PHOTOS --out FILE`: class-prior offsets for one deployment from a few labelled
/// photos of it (class folders), and with `--cross-fit N` a measurement of what N labelled photos per class are worth
/// on the rest of the folder. `fer score --deployment FILE` and <see cref="FerPredictorOptions.ClassLogOffsets"/> apply them.
/// </summary>
internal static class DeploymentCalibrationCommand
{
    public static Command Create()
    {
        var model = new Argument<string>("model") { Description = "The model the offsets are for (model.zip or .onnx)." };
        var photos = new Argument<string>("photos") { Description = "Labelled photos of the deployment: a folder with happy/, neutral/, sad/, surprise/ (every image found, face detection first)." };
        var outFile = new Option<string?>("--out") { Description = "The deployment calibration file to write (JSON)." };
        var l2 = new Option<double>("--l2") { Description = "Pull of the offsets toward zero (L2 on the mean log-likelihood); set before measuring, not tuned on the photos.", DefaultValueFactory = _ => ClassPriorFit.DefaultL2 };
        var crossFit = new Option<int>("--cross-fit") { Description = "Measure instead of (or besides) fitting: draw this many photos per class, fit on them, score the rest; repeated --repeats times." };
        var repeats = new Option<int>("--repeats") { Description = "Cross-fitting rounds.", DefaultValueFactory = _ => 20 };
        var seed = new Option<int>("--seed") { Description = "Seed of the cross-fitting draws.", DefaultValueFactory = _ => 1 };
        var force = new Option<bool>("--force") { Description = "Replace an existing --out file." };
        var cmd = new Command("calibrate-deployment", "Fit a deployment's class priors on a few labelled photos of it (and measure what they are worth by cross-fitting).")
        {
            model, photos, outFile, l2, crossFit, repeats, seed, force,
        };
        cmd.SetAction(parse => FerCommandLine.Guard(() => Run(parse.GetValue(model)!, parse.GetValue(photos)!, parse.GetValue(outFile),
            parse.GetValue(l2), parse.GetValue(crossFit), parse.GetValue(repeats), parse.GetValue(seed), parse.GetValue(force))));
        return cmd;
    }

    private static int Run(string modelPath, string photosRoot, string? outFile, double l2, int crossFit, int repeats, int seed, bool force)
    {
        if (outFile is null && crossFit == 0) throw new UsageException("Give --out FILE to fit, --cross-fit N to measure, or both.");
        if (l2 < 0 || !double.IsFinite(l2)) throw new UsageException("--l2 must be a finite number ≥ 0.");
        if (crossFit < 0 || repeats < 1) throw new UsageException("--cross-fit must be ≥ 0 and --repeats ≥ 1.");
        if (outFile is not null && File.Exists(outFile) && !force) throw new UsageException($"'{outFile}' exists; pass --force to replace it.");
        if (!File.Exists(modelPath)) throw new FileNotFoundException($"Model '{modelPath}' does not exist.");
        var index = DatasetReader.Read(photosRoot, new DatasetReaderOptions { CreateValidationWhenMissing = false });
        var entries = index.Entries;
        var (scores, unreadable) = FerCommandLine.WithProgress("Finding and classifying faces", _ =>
            MlNetEvaluation.LargestFaceScores(modelPath, entries, new FerPredictorOptions()));
        var truth = entries.Select(e => e.Label).ToArray();
        int withFace = scores.Count(s => s is not null);
        AnsiConsole.MarkupLine($"{entries.Count:N0} photos: {withFace:N0} with a face, {unreadable.Count(u => u)} unreadable, " +
                               $"{entries.Count - withFace - unreadable.Count(u => u)} without a face");

        if (crossFit > 0) ReportCrossFit(ClassPriorFit.CrossFit(scores, truth, crossFit, repeats, seed, l2), crossFit, l2);
        if (outFile is null) return ExitCodes.Success;

        var rows = Enumerable.Range(0, entries.Count).Where(i => scores[i] is not null).ToArray();
        var offsets = ClassPriorFit.Fit(rows.Select(i => scores[i]!).ToList(), rows.Select(i => truth[i]).ToList(), l2);
        var calibration = new DeploymentCalibration
        {
            Model = Path.GetFileName(modelPath),
            ModelSha256 = FileHash.Sha256(modelPath),
            ClassLogOffsets = offsets,
            PhotosPerClass = ClassMap.Of(c => rows.Count(i => truth[i] == c)),
            L2 = l2,
            Created = DateTimeOffset.UtcNow,
        };
        AtomicFile.WriteAllText(outFile, JsonSerializer.Serialize(calibration, DeploymentCalibration.JsonOptions));
        AnsiConsole.MarkupLine($"offsets ({string.Join(", ", EmotionClasses.Names)}): {string.Join(" ", offsets.Select(o => o.ToString("+0.000;-0.000")))} " +
                               $"from {rows.Length} photos → {Markup.Escape(outFile)}");
        return ExitCodes.Success;
    }

    private static void ReportCrossFit(IReadOnlyList<CrossFitRound> rounds, int perClass, double l2)
    {
        var gains = rounds.Select(r => (r.RightAfter - r.RightBefore) / (double)r.HeldOut).ToArray();
        double before = rounds.Average(r => r.RightBefore / (double)r.HeldOut), after = rounds.Average(r => r.RightAfter / (double)r.HeldOut);
        double sd = Math.Sqrt(gains.Select(g => (g - gains.Average()) * (g - gains.Average())).Sum() / Math.Max(1, gains.Length - 1));
        AnsiConsole.MarkupLine($"cross-fitted, {perClass} labelled photos per class, {rounds.Count} rounds (l2 {l2}): accuracy on the other " +
                               $"{rounds[0].HeldOut} photos {before:P2} → {after:P2} (gain {gains.Average() * 100:+0.00;-0.00} points, " +
                               $"sd {sd * 100:F2}; better in {gains.Count(g => g > 0)}, worse in {gains.Count(g => g < 0)} rounds)");
    }
}
