using FerMlNet.Training.Engine;
using FerMlNet.Training.Models;
using FerMlNet.Lifecycle.Runs;
using static TorchSharp.torch;

namespace FerMlNet.Tests;

/// <summary>
/// bf16 training with fp32 master weights: the bf16 copy's gradients land on the master (close to the fp32 ones, as
/// bf16's 8-bit mantissa allows), terms on the master such as the L2 penalty keep theirs, BatchNorm statistics come
/// back, and a pipeline asking for bf16 trains in bf16 only where the CPU has bf16 kernels.
/// </summary>
[Collection(TorchCollection.Name)]
public class MixedPrecisionTests
{
    [Fact]
    public void TheCopysGradientsLandOnTheMasterCloseToTheFp32OnesAndTheStatisticsComeBack()
    {
        manual_seed(5);
        using var master = ModelZoo.Create("vgg-gap", l2: 0.01);
        master.train();
        foreach (var dropout in master.modules().OfType<TorchSharp.Modules.Dropout>()) dropout.eval(); // the same function both ways
        using var x = rand(16, 1, 48, 48);
        using var y = tensor(Enumerable.Range(0, 16).Select(i => (long)(i % 4)).ToArray());
        var parameters = master.named_parameters().Select(p => (Tensor)p.parameter).ToList();
        var statistics = master.named_buffers().Where(b => b.name.EndsWith("running_mean")).Select(b => b.buffer).ToList();
        var before = statistics.Select(s => s.clone()).ToList();

        using var copy = new Bf16ComputeCopy(master, () => ModelZoo.Create("vgg-gap", l2: 0.01));
        Assert.All(parameters, p => Assert.True(p.grad is not null && p.grad.eq(0).all().item<bool>())); // zero master gradients to add to
        var bf16Loss = nn.functional.cross_entropy(copy.Forward(x), y).add(master.L2Penalty());
        Assert.Equal(ScalarType.Float32, bf16Loss.dtype);
        bf16Loss.backward();
        copy.CollectGradients();
        var mixed = parameters.Select(p => p.grad!.clone()).ToList();
        var afterMixed = statistics.Select(s => s.clone()).ToList();

        // The same step in fp32 from the same weights and statistics.
        using (no_grad()) for (int i = 0; i < statistics.Count; i++) statistics[i].copy_(before[i]);
        foreach (var p in parameters) p.grad!.zero_();
        nn.functional.cross_entropy(master.forward(x), y).add(master.L2Penalty()).backward();
        // bf16 keeps 8 bits of mantissa, and BatchNorm's backward pass subtracts batch means that nearly cancel, so the
        // convolutions' gradients agree with fp32 to a cosine of about 0.93 on this random start and the head's to 0.999;
        // a wrong mapping would give about 0. A convolution bias before BatchNorm has no true gradient at all (the
        // batch mean removes it): both sides are rounding noise there, and it is left out.
        var norms = parameters.Select(p => p.grad!.norm().item<float>()).ToList();
        var cosines = parameters.Select((p, i) => (double)(mixed[i] * p.grad!).sum().item<float>() / (mixed[i].norm().item<float>() * norms[i] + 1e-20)).ToList();
        string all = string.Join(", ", cosines.Select((c, i) => $"{c:F3} (|g| {norms[i]:E1})"));
        var compared = Enumerable.Range(0, parameters.Count).Where(i => norms[i] > 1e-3 * norms.Max()).ToList();
        Assert.True(compared.Count >= parameters.Count * 3 / 4, all);
        Assert.All(compared, i => Assert.True(cosines[i] > 0.9, $"parameter {i}; cosines: {all}"));
        Assert.All(compared.TakeLast(2), i => Assert.True(cosines[i] > 0.99, $"the head, parameter {i}; cosines: {all}"));
        for (int i = 0; i < statistics.Count; i++)
        {
            Assert.False(afterMixed[i].eq(before[i]).all().item<bool>(), "the copy's BatchNorm statistics did not come back to the master");
            Assert.True(afterMixed[i].allclose(statistics[i], rtol: 0.05, atol: 0.02), "the statistics differ from the fp32 step's");
        }
    }

    [Fact]
    [Trait(TestSpeed.Trait, TestSpeed.Slow)]
    public void Bf16IsUsedOnlyWhereTheCpuHasBf16KernelsAndRunJsonSaysWhichRan()
    {
        Assert.True(Bf16Support.HasBf16Kernels("model name\t: x\nflags\t\t: fpu avx2 avx512f avx512_bf16 avx512_vnni\n"));
        Assert.True(Bf16Support.HasBf16Kernels("flags\t\t: fpu avx2 amx_tile amx_bf16\n"));
        Assert.False(Bf16Support.HasBf16Kernels("flags\t\t: fpu avx2 fma avx512f\n"));

        using var data = TestData.NewTempDir();
        using var work = TestData.NewTempDir();
        TestData.CopySubset(data.Path, 8, ("train", "train"), ("validation", "validation"));
        var options = new PipelineOptions
        {
            Name = "tiny-bf16", Architecture = "fast", Epochs = 1, BatchSize = 16, Dataset = data.Path, Precision = TrainingPrecision.Bf16,
        };
        var progress = new RecordingProgress();
        var result = TrainingJob.Run(options, work.Combine("run"), new TrainerRunOptions(), progress);
        var expected = Bf16Support.OnThisCpu ? TrainingPrecision.Bf16 : TrainingPrecision.Fp32;
        Assert.Equal(expected, result.Run.Precision);
        Assert.Equal(expected, RunRecord.Load(work.Combine("run")).Precision);
        Assert.Equal(!Bf16Support.OnThisCpu, progress.Notes.Any(n => n.StartsWith("precision bf16:", StringComparison.Ordinal)));
        Assert.Equal("bf16", (string?)result.Run.Pipeline!["precision"]); // what was asked stays in the pipeline
        Assert.True(double.IsFinite(result.Run.BestValAccuracy!.Value));
    }

    [Fact]
    public void Bf16IsRefusedWithSharpnessAwareSteps()
    {
        var options = new PipelineOptions { Architecture = "fast", Precision = TrainingPrecision.Bf16, Sharpness = new SharpnessOptions { Rho = 0.05 } };
        Assert.Contains("precision", Assert.Throws<InvalidDataException>(() => options.Validate("test")).Message);
    }
}
