using System.Text.Json;
using System.Text.Json.Nodes;
using FerMlNet.Core;
using FerMlNet.Core.Quality;
using FerMlNet.Preprocessing;
using FerMlNet.Scoring;
using FerMlNet.Lifecycle.Calibration;
using FerMlNet.Training.Onnx;
using FerMlNet.Lifecycle.Publishing;
using FerMlNet.Lifecycle.Runs;
using Google.Protobuf;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Onnx;

namespace FerMlNet.Tests;

/// <summary>
/// Post-training calibration (the research log's TTA, class-threshold tuning and temperature scaling): the ONNX graph edits
/// are checked against the original graph run by ONNX Runtime on real faces, the fitter against synthetic logits with
/// a known answer, and `fer calibrate` end to end, down to ML.NET's PredictionEngine on the written model.zip.
/// </summary>
[Collection(TorchCollection.Name)]
public class CalibrationTests(TrainedModelFixture model) : IClassFixture<TrainedModelFixture>
{
    private static readonly byte[][] Faces = EmotionClasses.Names
        .SelectMany(c => TestData.Fer4MitImages("test", c, 3)).Select(FaceImageDecoder.DecodeFile).ToArray();

    [Fact]
    public void FlipAveragedGraphAveragesTheLogitsOfAFaceAndItsMirrorAndCannotTellThemApart()
    {
        var original = ModelProto.Parser.ParseFrom(File.ReadAllBytes(model.OnnxPath));
        var tta = OnnxGraphEdits.WithFlipAveraging(original);
        var mirrored = Faces.Select(Mirror).ToArray();

        var logits = Run(OnnxGraphEdits.WithLogitsOutput(original), Faces, OnnxGraphEdits.LogitsName(original));
        var mirroredLogits = Run(OnnxGraphEdits.WithLogitsOutput(original), mirrored, OnnxGraphEdits.LogitsName(original));
        var ttaLogits = Run(OnnxGraphEdits.WithLogitsOutput(tta), Faces, OnnxGraphEdits.LogitsName(tta));
        for (int i = 0; i < Faces.Length; i++)
            for (int c = 0; c < EmotionClasses.Count; c++)
                Assert.Equal((logits[i][c] + mirroredLogits[i][c]) / 2, ttaLogits[i][c], 1e-4);
        Assert.Contains(Enumerable.Range(0, Faces.Length), i => Math.Abs(logits[i][0] - mirroredLogits[i][0]) > 1e-3); // the test means something

        var probabilities = Run(tta, Faces, OnnxExporter.ProbabilitiesName);
        var mirroredProbabilities = Run(tta, mirrored, OnnxExporter.ProbabilitiesName);
        for (int i = 0; i < Faces.Length; i++)
            for (int c = 0; c < EmotionClasses.Count; c++)
                Assert.Equal(probabilities[i][c], mirroredProbabilities[i][c], 1e-5);
        Assert.Throws<InvalidDataException>(() => OnnxGraphEdits.WithFlipAveraging(tta));
    }

    [Fact]
    public void ShiftAveragedGraphAveragesTheLogitsOfFiveReflectedShiftsAndNestsWithFlips()
    {
        const int pixels = 3;
        var original = ModelProto.Parser.ParseFrom(File.ReadAllBytes(model.OnnxPath));
        var withLogits = OnnxGraphEdits.WithLogitsOutput(original);
        string logitsName = OnnxGraphEdits.LogitsName(original);
        (int Dy, int Dx)[] views = [(0, 0), (-pixels, 0), (pixels, 0), (0, -pixels), (0, pixels)];
        // The expected answer from C# alone: each face moved with its border reflected, run through the plain graph.
        var expected = new double[Faces.Length, EmotionClasses.Count];
        var expectedFlipped = new double[Faces.Length, EmotionClasses.Count];
        foreach (var (dy, dx) in views)
        {
            var shifted = Faces.Select(f => Shift(f, dy, dx)).ToArray();
            var logits = Run(withLogits, shifted, logitsName);
            var mirroredLogits = Run(withLogits, shifted.Select(Mirror).ToArray(), logitsName);
            for (int i = 0; i < Faces.Length; i++)
                for (int c = 0; c < EmotionClasses.Count; c++)
                {
                    expected[i, c] += logits[i][c] / views.Length;
                    expectedFlipped[i, c] += (logits[i][c] + mirroredLogits[i][c]) / 2 / views.Length;
                }
        }

        var shiftedGraph = OnnxGraphEdits.WithShiftAveraging(original, pixels);
        var shiftLogits = Run(OnnxGraphEdits.WithLogitsOutput(shiftedGraph), Faces, OnnxGraphEdits.LogitsName(shiftedGraph));
        // Either nesting order is the same ten views.
        var both = OnnxGraphEdits.WithShiftAveraging(OnnxGraphEdits.WithFlipAveraging(original), pixels);
        var bothReversed = OnnxGraphEdits.WithFlipAveraging(OnnxGraphEdits.WithShiftAveraging(original, pixels));
        var bothLogits = Run(OnnxGraphEdits.WithLogitsOutput(both), Faces, OnnxGraphEdits.LogitsName(both));
        var bothReversedLogits = Run(OnnxGraphEdits.WithLogitsOutput(bothReversed), Faces, OnnxGraphEdits.LogitsName(bothReversed));
        var plain = Run(withLogits, Faces, logitsName);
        for (int i = 0; i < Faces.Length; i++)
            for (int c = 0; c < EmotionClasses.Count; c++)
            {
                Assert.Equal(expected[i, c], shiftLogits[i][c], 1e-4);
                Assert.Equal(expectedFlipped[i, c], bothLogits[i][c], 1e-4);
                Assert.Equal(expectedFlipped[i, c], bothReversedLogits[i][c], 1e-4);
            }
        Assert.Contains(Enumerable.Range(0, Faces.Length), i => Math.Abs(plain[i][0] - shiftLogits[i][0]) > 1e-3); // shifts change something
        Assert.Throws<InvalidDataException>(() => OnnxGraphEdits.WithShiftAveraging(shiftedGraph, pixels));
        Assert.Throws<ArgumentOutOfRangeException>(() => OnnxGraphEdits.WithShiftAveraging(original, 0));
    }

    [Fact]
    public void ModelCardRebuildRepeatsTheCalibrationOptionsIncludingTheBiasChoice()
    {
        var recorded = Lifecycle.Calibration.CalibrationRecord.Load(Path.Combine(TestData.RepoRoot, "docs", "results", "crowd-labels", "vgg-gap-votes-calibrated-calibration.json"));
        Assert.Equal(" --tta --objective macro-f1 --labels crowd", recorded.RebuildOptions());
        var dropped = recorded.BiasChoice! with { Kept = false };
        var folder = recorded with { FittedOn = recorded.FittedOn with { Labels = "folder" } };
        // Written before the bias choice existed: the biases were always kept, so the rebuild must keep them too.
        Assert.Equal(" --tta --objective macro-f1 --keep-bias",
            (folder with { ShiftAveraging = null, KeepBias = null, BiasChoice = null }).RebuildOptions());
        Assert.Equal(" --tta --tta-shift 2 --objective macro-f1",
            (folder with { ShiftAveraging = 2, KeepBias = false, BiasChoice = dropped }).RebuildOptions());
        Assert.Equal(" --objective accuracy --keep-bias",
            (folder with { FlipAveraging = false, ShiftAveraging = 0, Objective = "accuracy", KeepBias = true }).RebuildOptions());
        Assert.Equal(" --tta --objective none", (folder with { Objective = "none", KeepBias = null, BiasChoice = null }).RebuildOptions());

        // An ensemble with the published model as a member (fer calibrate models/fer-default.onnx runs/X): the file is
        // used as it is, so the rebuild trains only the other member and calibrates with the file's path.
        static JsonObject Json(string json) => JsonNode.Parse(json)!.AsObject();
        var withShipped = new RunRecord
        {
            Pipeline = Json("""{"name": "a+b+vgg-se-res-long-mixup"}"""),
            Members = [Json("""{"name": "a+b"}"""), Json("""{"name": "vgg-se-res-long-mixup"}""")],
            Calibration = folder with
            {
                Sources = ["/repo/models/fer-default.onnx", "/work/runs/vgg-se-res-long-mixup"], ShiftAveraging = 0, KeepBias = false, BiasChoice = dropped,
            },
        };
        Assert.Equal("./fer data split datasets/fer4-mit --out datasets/fer4-clean --seed 42 --near-confirm none && ./fer train vgg-se-res-long-mixup " +
                     "--data datasets/fer4-clean && ./fer calibrate models/fer-default.onnx runs/vgg-se-res-long-mixup --data " +
                     "datasets/fer4-clean --tta --objective macro-f1 --out runs/a+b+vgg-se-res-long-mixup-calibrated",
            ModelPublisher.Rebuild(HashOnlySplit("fer4-mit", 42), withShipped));

        // A student of the published model: its card lists the teacher file with the SHA-256 training recorded (not
        // the file's hash now, which a later publish may have changed) and the teacher card's own rebuild line.
        string shipped = Path.Combine(TestData.RepoRoot, "models", "fer-default.onnx");
        var student = new RunRecord
        {
            Pipeline = new JsonObject { ["distillation"] = new JsonObject { ["teacherModel"] = shipped } },
            TeacherModelSha256 = "recorded-at-training",
        };
        var uses = ModelPublisher.PublishedSources(student)!.Single()!;
        Assert.Equal(("models/fer-default.onnx", "distillation teacher", "recorded-at-training"), (uses.Model, uses.UsedAs, uses.Sha256));
        Assert.Equal((string?)Json(File.ReadAllText(Path.ChangeExtension(shipped, ".json")))["rebuild"], uses.Rebuild);
        Assert.Null(ModelPublisher.PublishedSources(new RunRecord { Pipeline = Json("""{"name": "vgg-gap"}""") }));
    }

    /// <summary>The face moved so that output (y, x) shows input (y + dy, x + dx), indices reflected at the border.</summary>
    private static byte[] Shift(byte[] face, int dy, int dx)
    {
        int side = PreprocessingContract.ImageSize;
        int Reflect(int i) => i < 0 ? -i : i >= side ? 2 * (side - 1) - i : i;
        var result = new byte[face.Length];
        for (int y = 0; y < side; y++)
            for (int x = 0; x < side; x++) result[y * side + x] = face[Reflect(y + dy) * side + Reflect(x + dx)];
        return result;
    }

    [Fact]
    public void LogitAdjustmentInTheGraphEqualsTheFittedFormula()
    {
        var original = ModelProto.Parser.ParseFrom(File.ReadAllBytes(model.OnnxPath));
        var adjustment = new LogitAdjustment(1.7, [0, 0.3, -0.2, 0.5]);
        var logits = Run(OnnxGraphEdits.WithLogitsOutput(original), Faces, OnnxGraphEdits.LogitsName(original));
        var adjusted = Run(OnnxGraphEdits.WithLogitAdjustment(original, adjustment.Temperature, adjustment.Bias), Faces, OnnxExporter.ProbabilitiesName);
        for (int i = 0; i < Faces.Length; i++)
        {
            var expected = adjustment.Probabilities(logits[i]);
            for (int c = 0; c < EmotionClasses.Count; c++) Assert.Equal(expected[c], adjusted[i][c], 1e-5);
        }
    }

    [Fact]
    public void EnsembleGraphAveragesItsMembersLogits()
    {
        var original = ModelProto.Parser.ParseFrom(File.ReadAllBytes(model.OnnxPath));
        double[] bias = [0.4, -0.6, 0.2, 1.0];
        var shifted = OnnxGraphEdits.WithLogitAdjustment(original, 1, bias); // same network, logits moved by bias
        var ensemble = OnnxGraphEdits.Ensemble([original, shifted]);
        var logits = Run(OnnxGraphEdits.WithLogitsOutput(original), Faces, OnnxGraphEdits.LogitsName(original));
        var ensembleLogits = Run(OnnxGraphEdits.WithLogitsOutput(ensemble), Faces, OnnxGraphEdits.LogitsName(ensemble));
        for (int i = 0; i < Faces.Length; i++)
            for (int c = 0; c < EmotionClasses.Count; c++)
                Assert.Equal(logits[i][c] + bias[c] / 2, ensembleLogits[i][c], 1e-4);
        Assert.Equal(original.Graph.Initializer.Count + shifted.Graph.Initializer.Count + 1, ensemble.Graph.Initializer.Count); // every member initializer, and 1/n
        Assert.Throws<ArgumentException>(() => OnnxGraphEdits.Ensemble([original]));
    }

    [Fact]
    public void EnsembleFlipAveragingLeavesAMemberThatAlreadyAveragesOverFlipsAsItIs()
    {
        var original = ModelProto.Parser.ParseFrom(File.ReadAllBytes(model.OnnxPath));
        var published = OnnxGraphEdits.WithLogitAdjustment(OnnxGraphEdits.WithFlipAveraging(original), 0.8, [0.4, -0.6, 0.2, 1.0]); // like fer-default
        var ensemble = OnnxGraphEdits.EnsembleWithFlipAveraging([published, original]);
        var flippedTwice = OnnxGraphEdits.WithFlipAveraging(OnnxGraphEdits.Ensemble([published, original])); // before this change

        // Every mirror is taken of the input itself: the published member runs a batch of 2N, not of 4N.
        static int MirrorsOfMirrors(ModelProto m) => m.Graph.Node.Count(n => n.OpType == "Slice" && n.Input[0] != OnnxExporter.InputName);
        Assert.Equal(0, MirrorsOfMirrors(ensemble));
        Assert.Equal(1, MirrorsOfMirrors(flippedTwice));
        var expected = Run(OnnxGraphEdits.WithLogitsOutput(flippedTwice), Faces, OnnxGraphEdits.LogitsName(flippedTwice));
        var actual = Run(OnnxGraphEdits.WithLogitsOutput(ensemble), Faces, OnnxGraphEdits.LogitsName(ensemble));
        for (int i = 0; i < Faces.Length; i++)
            for (int c = 0; c < EmotionClasses.Count; c++)
                Assert.Equal(expected[i][c], actual[i][c], 1e-4);
    }

    /// <summary>A calibrated synthetic model: n rows of logits z, each true class drawn from softmax(z).</summary>
    private static (float[][] Z, int[] Truth) CalibratedLogits(int n, int seed)
    {
        var random = new Random(seed);
        var z = new float[n][];
        var truth = new int[n];
        for (int i = 0; i < n; i++)
        {
            z[i] = Enumerable.Range(0, 4).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
            var p = LogitAdjustment.Identity.Probabilities(z[i]);
            double u = random.NextDouble(), cumulative = 0;
            truth[i] = 3;
            for (int c = 0; c < 4; c++) if ((cumulative += p[c]) > u) { truth[i] = c; break; }
        }
        return (z, truth);
    }

    [Fact]
    public void ClassBiasesPayOutOfSampleOnlyWhereAClassIsReallyUnderPredicted()
    {
        // Logits already right: the arg-max is the best decision, so any bias fitted on one half is noise on the other.
        var (z, truth) = CalibratedLogits(2000, 11);
        var (withBias, withoutBias) = LogitCalibrator.OutOfSampleScores(z, truth, LogitCalibrator.Objective.Accuracy);
        Assert.True(withBias <= withoutBias, $"{withBias} > {withoutBias}");

        // Sad pushed down by 1.5: a bias fitted on either half restores it on the other.
        var shy = z.Select(row => row.Select((v, c) => c == 2 ? v - 1.5f : v).ToArray()).ToArray();
        var (shyWithBias, shyWithoutBias) = LogitCalibrator.OutOfSampleScores(shy, truth, LogitCalibrator.Objective.MacroF1);
        Assert.True(shyWithBias > shyWithoutBias + 0.03, $"{shyWithBias} vs {shyWithoutBias}");

        // Cross-fitting returns every face once, with its own true class.
        var (crossLogits, crossTruth) = LogitCalibrator.CrossFitted(shy, truth, LogitCalibrator.Objective.MacroF1);
        Assert.Equal(truth.Order(), crossTruth.Order());
        Assert.Equal(shy.Length, crossLogits.Length);
        Assert.Throws<ArgumentException>(() => LogitCalibrator.OutOfSampleScores(z, truth, LogitCalibrator.Objective.None));

        // The rule fer calibrate applies: noise gains less than one face's worth (1/2,000 here), the sad fix far more.
        Assert.True(withBias - withoutBias < LogitCalibrator.MinimumBiasGain(truth.Length), $"{withBias} vs {withoutBias}");
        Assert.True(shyWithBias - shyWithoutBias >= LogitCalibrator.MinimumBiasGain(truth.Length));
    }

    [Fact]
    public void FitterRecoversAnUnderPredictedClassAndAnOverConfidentScale()
    {
        var (z, truth) = CalibratedLogits(4000, 7);
        // Three times too confident: temperature ≈ 3, arg-max unchanged, bias left near zero.
        var confident = z.Select(row => row.Select(v => v * 3).ToArray()).ToArray();
        var temperatureOnly = LogitCalibrator.Fit(confident, truth, LogitCalibrator.Objective.None);
        Assert.InRange(temperatureOnly.Temperature, 2.6, 3.4);
        Assert.All(temperatureOnly.Bias, b => Assert.Equal(0, b));
        Assert.True(LogitCalibrator.NegativeLogLikelihood(confident, truth, temperatureOnly)
                    < LogitCalibrator.NegativeLogLikelihood(confident, truth, LogitAdjustment.Identity) - 0.1);

        // Sad pushed down by 1.5: the macro-F1 search gives it back most of that.
        var shy = z.Select(row => row.Select((v, c) => c == 2 ? v - 1.5f : v).ToArray()).ToArray();
        var fitted = LogitCalibrator.Fit(shy, truth, LogitCalibrator.Objective.MacroF1);
        Assert.InRange(fitted.Bias[2] - fitted.Bias.Where((_, c) => c != 2).Average(), 0.9, 2.1);
        Assert.True(LogitCalibrator.Measure(shy, truth, fitted.Bias).MacroF1 > LogitCalibrator.Measure(shy, truth, new double[4]).MacroF1 + 0.03);
    }

    [Fact]
    [Trait(TestSpeed.Trait, TestSpeed.Slow)]
    public void PublishWritesATypedCardWithTheSplitTheModelWasScoredOn()
    {
        using var work = TestData.NewTempDir();
        TestData.CopySubset(work.Combine("source"), 8, ("train", "train"), ("validation", "validation"), ("test", "test"));
        Assert.Equal(0, CliProcess.Run("data", "split", work.Combine("source"), "--out", work.Combine("split"), "--seed", "42").ExitCode);
        string run = work.Combine("run");
        Directory.CreateDirectory(run);
        File.Copy(model.OnnxPath, Path.Combine(run, "model.onnx"));
        File.Copy(model.ZipPath, Path.Combine(run, "model.zip"));
        File.WriteAllText(Path.Combine(run, "run.json"), """{ "pipeline": { "name": "tiny", "seed": 5 }, "epochsRun": 3, "bestEpoch": 2, "params": 319300 }""");
        Assert.Equal(0, CliProcess.Run("evaluate", model.ZipPath, "--data", work.Combine("split"), "--split", "val", "--out", run).ExitCode);
        Assert.Equal(0, CliProcess.Run("evaluate", model.ZipPath, "--data", work.Combine("split"), "--split", "test", "--out", work.Combine("test")).ExitCode);

        var published = CliProcess.Run("publish", run, "--split-manifest", work.Combine("split", "manifest.json"),
            "--test-metrics", work.Combine("test", "metrics.json"), "--name", "tiny", "--models", work.Combine("models"));
        Assert.True(published.ExitCode == 0, published.Stderr);
        var card = Lifecycle.Publishing.ModelCard.Load(work.Combine("models", "tiny.json"));
        Assert.Equal(("tiny", 42, 3, 2, 319300L), (card.Name, card.SplitSeed, card.EpochsRun, card.BestEpoch, card.Params));
        Assert.Equal(Core.IO.FileHash.Sha256(work.Combine("split", "manifest.json")), card.DataManifestSha256);
        Assert.Equal(("val", "test"), (card.Validation.Split, card.Test.Split));
        Assert.Equal(96, card.SplitSource.Images);
        Assert.StartsWith("./fer data split", card.Rebuild);
        Assert.True(File.Exists(work.Combine("models", "tiny.zip")) && File.Exists(work.Combine("models", "tiny.onnx")));
        // The card names the faces it got wrong relative to the folder that holds models/, not by this machine's paths.
        Assert.NotEmpty(card.Validation.Mistakes!);
        Assert.All(card.Validation.Mistakes!.Concat(card.Test.Mistakes!), m => Assert.StartsWith("split/", m.Path));
        Assert.DoesNotContain(work.Path, File.ReadAllText(work.Combine("models", "tiny.json")));
    }

    [Fact]
    [Trait(TestSpeed.Trait, TestSpeed.Slow)]
    public void TheCalibratorIsALibraryCallThatReportsItsStepsAndRefusesABadRequestBeforeReadingAnything()
    {
        using var data = TestData.NewTempDir();
        using var work = TestData.NewTempDir();
        TestData.CopySubset(data.Path, 10, ("train", "train"), ("validation", "validation"));
        var run = work.Combine("run");
        Directory.CreateDirectory(run);
        File.Copy(model.OnnxPath, Path.Combine(run, "model.onnx"));
        var options = new CalibrationOptions
        {
            Sources = [run], DataRoot = data.Path, OutputFolder = work.Combine("calibrated"), FlipAveraging = true,
            Objective = LogitCalibrator.Objective.None,
        };
        var steps = new RecordingProgress();

        var result = ModelCalibrator.Calibrate(options, steps);
        Assert.Equal(["Decoding images", "Logits (validation, as trained)", "Logits (validation, averaged over views)", "Evaluating (validation)"], steps.Steps);
        Assert.Equal(40, result.Record.FittedOn.Images);
        Assert.Equal("none", result.Record.Objective);
        Assert.Null(result.Record.BiasChoice);
        Assert.Equal(result.Record.CalibratedInSample.Accuracy, result.Validation.Accuracy, 1e-6);
        Assert.Equal(result.Record.Temperature, CalibrationRecord.Load(Path.Combine(result.Folder, "calibration.json")).Temperature);
        Assert.Null(RunRecord.Load(result.Folder).PipelineName); // a bare model.onnx: no training record to carry
        Assert.NotNull(RunRecord.Load(result.Folder).Calibration);

        foreach (var bad in new[] { new CalibrationOptions { Sources = [run], DataRoot = data.Path, OutputFolder = run },
                                    new CalibrationOptions { Sources = [run], DataRoot = data.Path, OutputFolder = work.Combine("x"), ShiftPixels = 9 },
                                    new CalibrationOptions { DataRoot = data.Path, OutputFolder = work.Combine("y") } })
            Assert.Throws<ArgumentException>(() => ModelCalibrator.Calibrate(bad, steps));
        Assert.Equal(4, steps.Steps.Count);
        Assert.False(Directory.Exists(work.Combine("x")) || Directory.Exists(work.Combine("y")));
    }

    [Fact]
    [Trait(TestSpeed.Trait, TestSpeed.Slow)]
    public void CalibrateWritesAModelZipThatPredictionEngineLoadsAndReportsWhatItFitted()
    {
        using var data = TestData.NewTempDir();
        using var work = TestData.NewTempDir();
        TestData.CopySubset(data.Path, 15, ("train", "train"), ("validation", "validation"));
        var run = work.Combine("run");
        Directory.CreateDirectory(run);
        File.Copy(model.OnnxPath, Path.Combine(run, "model.onnx"));
        File.WriteAllText(Path.Combine(run, "run.json"), """{ "pipeline": { "name": "tiny", "seed": 5 }, "epochsRun": 3, "bestEpoch": 2, "params": 319300 }""");
        var outDir = work.Combine("calibrated");

        var result = CliProcess.Run("calibrate", run, "--data", data.Path, "--tta", "--tta-shift", "2", "--out", outDir);
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("cross-fitted", result.Stdout);
        using var calibration = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "calibration.json")));
        var root = calibration.RootElement;
        // Before and after are printed on the labels the fit used (here the folder's), like with like.
        double Accuracy(string stage) => root.GetProperty(stage).GetProperty("accuracy").GetDouble();
        Assert.Contains(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"val (60, folder labels): accuracy {Accuracy("asTrained"):P2} → {Accuracy("calibratedInSample"):P2}"), result.Stdout);
        Assert.Equal(60, root.GetProperty("fittedOn").GetProperty("images").GetInt32());
        Assert.True(root.GetProperty("flipAveraging").GetBoolean());
        Assert.Equal(2, root.GetProperty("shiftAveraging").GetInt32());
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "metrics.json")));
        // ML.NET's evaluation of the written model.zip agrees with the fitter's own arithmetic on the same faces.
        Assert.Equal(root.GetProperty("calibratedInSample").GetProperty("accuracy").GetDouble(),
            metrics.RootElement.GetProperty("accuracy").GetDouble(), 1e-6);
        // The biases stay only where their cross-fitted score beats none by one face's worth (1/60 here); dropped biases
        // are all zero in what is written.
        var choice = root.GetProperty("biasChoice");
        bool kept = choice.GetProperty("kept").GetBoolean();
        Assert.Equal(1.0 / 60, choice.GetProperty("minimumGain").GetDouble(), 1e-12);
        Assert.Equal(choice.GetProperty("crossFittedScore").GetDouble() - choice.GetProperty("scoreWithoutBias").GetDouble() >= 1.0 / 60, kept);
        if (!kept) Assert.All(root.GetProperty("bias").EnumerateObject(), b => Assert.Equal(0, b.Value.GetDouble()));
        Assert.Contains(kept ? "class biases kept" : "class biases dropped", result.Stdout);

        var ml = new MLContext();
        using var loaded = (TransformerChain<ITransformer>)ml.Model.Load(Path.Combine(outDir, "model.zip"), out _);
        using var engine = ml.Model.CreatePredictionEngine<FerImageInput, FerPrediction>(loaded);
        using var predictor = FerPredictor.Load(Path.Combine(outDir, "model.onnx"));
        foreach (var path in EmotionClasses.Names.Select(c => TestData.Fer4MitImages("test", c, 1)[0]))
        {
            var fromZip = engine.Predict(new FerImageInput { ImagePath = path }).Score;
            var fromOnnx = predictor.Predict(path).Probabilities;
            for (int c = 0; c < EmotionClasses.Count; c++) Assert.Equal(fromOnnx[c], fromZip[c], 1e-5);
        }

        var ensembleDir = work.Combine("ensemble");
        var ensemble = CliProcess.Run("calibrate", run, run, "--data", data.Path, "--objective", "none", "--out", ensembleDir);
        Assert.True(ensemble.ExitCode == 0, ensemble.Stderr);
        using var ensembleCalibration = JsonDocument.Parse(File.ReadAllText(Path.Combine(ensembleDir, "calibration.json")));
        Assert.Equal(2, ensembleCalibration.RootElement.GetProperty("sources").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, ensembleCalibration.RootElement.GetProperty("biasChoice").ValueKind); // none fitted
        // The ensemble's run.json says how each member was trained, for the model card `fer publish` writes.
        using var ensembleRun = JsonDocument.Parse(File.ReadAllText(Path.Combine(ensembleDir, "run.json")));
        var memberRuns = ensembleRun.RootElement.GetProperty("memberRuns").EnumerateArray().ToList();
        Assert.Equal(2, memberRuns.Count);
        Assert.All(memberRuns, m => Assert.Equal(("tiny", 5, 3, 2), (m.GetProperty("pipeline").GetString(),
            m.GetProperty("trainingSeed").GetInt32(), m.GetProperty("epochsRun").GetInt32(), m.GetProperty("bestEpoch").GetInt32())));
        Assert.Equal(2 * 319300, ensembleRun.RootElement.GetProperty("params").GetInt64());
        // The shipped model file as a member: its card names it and counts its parameters in the ensemble's run.json.
        string shipped = Path.Combine(TestData.RepoRoot, "models", "fer-default.onnx");
        var withShipped = CliProcess.Run("calibrate", shipped, run, "--data", data.Path, "--objective", "none", "--out", work.Combine("with-shipped"));
        Assert.True(withShipped.ExitCode == 0, withShipped.Stderr);
        using var shippedCard = JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(shipped, ".json")));
        using var withShippedRun = JsonDocument.Parse(File.ReadAllText(work.Combine("with-shipped", "run.json")));
        Assert.Equal(shippedCard.RootElement.GetProperty("pipeline").GetProperty("name").GetString() + "+tiny",
            withShippedRun.RootElement.GetProperty("pipeline").GetProperty("name").GetString());
        Assert.Equal(shippedCard.RootElement.GetProperty("params").GetInt64() + 319300, withShippedRun.RootElement.GetProperty("params").GetInt64());
        // Two copies of one network average to that network: same answers as the single model before calibration.
        Assert.Equal(root.GetProperty("asTrained").GetProperty("accuracy").GetDouble(),
            ensembleCalibration.RootElement.GetProperty("calibratedInSample").GetProperty("accuracy").GetDouble(), 1e-9);

        var again = CliProcess.Run("calibrate", run, "--data", data.Path, "--out", outDir);
        Assert.Equal(1, again.ExitCode); // usage error (cli-contract exit codes)
        Assert.Contains("already exists", again.Stderr);
        var forced = CliProcess.Run("calibrate", run, "--data", data.Path, "--keep-bias", "--out", work.Combine("forced"));
        Assert.True(forced.ExitCode == 0, forced.Stderr);
        using var forcedCalibration = JsonDocument.Parse(File.ReadAllText(Path.Combine(work.Combine("forced"), "calibration.json")));
        Assert.True(forcedCalibration.RootElement.GetProperty("biasChoice").GetProperty("kept").GetBoolean());
        var badShift = CliProcess.Run("calibrate", run, "--data", data.Path, "--out", work.Combine("y"), "--tta-shift", "9");
        Assert.Equal(1, badShift.ExitCode);
        Assert.Contains("--tta-shift", badShift.Stderr);
        var badObjective = CliProcess.Run("calibrate", run, "--data", data.Path, "--out", work.Combine("x"), "--objective", "recall");
        Assert.Equal(1, badObjective.ExitCode);
        Assert.Contains("--objective", badObjective.Stderr);
    }

    private static byte[] Mirror(byte[] face)
    {
        var result = new byte[face.Length];
        int side = PreprocessingContract.ImageSize;
        for (int y = 0; y < side; y++)
            for (int x = 0; x < side; x++) result[y * side + x] = face[y * side + side - 1 - x];
        return result;
    }

    private static float[][] Run(ModelProto graph, byte[][] faces, string output)
    {
        using var session = new InferenceSession(graph.ToByteArray());
        var input = new DenseTensor<float>([faces.Length, 1, 48, 48]);
        for (int i = 0; i < faces.Length; i++)
            for (int p = 0; p < faces[i].Length; p++) input.Buffer.Span[i * faces[i].Length + p] = faces[i][p] / 255f;
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(OnnxExporter.InputName, input)], [output]);
        var values = results.First().AsTensor<float>().ToArray();
        int k = values.Length / faces.Length;
        return Enumerable.Range(0, faces.Length).Select(i => values.AsSpan(i * k, k).ToArray()).ToArray();
    }

    /// <summary>The manifest of a split by the hash alone (no pixel confirmation) with no files: what a rebuild line reads.</summary>
    private static SplitManifest HashOnlySplit(string dataset, int seed) => new()
    {
        Tool = SplitManifest.SplitTool, Source = new SplitSource(dataset, "key", 0), Preprocessing = PreprocessingContract.Version,
        Seed = seed, Ratios = [0.8, 0.1, 0.1], KeepDuplicates = false, NearMethod = "phash",
        NearThreshold = AuditOptions.DefaultNearThreshold, BlankMaxStdDev = 3, Images = 0, Counts = [], Shares = [],
        SetAside = [], DroppedCopies = [], Files = [],
    };
}
