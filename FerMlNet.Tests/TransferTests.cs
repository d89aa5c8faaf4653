using System.Text.Json;
using FerMlNet.Lifecycle.Evaluation;
using FerMlNet.Preprocessing;
using FerMlNet.Training.Transfer;

namespace FerMlNet.Tests;

/// <summary>The ResNet18 transfer recipe on real faces: backbone input, features, both heads through `fer train`.</summary>
[Trait(TestSpeed.Trait, TestSpeed.Slow)]
public class TransferTests
{
    [Fact]
    public void TheBackboneSeesTheContractFaceAt224PixelsInThreeEqualChannels()
    {
        var face = FaceImageDecoder.DecodeFile(TestData.Fer4MitImages("train", "happy", 1)[0]);
        var input = ResNet18Features.ToResNetInput(face);
        const int plane = 224 * 224;
        Assert.Equal(3 * plane, input.Length);
        Assert.Equal(input.AsSpan(0, plane).ToArray(), input.AsSpan(plane, plane).ToArray());
        Assert.Equal(input.AsSpan(0, plane).ToArray(), input.AsSpan(2 * plane, plane).ToArray());
        // Scaling keeps the picture: the 224-px mean is the 48-px mean within a grey level.
        Assert.Equal(face.Average(b => (double)b), input.Take(plane).Average(), 1.0);
        var features = ResNet18Features.Compute([face, FaceImageDecoder.DecodeFile(TestData.Fer4MitImages("train", "sad", 1)[0])]);
        Assert.All(features, f => Assert.Equal(ResNet18Features.Dimensions, f.Length));
        Assert.NotEqual(features[0], features[1]);
    }

    [Fact]
    public void BothHeadsTrainOnCachedFeaturesAndWriteTheRunFiles()
    {
        using var data = TestData.NewTempDir();
        using var work = TestData.NewTempDir();
        TestData.CopySubset(data.Path, 8, ("train", "train"), ("validation", "validation"));
        foreach (var (pipeline, parameters) in new[] { ("transfer-resnet18", 2_052L), ("transfer-resnet18-mlp", 132_356L) })
        {
            string run = work.Combine(pipeline);
            var r = CliProcess.Run("train", pipeline, "--data", data.Path, "--out", run, "--epochs", "5");
            Assert.True(r.ExitCode == 0, r.Stderr);
            using var runJson = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "run.json")));
            Assert.Equal(parameters, runJson.RootElement.GetProperty("params").GetInt64());
            Assert.Equal(32, runJson.RootElement.GetProperty("trainImages").GetInt32());
            using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "metrics.json")));
            Assert.Equal(32, metrics.RootElement.GetProperty("images").GetInt32());
            Assert.True(File.Exists(Path.Combine(run, "report.html")));
            // The per-face answers that `fer experiment` pairs runs by are the ones the metrics count.
            var answers = SplitAnswers.Load(Path.Combine(run, SplitAnswers.ValFileName));
            Assert.Equal(32, answers.Images.Count);
            Assert.All(answers.Images, a => Assert.StartsWith("validation/", a.Path)); // relative to the dataset root
            Assert.Equal(metrics.RootElement.GetProperty("accuracy").GetDouble(), (double)answers.Images.Count(a => a.Right) / 32, 9);
        }
        // The second pipeline reused the first one's features: the cache holds one file per image set (train, val).
        var cache = Environment.GetEnvironmentVariable("FER_CACHE_DIR") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "fermlnet");
        Assert.True(Directory.GetFiles(cache, "resnet18-*.bin").Length >= 2);
        using var mlpRun = JsonDocument.Parse(File.ReadAllText(Path.Combine(work.Combine("transfer-resnet18-mlp"), "run.json")));
        Assert.True(mlpRun.RootElement.GetProperty("featureSeconds").GetDouble() < 5, "features were computed again instead of read from the cache");
    }
}
