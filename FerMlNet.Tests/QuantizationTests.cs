using System.Text.Json.Nodes;
using System.Text.Json;
using FerMlNet.Preprocessing;
using FerMlNet.Scoring;
using FerMlNet.Training.Onnx;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;

namespace FerMlNet.Tests;

/// <summary>
/// The static int8 copy of a model (`fer quantize`): ONNX Runtime really runs it on integer kernels, and it answers
/// like the float model it came from on real faces.
/// </summary>
[Trait(TestSpeed.Trait, TestSpeed.Slow)]
public class QuantizationTests
{
    private static string FastModel => Path.Combine(TestData.RepoRoot, ShippedModels.FastModelRelativePath.Replace(".zip", ".onnx"));

    [Fact]
    public void TheInt8FastModelRunsOnIntegerKernelsAndAnswersLikeTheFloatOne()
    {
        var training = EmotionClasses.Names.SelectMany(c => TestData.Fer4MitImages("train", c, 16)).Select(FaceImageDecoder.DecodeFile).ToList();
        var (quantized, summary) = Int8Quantizer.Quantize(ModelProto.Parser.ParseFrom(File.ReadAllBytes(FastModel)), training);
        Assert.Equal((8, 9), (summary.FoldedBatchNorms, summary.QuantizedNodes));
        Assert.DoesNotContain(quantized.Graph.Node, n => n.OpType == "BatchNormalization");
        Assert.All(summary.Activations, a => Assert.True(a.Scale > 0 && a.Min <= 0 && a.Max > 0, a.Tensor));

        // What ONNX Runtime makes of it: the Q/DQ pairs fused into integer convolutions and an integer Gemm.
        using var dir = TestData.NewTempDir();
        string optimized = dir.Combine("optimized.onnx");
        using (new InferenceSession(quantized.ToByteArray(), new SessionOptions { OptimizedModelFilePath = optimized })) { }
        var fused = ModelProto.Parser.ParseFrom(File.ReadAllBytes(optimized)).Graph.Node.Select(n => n.OpType).ToList();
        Assert.True(fused.Count(op => op == "QLinearConv") >= 7, string.Join(" ", fused));
        Assert.Contains("QGemm", fused);

        var faces = EmotionClasses.Names.SelectMany(c => TestData.Fer4MitImages("test", c, 32)).Select(FaceImageDecoder.DecodeFile).ToArray();
        var asFloat = Probabilities(File.ReadAllBytes(FastModel), faces);
        var asInt8 = Probabilities(quantized.ToByteArray(), faces);
        int agree = asFloat.Zip(asInt8).Count(p => EmotionClasses.ArgMax(p.First) == EmotionClasses.ArgMax(p.Second));
        Assert.True(agree >= faces.Length * 0.95, $"int8 agrees with float on {agree} of {faces.Length} faces");
        double worst = asFloat.Zip(asInt8).Max(p => p.First.Zip(p.Second).Max(v => Math.Abs(v.First - v.Second)));
        Assert.True(worst < 0.2, $"a probability moved by {worst:F3}");
    }

    [Fact]
    public void QuantizeCommandCalibratesOnTrainingFacesOnlyAndNeverOverwrites()
    {
        using var data = TestData.NewTempDir();
        using var work = TestData.NewTempDir();
        TestData.CopySubset(data.Path, 10, ("train", "train"), ("validation", "validation"));
        string output = work.Combine("int8");
        var r = CliProcess.Run("quantize", FastModel, "--data", data.Path, "--faces", "24", "--out", output);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("9 Conv/Gemm nodes int8 (8 BatchNorms folded), ranges from 24 training faces", string.Join(' ', r.Stdout.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)));
        Assert.True(File.Exists(Path.Combine(output, "model.zip")) && File.Exists(Path.Combine(output, "metrics.json")));
        using var record = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "quantization.json")));
        Assert.Equal(("train", 24), (record.RootElement.GetProperty("calibrationSplit").GetString(), record.RootElement.GetProperty("calibrationFaces").GetInt32()));
        // The int8 model.zip is an ordinary FerMlNet model: the library loads it and answers.
        using (var predictor = FerPredictor.Load(Path.Combine(output, "model.zip")))
            Assert.Contains(predictor.Predict(TestData.Fer4MitImages("test", "happy", 1)[0]).PredictedClass, EmotionClasses.Names);

        Assert.Equal(1, CliProcess.Run("quantize", FastModel, "--data", data.Path, "--out", output).ExitCode);
        Assert.Equal(1_176_548, JsonNode.Parse(File.ReadAllText(Path.Combine(output, "run.json")))!["params"]!.GetValue<long>()); // from fer-fast.json
        File.WriteAllText(work.Combine("not.onnx"), "not a model");
        var bad = CliProcess.Run("quantize", work.Combine("not.onnx"), "--data", data.Path, "--out", work.Combine("x"));
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("is not an ONNX model", bad.Stderr);
    }

    [Fact]
    [Trait(TestSpeed.Trait, TestSpeed.Slow)]
    public void AnInt8CopyPublishesWithACardThatRebuildsItFromItsFloatSource()
    {
        using var work = TestData.NewTempDir();
        TestData.CopySubset(work.Combine("source"), 8, ("train", "train"), ("validation", "validation"), ("test", "test"));
        string split = work.Combine("split"), run = work.Combine("fer-fast-int8");
        Assert.Equal(0, CliProcess.Run("data", "split", work.Combine("source"), "--out", split, "--seed", "42").ExitCode);
        var quantize = CliProcess.Run("quantize", FastModel, "--data", split, "--faces", "16", "--seed", "3", "--out", run);
        Assert.True(quantize.ExitCode == 0, quantize.Stderr);
        Assert.Equal(0, CliProcess.Run("evaluate", Path.Combine(run, "model.zip"), "--data", split, "--split", "test", "--out", work.Combine("test")).ExitCode);
        var publish = CliProcess.Run("publish", run, "--split-manifest", Path.Combine(split, "manifest.json"),
            "--test-metrics", work.Combine("test", "metrics.json"), "--name", "fast-int8", "--models", work.Combine("models"));
        Assert.True(publish.ExitCode == 0, publish.Stderr);

        var card = Lifecycle.Publishing.ModelCard.Load(work.Combine("models", "fast-int8.json"));
        var fast = Lifecycle.Publishing.ModelCard.Load(Path.ChangeExtension(FastModel, ".json"));
        Assert.Equal((16, 3, "train"), (card.Quantization!.CalibrationFaces, card.Quantization.Seed, card.Quantization.CalibrationSplit));
        Assert.Equal(Core.IO.FileHash.Sha256(FastModel), card.Quantization.SourceSha256);
        Assert.Equal((fast.Params, fast.Calibration!.Temperature), (card.Params, card.Calibration!.Temperature)); // trained as its source
        Assert.EndsWith("&& ./fer quantize models/fer-fast.onnx --data datasets/fer4-clean --faces 16 --seed 3 --out runs/fer-fast-int8", card.Rebuild);
        var use = Assert.Single(card.RebuildUses!);
        Assert.Equal(("models/fer-fast.onnx", "quantization source", fast.Rebuild), (use.Model, use.UsedAs, use.Rebuild));
    }

    [Fact]
    public void TheShippedInt8FastModelIsCopiedBesideTheProgramAndAnswersLikeTheFloatOne()
    {
        Assert.True(File.Exists(ShippedModels.FastInt8Model), ShippedModels.FastInt8Model);
        using var int8 = FerPredictor.Load(ShippedModels.FastInt8Model);
        using var fp32 = FerPredictor.Load(ShippedModels.FastModel);
        var files = EmotionClasses.Names.SelectMany(c => TestData.Fer4MitImages("test", c, 8)).ToList();
        int agree = files.Count(f => int8.Predict(f).PredictedClass == fp32.Predict(f).PredictedClass);
        Assert.True(agree >= files.Count - 1, $"int8 agrees with float on {agree} of {files.Count} faces");
    }

    private static float[][] Probabilities(byte[] model, byte[][] faces)
    {
        using var session = new InferenceSession(model);
        using var outputs = session.Run([NamedOnnxValue.CreateFromTensor(FerModelConventions.OnnxInputName, FaceTensor.FromFaces(faces))]);
        var values = outputs.Single(o => o.Name == FerModelConventions.OnnxProbabilitiesName).AsTensor<float>().ToArray();
        return faces.Select((_, i) => values.AsSpan(i * EmotionClasses.Count, EmotionClasses.Count).ToArray()).ToArray();
    }
}
