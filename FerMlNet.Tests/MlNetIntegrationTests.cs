using System.Text.Json;
using FerMlNet.Core;
using FerMlNet.Preprocessing;
using FerMlNet.Scoring;
using FerMlNet.Training.Engine;
using FerMlNet.Training.MlNet;
using FerMlNet.Lifecycle.Evaluation;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace FerMlNet.Tests;

// TorchSharp's RNG is process-global: tests that seed it must not run alongside each other.
[Trait(TestSpeed.Trait, TestSpeed.Slow)]
[Collection(TorchCollection.Name)]
public class MlNetIntegrationTests
{
    private sealed class LabelledImage
    {
        public string ImagePath { get; set; } = "";
        public string Label { get; set; } = "";
    }

    private static List<LabelledImage> Rows(string split, int perClass) =>
        EmotionClasses.Names.SelectMany(c => TestData.Fer4MitImages(split, c, perClass)
            .Select(p => new LabelledImage { ImagePath = p, Label = c })).ToList();

    /// <summary>
    /// The short real run: Model A for 2 epochs (1,200 training images) through the ML.NET trainer (catalog extension, key-typed label,
    /// preprocessing estimator chain), reaching clearly above-chance validation accuracy; then the whole pipeline is
    /// saved as model.zip, reloaded in a fresh MLContext and scored with a PredictionEngine, giving the same labels.
    /// </summary>
    [Fact]
    public void FerCnnTrainsAboveChanceAndItsModelZipReloadsWithTheSameLabels()
    {
        var ml = new MLContext(seed: 1);
        var keys = ml.Data.LoadFromEnumerable(EmotionClasses.Names.Select(n => new { Label = n }));
        var labelToKey = ml.Transforms.Conversion.MapValueToKey("Label", keyData: keys);
        var preprocess = ml.Transforms.FerPreprocessFromPath();
        var trainView = ml.Data.LoadFromEnumerable(Rows("train", 300));
        var valView = ml.Data.LoadFromEnumerable(Rows("validation", 100));
        var labels = labelToKey.Fit(trainView);
        var features = preprocess.Fit(trainView);
        IDataView Prepare(IDataView v) => features.Transform(labels.Transform(v));
        var trainer = ml.MulticlassClassification.Trainers.FerCnn(new FerCnnTrainerOptions
        {
            // 2 × 38 optimizer steps: with Keras' BatchNorm momentum (0.99) the moving statistics used at validation
            // would still be mostly their initial values (validation stuck at 25%), so this short run uses 0.9.
            Pipeline = new PipelineOptions
            {
                Name = "test-a", Architecture = "model-a", Epochs = 2, BatchSize = 32, BatchNormMomentum = 0.9,
            },
            ValidationSet = Prepare(valView),
        });
        // The scoring model a .NET app loads: image path → preprocessing contract → network → Score, PredictedLabel.
        using var model = features.Append(trainer.Fit(Prepare(trainView)));
        Assert.True(trainer.LastResult!.State.BestValAccuracy > 0.33,
            $"validation accuracy {trainer.LastResult.State.BestValAccuracy:P1} is not clearly above chance (25%)");

        using var dir = TestData.NewTempDir();
        var zip = dir.Combine("model.zip");
        var inputSchema = ml.Data.LoadFromEnumerable(Array.Empty<FerImageInput>()).Schema;
        ml.Model.Save(model, inputSchema, zip);

        var fresh = new MLContext();
        using var loaded = (TransformerChain<ITransformer>)fresh.Model.Load(zip, out _);
        using (var engine = fresh.Model.CreatePredictionEngine<FerImageInput, FerPrediction>(loaded))
        using (var originalEngine = ml.Model.CreatePredictionEngine<FerImageInput, FerPrediction>(model))
        {
            foreach (var row in Rows("test", 5))
            {
                var input = new FerImageInput { ImagePath = row.ImagePath };
                var a = engine.Predict(input);
                var b = originalEngine.Predict(input);
                Assert.Equal(b.PredictedLabel, a.PredictedLabel);
                Assert.Equal(b.Score, a.Score);
                Assert.Equal(4, a.Score.Length);
                Assert.Equal(1f, a.Score.Sum(), 1e-3f);
            }
        }
    }

    [Fact]
    public void FerCnnRejectsAWrongLabelColumn()
    {
        var ml = new MLContext(seed: 1);
        var view = ml.Transforms.FerPreprocessFromPath().Fit(ml.Data.LoadFromEnumerable(Rows("test", 2)))
            .Transform(ml.Data.LoadFromEnumerable(Rows("test", 2)));
        var trainer = ml.MulticlassClassification.Trainers.FerCnn(new FerCnnTrainerOptions
            { Pipeline = new PipelineOptions { Architecture = "model-0", Epochs = 1 } });
        Assert.Contains("key type", Assert.Throws<ArgumentException>(() => trainer.Fit(view)).Message);
    }

    [Fact]
    public void FerTrainWritesEveryRunFileWithMlNetMetricsOnTheValidationSplit()
    {
        using var data = TestData.NewTempDir();
        using var runs = TestData.NewTempDir();
        TestData.CopySubset(data.Path, 24, ("train", "train"), ("validation", "validation"));
        var pipeline = runs.Combine("tiny.json");
        File.WriteAllText(pipeline, """{ "name": "tiny", "architecture": "model-0", "epochs": 1, "batchSize": 32 }""");
        var runDir = runs.Combine("run");
        var r = CliProcess.Run("train", pipeline, "--data", data.Path, "--out", runDir);
        Assert.True(r.ExitCode == 0, r.Stderr);
        foreach (var f in new[] { "model.zip", "model.onnx", "history.json", "metrics.json", "run.json", "checkpoint.bin", "report.html" })
            Assert.True(File.Exists(Path.Combine(runDir, f)), $"{f} missing");
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(runDir, "metrics.json")));
        Assert.Equal("val", metrics.RootElement.GetProperty("split").GetString());
        Assert.Equal(96, metrics.RootElement.GetProperty("images").GetInt32());
        var rows = metrics.RootElement.GetProperty("confusionMatrix").GetProperty("rows");
        Assert.Equal(96, rows.EnumerateArray().Sum(row => row.EnumerateArray().Sum(v => v.GetInt32())));
        using var run = JsonDocument.Parse(File.ReadAllText(Path.Combine(runDir, "run.json")));
        // The ML.NET pipeline (model.zip) and the trainer agree on validation accuracy.
        Assert.Equal(run.RootElement.GetProperty("bestValAccuracy").GetDouble(),
            metrics.RootElement.GetProperty("accuracy").GetDouble(), 6);

        var again = CliProcess.Run("train", pipeline, "--data", data.Path, "--out", runDir);
        Assert.Equal(1, again.ExitCode); // never overwrites a trained model without --resume
    }
}
