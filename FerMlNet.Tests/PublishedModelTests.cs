using System.Text.Json;
using FerMlNet.Preprocessing;
using FerMlNet.Core.IO;
using FerMlNet.Scoring;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace FerMlNet.Tests;

/// <summary>
/// Every model shipped in models/ (a card NAME.json beside NAME.zip and NAME.onnx) still is what its card says: the
/// split its card names is rebuilt from the embedded dataset byte for byte (same manifest SHA-256), the model scores
/// that split's validation and test faces to the card's figures, and its model.zip answers through an ML.NET
/// PredictionEngine exactly as its ONNX file does. A change to the preprocessing contract, the scorer or a model file
/// that moved a published number fails here.
/// </summary>
[Trait(TestSpeed.Trait, TestSpeed.Slow)]
[Collection(TorchCollection.Name)]
public class PublishedModelTests(PublishedModelTests.RebuiltSplits splits) : IClassFixture<PublishedModelTests.RebuiltSplits>
{
    /// <summary>
    /// The embedded dataset split once per split command for the whole class: the published models share one split,
    /// and a split per model would redo the same work.
    /// </summary>
    public sealed class RebuiltSplits : IDisposable
    {
        private readonly TempDir _dir = TestData.NewTempDir();
        private readonly Dictionary<string, string> _byCommand = [];

        /// <summary>
        /// The folder the card's own split command makes (the first command of its rebuild line, e.g. `./fer data split
        /// datasets/fer4-mit --out datasets/fer4-clean --seed 42 --near-confirm none`), run with another --out.
        /// </summary>
        public string For(string rebuild)
        {
            var words = rebuild.Split(" && ")[0].Split(' ');
            Assert.Equal(["./fer", "data", "split", "datasets/fer4-mit", "--out"], words[..5]);
            string[] options = words[6..];
            lock (_byCommand)
            {
                var key = string.Join(' ', options);
                if (_byCommand.TryGetValue(key, out var folder)) return folder;
                folder = _dir.Combine($"split-{_byCommand.Count}");
                var split = CliProcess.Run(["data", "split", TestData.Fer4Mit, "--out", folder, .. options]);
                Assert.True(split.ExitCode == 0, split.Stderr);
                return _byCommand[key] = folder;
            }
        }

        public void Dispose() => _dir.Dispose();
    }

    /// <summary>Base names in models/ with a card, a model.zip and an ONNX file.</summary>
    private static string[] PublishedModelNames() =>
        Directory.GetFiles(Path.Combine(TestData.RepoRoot, "models"), "*.json")
            .Where(card => File.Exists(Path.ChangeExtension(card, ".zip")) && File.Exists(Path.ChangeExtension(card, ".onnx")))
            .Select(Path.GetFileNameWithoutExtension).Order().ToArray()!;

    public static TheoryData<string> PublishedModels() => new(PublishedModelNames());

    [Fact]
    public void TheDefaultModelIsAmongThePublishedOnes() => Assert.Contains("fer-default", PublishedModelNames());

    [Theory]
    [MemberData(nameof(PublishedModels))]
    public void APublishedModelReproducesItsCardOnTheSplitItNames(string name)
    {
        string models = Path.Combine(TestData.RepoRoot, "models");
        using var card = JsonDocument.Parse(File.ReadAllText(Path.Combine(models, name + ".json")));
        var c = card.RootElement;
        using var dir = TestData.NewTempDir();
        string data = splits.For(c.GetProperty("rebuild").GetString()!);
        Assert.Equal(c.GetProperty("dataManifestSha256").GetString(), FileHash.Sha256(Path.Combine(data, "manifest.json")));

        string zip = Path.Combine(models, name + ".zip");
        foreach (var (cardKey, splitName) in new[] { ("validation", "val"), ("test", "test") })
        {
            var claimed = c.GetProperty(cardKey);
            var r = CliProcess.Run("evaluate", zip, "--data", data, "--split", splitName, "--out", dir.Combine(splitName));
            Assert.True(r.ExitCode == 0, r.Stderr);
            using var measured = JsonDocument.Parse(File.ReadAllText(dir.Combine(splitName, "metrics.json")));
            var m = measured.RootElement;
            int images = claimed.GetProperty("images").GetInt32();
            Assert.Equal(images, m.GetProperty("images").GetInt32());
            // The same faces right: at most one face's difference, for floating-point order across thread counts.
            Assert.InRange(m.GetProperty("accuracy").GetDouble() - claimed.GetProperty("accuracy").GetDouble(), -1.0 / images, 1.0 / images);
            // A card written since evaluations carry the FER+ crowd figures claims those too.
            if (claimed.TryGetProperty("crowd", out var crowd) && crowd.TryGetProperty("majority", out var majority))
            {
                var measuredMajority = m.GetProperty("crowd").GetProperty("majority");
                int faces = majority.GetProperty("images").GetInt32();
                Assert.Equal(faces, measuredMajority.GetProperty("images").GetInt32());
                Assert.InRange(measuredMajority.GetProperty("accuracy").GetDouble() - majority.GetProperty("accuracy").GetDouble(), -1.0 / faces, 1.0 / faces);
            }
        }

        using var onnx = FerPredictor.Load(Path.Combine(models, name + ".onnx"));
        var ml = new MLContext();
        using var loaded = (TransformerChain<ITransformer>)ml.Model.Load(zip, out _);
        using var engine = ml.Model.CreatePredictionEngine<FerImageInput, FerPrediction>(loaded);
        foreach (var file in EmotionClasses.Names.SelectMany(cls => TestData.Fer4MitImages("test", cls, 2)))
        {
            var direct = onnx.Predict(File.ReadAllBytes(file));
            var viaMlNet = engine.Predict(new FerImageInput { ImagePath = file });
            Assert.Equal(direct.PredictedClass, viaMlNet.PredictedLabel);
            for (int k = 0; k < 4; k++) Assert.InRange(viaMlNet.Score[k] - direct.Probabilities[k], -1e-5f, 1e-5f);
        }
    }
}
