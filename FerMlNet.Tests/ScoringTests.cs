using FerMlNet.Core.IO;
using FerMlNet.Preprocessing;
using FerMlNet.Scoring;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace FerMlNet.Tests;

[Collection(TorchCollection.Name)]
public class ScoringTests(TrainedModelFixture model) : IClassFixture<TrainedModelFixture>
{
    private static string[] Faces(int perClass) =>
        EmotionClasses.Names.SelectMany(c => TestData.Fer4MitImages("test", c, perClass)).ToArray();

    [Fact]
    public void ZipOnnxAndPredictionEngineGiveTheSameProbabilities()
    {
        using var fromZip = FerPredictor.Load(model.ZipPath);
        using var fromOnnx = FerPredictor.Load(model.OnnxPath);
        var ml = new MLContext();
        using var loaded = (TransformerChain<ITransformer>)ml.Model.Load(model.ZipPath, out _);
        using var engine = ml.Model.CreatePredictionEngine<FerImageInput, FerPrediction>(loaded);
        foreach (var file in Faces(3))
        {
            var a = fromZip.Predict(file);
            var b = fromOnnx.Predict(File.ReadAllBytes(file));
            using var stream = File.OpenRead(file);
            var c = fromZip.Predict(stream);
            var viaMlNet = engine.Predict(new FerImageInput { ImagePath = file });
            Assert.Equal(a.Probabilities, b.Probabilities);
            Assert.Equal(a.Probabilities, c.Probabilities);
            for (int k = 0; k < 4; k++) Assert.Equal(viaMlNet.Score[k], a.Probabilities[k], 1e-5f); // a tolerance, not rounding: rounding to 5 places fails on a 1e-9 difference across a boundary
            Assert.Equal(viaMlNet.PredictedLabel, a.PredictedClass);
            Assert.Equal(1f, a.Probabilities.Sum(), 1e-4f);
        }
    }

    [Fact]
    public void ConcurrentCallersGetTheSequentialAnswers()
    {
        using var predictor = FerPredictor.Load(model.ZipPath);
        var pixels = Faces(5).Select(FaceImageDecoder.DecodeFile).ToArray();
        var expected = pixels.Select(p => predictor.PredictPixels(p).Probabilities).ToArray();
        var batch = predictor.PredictBatch(pixels);
        for (int i = 0; i < pixels.Length; i++)
            for (int k = 0; k < 4; k++) Assert.Equal(expected[i][k], batch[i].Probabilities[k], 1e-5f);
        Parallel.For(0, 8 * pixels.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, j =>
        {
            int i = j % pixels.Length;
            Assert.Equal(expected[i], predictor.PredictPixels(pixels[i]).Probabilities);
        });
    }

    [Fact]
    public void BelowTheThresholdTheAnswerIsUncertain()
    {
        using var strict = FerPredictor.Load(model.OnnxPath, new FerPredictorOptions { UncertainThreshold = 1.01f });
        using var lenient = FerPredictor.Load(model.OnnxPath, new FerPredictorOptions { UncertainThreshold = 0f });
        var face = Faces(1)[0];
        var s = strict.Predict(face);
        Assert.True(s.IsUncertain);
        Assert.Equal(EmotionPrediction.Uncertain, s.Label);
        var l = lenient.Predict(face);
        Assert.False(l.IsUncertain);
        Assert.Equal(l.PredictedClass, l.Label);
        Assert.Equal(s.PredictedClass, l.PredictedClass);
    }

    [Fact]
    public void BrokenModelFilesGiveAClearErrorAtLoad()
    {
        using var dir = TestData.NewTempDir();
        var truncatedZip = dir.Combine("truncated.zip");
        var bytes = File.ReadAllBytes(model.ZipPath);
        File.WriteAllBytes(truncatedZip, bytes[..(bytes.Length / 2)]);
        var e1 = Assert.Throws<InvalidDataException>(() => FerPredictor.Load(truncatedZip));
        Assert.Contains("truncated.zip", e1.Message);

        var garbage = dir.Combine("garbage.onnx");
        File.WriteAllBytes(garbage, new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 });
        var e2 = Assert.Throws<InvalidDataException>(() => FerPredictor.Load(garbage));
        Assert.Contains("garbage.onnx", e2.Message);

        var detector = Path.Combine(TestData.RepoRoot, "models", "face-detection-yunet", "yunet_s_dynamic.onnx");
        var e3 = Assert.Throws<InvalidDataException>(() => FerPredictor.Load(detector));
        Assert.Contains("not a FerMlNet network", e3.Message);
        Assert.Throws<FileNotFoundException>(() => FerPredictor.Load(dir.Combine("missing.zip")));

        // The face detector is loaded with the model: a missing or corrupt one fails here, naming the file.
        var noDetector = new FerPredictorOptions { FaceDetector = new() { ModelPath = dir.Combine("no-detector.onnx") } };
        var e4 = Assert.Throws<FileNotFoundException>(() => FerPredictor.Load(model.ZipPath, noDetector));
        Assert.Contains("no-detector.onnx' does not exist", e4.Message);
        var brokenDetector = new FerPredictorOptions { FaceDetector = new() { ModelPath = garbage } };
        var e5 = Assert.Throws<InvalidDataException>(() => FerPredictor.Load(model.ZipPath, brokenDetector));
        Assert.Contains("garbage.onnx' is not a readable ONNX graph", e5.Message);
    }

    [Fact]
    public void WithoutCudaTheGpuSwitchFallsBackToTheCpuAndSaysSoOnce()
    {
        // The test process runs the CPU build of ONNX Runtime, which has no CUDA provider: the real fallback path.
        var notes = new List<string>();
        var options = new FerPredictorOptions { UseGpu = true, Log = notes.Add };
        using var first = FerPredictor.Load(model.ZipPath, options);
        using var second = FerPredictor.Load(model.ZipPath, options);
        using var cpu = FerPredictor.Load(model.ZipPath);
        foreach (var predictor in new[] { first, second })
        {
            Assert.StartsWith("cpu (GPU requested, CUDA unavailable: ", predictor.DeviceNote);
            Assert.Contains("Microsoft.ML.OnnxRuntime.Gpu.Linux", predictor.DeviceNote);
        }
        Assert.Equal("cpu", cpu.DeviceNote);
        Assert.Equal(first.DeviceNote, Assert.Single(notes)); // no other test asks for the GPU: this is the process's one note
        var face = File.ReadAllBytes(TestData.Fer4MitImages("test", "sad", 1)[0]);
        Assert.Equal(cpu.Predict(face).Probabilities, first.Predict(face).Probabilities);
    }

    [Fact]
    [Trait(TestSpeed.Trait, TestSpeed.Slow)]
    public void TheSadNeutralWatchCountsFacesOnThatBoundaryInTheScoreSummary()
    {
        // happy, neutral, sad, surprise
        Assert.True(EmotionPrediction.IsOnSadNeutralBoundary([0.05f, 0.45f, 0.40f, 0.10f]));
        Assert.False(EmotionPrediction.IsOnSadNeutralBoundary([0.05f, 0.60f, 0.30f, 0.05f])); // 0.3 apart
        Assert.False(EmotionPrediction.IsOnSadNeutralBoundary([0.35f, 0.33f, 0.32f, 0.00f])); // happy in the top two

        using var dir = TestData.NewTempDir();
        TestData.CopySubset(dir.Combine("in"), 16, ("test", "."));
        var csv = dir.Combine("scores.csv");
        var r = CliProcess.Run("score", WebTestData.DefaultModel, dir.Combine("in"), "--out", csv);
        Assert.True(r.ExitCode == 0, r.Stderr);
        var rows = Csv.ParseWritten(File.ReadAllText(csv)).Skip(1)
            .Select(row => (Label: row[6], P: row[8..12].Select(v => float.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray())).ToList();
        var boundary = rows.Where(row => EmotionPrediction.IsOnSadNeutralBoundary(row.P)).ToList();
        Assert.NotEmpty(boundary);
        var summary = System.Text.RegularExpressions.Regex.Replace(r.Stdout, @"\s+", " ");
        Assert.Contains($"sad↔neutral watch: {boundary.Count} faces ({(double)boundary.Count / rows.Count:P1})", summary);
        Assert.Contains($"{boundary.Count(b => b.Label == "uncertain")} of them were answered uncertain", summary);
    }

    [Fact]
    [Trait(TestSpeed.Trait, TestSpeed.Slow)]
    public void ScoreCliWritesOneRowPerImageRecordsBadFilesAndResumesExactlyOnce()
    {
        using var dir = TestData.NewTempDir();
        var input = dir.Combine("in");
        Directory.CreateDirectory(Path.Combine(input, "sub"));
        var faces = Faces(2);
        foreach (var f in faces) File.Copy(f, Path.Combine(input, "sub", Path.GetFileName(f)));
        File.WriteAllText(Path.Combine(input, "not-an-image.jpg"), "hello");
        File.WriteAllText(Path.Combine(input, "notes.txt"), "not an image extension: named with the reason, not scored");
        var csv = dir.Combine("out", "scores.csv");

        var r = CliProcess.Run("score", model.ZipPath, input, "--out", csv);
        Assert.True(r.ExitCode == 0, r.Stderr);
        var rows = Csv.Parse(File.ReadAllText(csv));
        Assert.Equal("path,face,x,y,width,height,label,confidence,p_happy,p_neutral,p_sad,p_surprise,error,mode", string.Join(",", rows[0]));
        Assert.Equal(faces.Length + 2, rows.Count - 1);
        Assert.Contains(rows, row => row[0] == "not-an-image.jpg" && row[12].Contains("not a decodable image"));
        Assert.Contains(rows, row => row[0] == "notes.txt" && row[12].StartsWith("unsupported format (.txt;"));
        Assert.Contains("1 of them in an unsupported format", System.Text.RegularExpressions.Regex.Replace(r.Stdout, @"\s+", " "));
        Assert.All(rows.Skip(1).Where(row => row[12] == ""), row => Assert.Contains(row[6], new[] { "happy", "neutral", "sad", "surprise", "uncertain" }));

        var strict = CliProcess.Run("score", model.ZipPath, input, "--out", dir.Combine("strict.csv"), "--strict");
        Assert.Equal(3, strict.ExitCode);
        Assert.Equal(1, CliProcess.Run("score", model.ZipPath, input, "--out", csv).ExitCode); // never overwrites

        // A kill mid-run: keep the header and three rows, cut the fourth in half; --resume completes every input once.
        var text = File.ReadAllText(csv);
        var lines = text.Split('\n');
        File.WriteAllText(csv, string.Join('\n', lines[..4]) + "\n" + lines[4][..(lines[4].Length / 2)]);
        var resumed = CliProcess.Run("score", model.ZipPath, input, "--out", csv, "--resume");
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        var after = Csv.Parse(File.ReadAllText(csv)).Skip(1).ToList();
        Assert.Equal(faces.Length + 2, after.Count);
        Assert.Equal(after.Count, after.Select(row => row[0]).Distinct().Count());
        Assert.Equal(rows.Skip(1).Select(row => string.Join(",", row)).Order(), after.Select(row => string.Join(",", row)).Order());
    }

    [Fact]
    public void AGroupPhotoGivesOneRowPerFaceAndSmallCropsAreScoredWhole()
    {
        using var dir = TestData.NewTempDir();
        // A group photo made of three wild-dev portraits side by side, and a 48×48 dataset face.
        File.WriteAllBytes(dir.Combine("group.jpg"), WebTestData.GroupPhotoJpeg());
        File.Copy(Faces(1)[0], dir.Combine("crop.jpg"));
        File.WriteAllText(dir.Combine("list.txt"), "path\ngroup.jpg\ncrop.jpg\nmissing.jpg\n");

        var csv = dir.Combine("faces.csv");
        var r = CliProcess.Run("score", model.OnnxPath, dir.Combine("list.txt"), "--out", csv, "--detect-faces");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var rows = Csv.Parse(File.ReadAllText(csv)).Skip(1).ToList();
        var groupRows = rows.Where(row => row[0] == "group.jpg").ToList();
        Assert.Equal(3, groupRows.Count);
        Assert.Equal(["0", "1", "2"], groupRows.Select(row => row[1]));
        Assert.All(groupRows, row => Assert.Equal("detected", row[13]));
        // Each box lies within one of the three portraits.
        Assert.Equal([0, 1, 2], groupRows.Select(row => (int)((float.Parse(row[2]) + float.Parse(row[4]) / 2) / 350)).Order());
        var crop = Assert.Single(rows, row => row[0] == "crop.jpg");
        Assert.Equal(("whole", ""), (crop[13], crop[2]));
        var missing = Assert.Single(rows, row => row[0] == "missing.jpg");
        Assert.Contains("does not exist", missing[12]);
    }

    [Fact]
    [Trait(TestSpeed.Trait, TestSpeed.Slow)]
    public void EvaluateWritesContractMetricsWithAConfidenceInterval()
    {
        using var dir = TestData.NewTempDir();
        TestData.CopySubset(dir.Combine("data"), 10, ("test", "test"));
        // Nothing is left in the temporary folder or the user's cache: ML.NET's copy of the model.zip's network goes
        // when the command disposes the model (a batch job run every hour would otherwise fill /tmp), and ONNX
        // Runtime's telemetry, which writes a session file, a device id and an event database, is off.
        using var isolated = TestData.NewTempDir();
        var r = CliProcess.RunIsolated(isolated.Path, "evaluate", model.ZipPath, "--data", dir.Combine("data"), "--split", "test",
            "--out", dir.Combine("eval"), "--threshold", "0.3");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Empty(Directory.GetFileSystemEntries(isolated.Path, "*", SearchOption.AllDirectories));
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(dir.Combine("eval", "metrics.json")));
        var m = doc.RootElement;
        Assert.Equal(40, m.GetProperty("images").GetInt32());
        double accuracy = m.GetProperty("accuracy").GetDouble();
        var ci = m.GetProperty("accuracyCi95").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        Assert.True(ci[0] <= accuracy && accuracy <= ci[1] && ci[1] - ci[0] > 0.05, $"{accuracy} not inside a real interval {ci[0]}..{ci[1]}");
        Assert.InRange(m.GetProperty("ece").GetDouble(), 0, 1);
        Assert.Equal(0.3, m.GetProperty("threshold").GetProperty("value").GetDouble(), 5);
        Assert.Equal(10, m.GetProperty("perClass").GetProperty("sad").GetProperty("support").GetInt32());
        var bad = CliProcess.Run("evaluate", model.ZipPath, "--data", dir.Combine("data"), "--split", "dev2", "--out", dir.Combine("eval2"));
        Assert.Equal(1, bad.ExitCode);
    }

    [Fact]
    [Trait(TestSpeed.Trait, TestSpeed.Slow)]
    public void EvaluateWithFaceDetectionCountsPhotosWithoutAFaceAsErrors()
    {
        using var dir = TestData.NewTempDir();
        foreach (var c in EmotionClasses.Names)
        {
            var folder = Directory.CreateDirectory(dir.Combine("photos", c)).FullName;
            foreach (var f in Directory.GetFiles(Path.Combine(TestData.WildDev, c)).Order(StringComparer.Ordinal).Take(2))
                File.Copy(f, Path.Combine(folder, Path.GetFileName(f)));
        }
        using (var black = new SkiaSharp.SKBitmap(200, 200))
        {
            black.Erase(SkiaSharp.SKColors.Black);
            File.WriteAllBytes(dir.Combine("photos", "sad", "black.png"), black.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100).ToArray());
        }
        var r = CliProcess.Run("evaluate", model.OnnxPath, "--data", dir.Combine("photos"), "--out", dir.Combine("eval"), "--detect-faces");
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(dir.Combine("eval", "metrics.json")));
        var m = doc.RootElement;
        Assert.Equal(("all", 9, 8, 1), (m.GetProperty("split").GetString(), m.GetProperty("images").GetInt32(),
            m.GetProperty("detectedImages").GetInt32(), m.GetProperty("noFaceDetected").GetInt32()));
        Assert.Equal(m.GetProperty("accuracyOnDetected").GetDouble() * 8 / 9, m.GetProperty("accuracy").GetDouble(), 1e-6);
    }
}
