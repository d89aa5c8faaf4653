using System.Text.Json;
using FerMlNet.Scoring;
using FerMlNet.Lifecycle.Calibration;

namespace FerMlNet.Tests;

/// <summary>
/// Per-deployment calibration: class-prior offsets fitted on a few labelled photos of a deployment, applied by the
/// predictor and by `fer score --deployment`, measured by cross-fitting.
/// </summary>
public class DeploymentCalibrationTests
{
    /// <summary>A model that calls a third of the sad faces neutral: the fitted offsets must favour sad over neutral.</summary>
    [Fact]
    public void OffsetsFittedToAModelThatUnderCallsSadFavourSadAndRecoverItsFaces()
    {
        var rows = new List<float[]>();
        var truth = new List<int>();
        for (int i = 0; i < 40; i++)
        {
            rows.Add([0.85f, 0.05f, 0.05f, 0.05f]); truth.Add(0);
            rows.Add([0.05f, 0.80f, 0.10f, 0.05f]); truth.Add(1);
            rows.Add(i % 3 == 0 ? [0.05f, 0.50f, 0.40f, 0.05f] : [0.05f, 0.25f, 0.65f, 0.05f]); truth.Add(2);
            rows.Add([0.05f, 0.05f, 0.05f, 0.85f]); truth.Add(3);
        }
        var offsets = ClassPriorFit.Fit(rows, truth);
        Assert.Equal(0, offsets.Sum(), 4);
        Assert.True(offsets[2] - offsets[1] > 0.15, string.Join(", ", offsets));
        int Right(IReadOnlyList<float> b) => rows.Select((p, i) => ClassPriorFit.Answer(p, b) == truth[i] ? 1 : 0).Sum();
        Assert.True(Right(offsets) > Right(new float[4]), $"{Right(offsets)} vs {Right(new float[4])}");

        // Answers that are already right and calibrated barely move the offsets; the L2 pull keeps few photos in check.
        var calibrated = ClassPriorFit.Fit(rows.Where((_, i) => truth[i] != 2).ToList(), truth.Where(t => t != 2).ToList());
        Assert.All(calibrated, o => Assert.InRange(o, -0.5f, 0.5f));
        Assert.Throws<ArgumentException>(() => ClassPriorFit.Fit([], []));
    }

    [Fact]
    public void CrossFittingNeverScoresAPhotoItFittedOn()
    {
        var random = new Random(3);
        var rows = new List<float[]?>();
        var truth = new List<int>();
        for (int i = 0; i < 80; i++)
        {
            int c = i % 4;
            var p = Enumerable.Range(0, 4).Select(k => (float)(k == c ? 0.4 + random.NextDouble() * 0.3 : random.NextDouble() * 0.2)).ToArray();
            rows.Add(i == 5 ? null : p); // one photo without a face: wrong in both arms
            truth.Add(c);
        }
        var rounds = ClassPriorFit.CrossFit(rows, truth, perClass: 5, repeats: 4, seed: 1);
        Assert.Equal(4, rounds.Count);
        Assert.All(rounds, r => Assert.Equal(80 - 4 * 5, r.HeldOut));
        Assert.All(rounds, r => Assert.InRange(r.RightBefore, 0, r.HeldOut - 1));
        Assert.Throws<InvalidDataException>(() => ClassPriorFit.CrossFit(rows, truth, perClass: 20, repeats: 1, seed: 1));
    }

    [Fact]
    public void ThePredictorAppliesOffsetsToItsProbabilitiesAndRefusesAWrongCount()
    {
        var face = File.ReadAllBytes(TestData.Fer4MitImages("test", "happy", 1)[0]);
        using var plain = FerPredictor.Load(WebTestData.FastModel);
        using var shifted = FerPredictor.Load(WebTestData.FastModel, new FerPredictorOptions { ClassLogOffsets = [0, 0, 12, 0] });
        var before = plain.Predict(face);
        var after = shifted.Predict(face);
        Assert.Equal("happy", before.PredictedClass);
        Assert.Equal("sad", after.PredictedClass); // e^12 outweighs any happy margin of the model
        Assert.Equal(1.0, after.Probabilities.Sum(), 4);
        // The offsets are a prior shift: the ratio of two classes without an offset does not change.
        Assert.Equal(before.Probabilities[0] / before.Probabilities[1], after.Probabilities[0] / after.Probabilities[1], 2);
        Assert.Throws<ArgumentException>(() => FerPredictor.Load(WebTestData.FastModel, new FerPredictorOptions { ClassLogOffsets = [1, 2] }));
    }

    [Fact]
    [Trait(TestSpeed.Trait, TestSpeed.Slow)]
    public void CalibrateDeploymentWritesAFileThatScoreAppliesToItsModelOnly()
    {
        using var dir = TestData.NewTempDir();
        foreach (var cls in EmotionClasses.Names)
        {
            var target = Directory.CreateDirectory(dir.Combine("photos", cls)).FullName;
            foreach (var photo in Directory.GetFiles(Path.Combine(TestData.WildDev, cls)).Order(StringComparer.Ordinal).Take(6))
                File.Copy(photo, Path.Combine(target, Path.GetFileName(photo)));
        }
        var file = dir.Combine("deployment.json");
        var fit = CliProcess.Run("calibrate-deployment", WebTestData.FastModel, dir.Combine("photos"), "--out", file, "--cross-fit", "2", "--repeats", "3");
        Assert.True(fit.ExitCode == 0, fit.Stderr + fit.Stdout);
        var flat = System.Text.RegularExpressions.Regex.Replace(fit.Stdout, @"\s+", " ");
        Assert.Contains("24 photos: ", flat);
        Assert.Contains("cross-fitted, 2 labelled photos per class, 3 rounds", flat);
        var calibration = DeploymentCalibration.Load(file);
        Assert.Equal("fer-fast.zip", calibration.Model);
        Assert.Equal(4, calibration.ClassLogOffsets.Length);
        Assert.Equal(EmotionClasses.Names, calibration.PhotosPerClass.Keys);
        Assert.All(calibration.PhotosPerClass.Values, n => Assert.InRange(n, 4, 6)); // photos with a face found

        var again = CliProcess.Run("calibrate-deployment", WebTestData.FastModel, dir.Combine("photos"), "--out", file);
        Assert.Equal(1, again.ExitCode); // never replaces a file without --force
        Assert.Contains("--force", again.Stderr + again.Stdout);

        var csv = dir.Combine("scores.csv");
        var scored = CliProcess.Run("score", WebTestData.FastModel, dir.Combine("photos", "sad"), "--out", csv, "--deployment", file, "--detect-faces");
        Assert.True(scored.ExitCode == 0, scored.Stderr + scored.Stdout);
        using var record = JsonDocument.Parse(File.ReadAllText(csv + ".json"));
        Assert.Equal(calibration.ClassLogOffsets, record.RootElement.GetProperty("classLogOffsets").EnumerateArray().Select(e => e.GetSingle()));

        var wrongModel = CliProcess.Run("score", WebTestData.DefaultModel, dir.Combine("photos", "sad"), "--out", dir.Combine("other.csv"), "--deployment", file);
        Assert.Equal(1, wrongModel.ExitCode);
        Assert.Contains("was fitted for fer-fast.zip", System.Text.RegularExpressions.Regex.Replace(wrongModel.Stderr + wrongModel.Stdout, @"\s+", " "));
    }
}
