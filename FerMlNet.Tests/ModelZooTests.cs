using FerMlNet.Training.Models;

namespace FerMlNet.Tests;

// TorchSharp's RNG is process-global: tests that seed it must not run alongside each other.
[Collection(TorchCollection.Name)]
public class ModelZooTests
{
    [Theory]
    [InlineData("model-0", 1_274_500, 1_274_052)]
    [InlineData("model-a", 3_509_444, 3_507_140)]
    [InlineData("model-c", 3_509_444, 3_507_140)]
    [InlineData("model-d", 4_980_324, 4_978_340)]
    [InlineData("gray", 5_867_204, 5_866_308)]
    [InlineData("rgb", 5_868_356, 5_867_460)]
    public void ParameterCountsEqualTheNotebooksKerasCounts(string key, long total, long trainable)
    {
        using var net = ModelZoo.Create(key);
        Assert.Equal((total, trainable), net.CountParameters());
        Assert.Equal(total, ModelZoo.All[key].NotebookParameters);
    }

    [Theory]
    // Counted by hand: each conv 9·in·out + out, each BN 4·out (2 of them running statistics), Dense 256·4 + 4.
    [InlineData("vgg-gap", 1_176_548, 1_174_628, 32)]
    [InlineData("vgg-gap-wide", 1_294_676, 1_292_564, 48)]
    public void FerMlNetsOwnNetworksHaveTheirHandCountedParameters(string key, long total, long trainable, int firstFilters)
    {
        using var net = ModelZoo.Create(key);
        Assert.Equal((total, trainable), net.CountParameters());
        var conv = (TorchSharp.Modules.Conv2d)net.Layers.First(l => l.Spec.Name == "block1_conv1").Module;
        Assert.Equal(firstFilters, conv.weight!.shape[0]);
    }

    [Fact]
    public void LayersAreNamedAndBatchNormUsesKerasSettings()
    {
        using var net = ModelZoo.Create("model-a");
        var names = net.named_modules().Select(m => m.name).ToHashSet();
        Assert.Contains("block1_conv1", names);
        Assert.Contains("dense1_bn", names);
        var bn = (TorchSharp.Modules.BatchNorm2d)net.Layers.First(l => l.Spec.Name == "block1_bn1").Module;
        Assert.Equal(1e-3, bn.eps, 9);
        Assert.Equal(0.01, bn.momentum!.Value, 9);
        // glorot-uniform kernels: limit sqrt(6 / (fan_in + fan_out)) = sqrt(6 / (9 + 576)) for 1→64 3×3.
        var w = ((TorchSharp.Modules.Conv2d)net.Layers.First(l => l.Spec.Name == "block1_conv1").Module).weight!;
        Assert.True(w.abs().max().item<float>() <= Math.Sqrt(6.0 / (9 + 576)) + 1e-6);
        Assert.Equal(0f, ((TorchSharp.Modules.Conv2d)net.Layers.First(l => l.Spec.Name == "block1_conv1").Module).bias!.abs().sum().item<float>());
    }

    [Fact]
    [Trait(TestSpeed.Trait, TestSpeed.Slow)]
    public void CliPrintsEveryPipelineWithItsParameters()
    {
        var r = CliProcess.Run("models", "--json");
        Assert.Equal(0, r.ExitCode);
        using var doc = System.Text.Json.JsonDocument.Parse(r.Stdout);
        var rows = doc.RootElement.EnumerateArray().ToDictionary(e => e.GetProperty("name").GetString()!);
        foreach (var name in new[] { "model-0", "model-a", "model-b", "model-c", "model-bplus", "model-bplusplus", "model-d", "gray", "rgb" })
            Assert.Equal(rows[name].GetProperty("notebookParams").GetInt64(), rows[name].GetProperty("params").GetInt64());
        // Transfer pipelines count the trained head only (the ResNet18 backbone is frozen).
        Assert.Equal(2_052, rows["transfer-resnet18"].GetProperty("params").GetInt64());
        Assert.Equal(132_356, rows["transfer-resnet18-mlp"].GetProperty("params").GetInt64());
    }
}
