using FerMlNet.Core.Native;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace FerMlNet.Tests;

/// <summary>The native engines load under `dotnet test` on this machine (TorchSharp needs the ELF fix).</summary>
// TorchSharp's RNG is process-global: tests that seed it must not run alongside each other.
[Collection(TorchCollection.Name)]
public class NativeRuntimeTests
{
    [Fact]
    public void GlibcMallocTuningIsApplied()
    {
        Assert.True(GlibcMalloc.Tune());
        Assert.True(GlibcMalloc.IsTuned);
    }

    [Fact]
    public void TorchSharpRunsConv2dForwardAndBackward()
    {
        GlibcMalloc.Tune();
        using var scope = NewDisposeScope();
        torch.manual_seed(1);
        var conv = nn.Conv2d(1, 8, 3, padding: 1);
        var x = randn(4, 1, 48, 48);
        var y = conv.forward(x);
        Assert.Equal(new long[] { 4, 8, 48, 48 }, y.shape);
        var loss = y.square().mean();
        loss.backward();
        var grad = conv.weight!.grad!;
        Assert.Equal(new long[] { 8, 1, 3, 3 }, grad.shape);
        Assert.True(grad.abs().sum().item<float>() > 0f, "the backward pass produced a zero gradient");
    }

    [Fact]
    public void OnnxRuntimeRunsTheShippedFaceDetector()
    {
        using var session = new InferenceSession(TestData.YuNetModel);
        var input = new DenseTensor<float>(new[] { 1, 3, 640, 640 });
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("input", input)]);
        var names = results.Select(r => r.Name).ToHashSet();
        foreach (var expected in new[] { "cls_8", "obj_8", "bbox_8", "kps_8", "cls_32" })
            Assert.Contains(expected, names);
        // An all-black image has no face: every objectness score stays low.
        var obj = results.First(r => r.Name == "obj_8").AsEnumerable<float>().ToArray();
        Assert.Equal(80 * 80, obj.Length);
        Assert.True(obj.Max() < 0.5f);
    }
}
