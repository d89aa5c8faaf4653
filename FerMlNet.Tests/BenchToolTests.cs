using FerMlNet.Core.Data;
using FerMlNet.Preprocessing;
using FerMlNet.Training.Bench;
using FerMlNet.Cli.Bench;
using FerMlNet.Training.Models;

namespace FerMlNet.Tests;

/// <summary>The pieces the performance benchmarks rest on: FLOP counts, medians, the scale replicas, peak memory.</summary>
[Collection(TorchCollection.Name)]
public class BenchToolTests
{
    /// <summary>Model 0 counted by hand: three 3×3 convs at 48², 24², 12² and two dense layers, 2 FLOPs per multiply-add.</summary>
    [Fact]
    public void ForwardFlopsOfModel0MatchAHandCount()
    {
        long conv1 = 2L * 48 * 48 * 1 * 32 * 9, conv2 = 2L * 24 * 24 * 32 * 64 * 9, conv3 = 2L * 12 * 12 * 64 * 128 * 9;
        long dense = 2L * (6 * 6 * 128) * 256 + 2L * 256 * 4;
        Assert.Equal(conv1 + conv2 + conv3 + dense, FlopCount.Forward(ModelZoo.Model0(), 1));
        // The RGB network differs from the gray one only in its first convolution's input channels.
        var gray = ModelZoo.GrayRgb(0);
        Assert.Equal(2L * 48 * 48 * 2 * 64 * 9, FlopCount.Forward(gray, 3) - FlopCount.Forward(gray, 1));
        // Resizing the face to 64×64 multiplies every convolution's work by (64/48)² = 16/9; the Dense 4 head stays.
        long head = 2L * 256 * 4;
        long at48 = FlopCount.Forward(ModelZoo.VggGap(0), 1) - head, at64 = FlopCount.Forward(ModelZoo.VggGap(0, inputSide: 64), 1) - head;
        Assert.Equal(16 * at48, 9 * at64);
    }

    [Fact]
    public void CpuInfoGivesTheModelTheWatchedExtensionsAndTheCores()
    {
        // Two processors of a real AVX-512 server's /proc/cpuinfo (abridged flags): the first processor counts.
        const string cpuInfo = """
            processor	: 0
            vendor_id	: GenuineIntel
            model name	: Intel(R) Xeon(R) Platinum 8481C CPU @ 2.70GHz
            cpu cores	: 4
            flags		: fpu sse2 avx fma avx2 avx512f avx512dq avx512_bf16 avx512_vnni avx_vnni amx_bf16 amx_tile amx_int8

            processor	: 1
            model name	: Intel(R) Xeon(R) Platinum 8481C CPU @ 2.70GHz
            cpu cores	: 4
            flags		: fpu sse2
            """;
        var (model, flags, cores) = MachineFacts.ParseCpuInfo(cpuInfo);
        Assert.Equal(("Intel(R) Xeon(R) Platinum 8481C CPU @ 2.70GHz", 4), (model, cores));
        Assert.Superset(new HashSet<string> { "avx2", "avx512f", "avx512_bf16", "avx512_vnni", "amx_tile" }, flags);
        var facts = new MachineFacts(model, ["AVX2", "AVX512_BF16"], ["AMX"], cores, 8, 60, 240);
        Assert.Equal(240e9 / 3e9, facts.FlopBoundImagesPerSecond(3e9), 9);
        Assert.Equal(60e9 / 3e9, facts.FlopBoundImagesPerSecond(3e9, threads: 1), 9);
        Assert.Contains("4 cores, 8 threads; has AVX2 AVX512_BF16, lacks AMX; libtorch fp32 GEMM 60.0 GFLOP/s on 1 thread, 240.0 on 8", facts.Describe());
        Assert.DoesNotContain("bf16", facts.Describe()); // not measured
        Assert.EndsWith("bf16 GEMM 480.0 on 8 (2.00× fp32)", (facts with { Bf16GemmGflopsAllThreads = 480 }).Describe());
    }

    [Fact]
    public void MedianAveragesTheMiddleTwoOfAnEvenCount()
    {
        Assert.Equal(3.0, BenchMath.Median([5.0, 1.0, 3.0]));
        Assert.Equal(2.5, BenchMath.Median([4.0, 1.0, 2.0, 3.0]));
    }

    /// <summary>A 3× replica holds every original byte for byte plus two new, distinct, decodable faces per image.</summary>
    [Fact]
    public void ScaleReplicasAreNewReadableFacesNextToUntouchedOriginals()
    {
        using var dir = TestData.NewTempDir();
        TestData.CopySubset(dir.Combine("src"), 2, ("train", "train"), ("test", "test"));
        var source = DatasetReader.Read(dir.Combine("src"));
        int written = ScaleDataset.Build(source, dir.Combine("x3"), 3);
        Assert.Equal(source.Entries.Count * 3, written);
        var replica = DatasetReader.Read(dir.Combine("x3"));
        Assert.Equal(written, replica.Entries.Count);
        foreach (var entry in source.Entries)
        {
            Assert.Equal(File.ReadAllBytes(entry.FullPath), File.ReadAllBytes(dir.Combine("x3", entry.RelativePath)));
            var original = FaceImageDecoder.DecodeFile(entry.FullPath);
            var stem = Path.Combine(dir.Combine("x3"), Path.ChangeExtension(entry.RelativePath, null));
            var copy1 = FaceImageDecoder.DecodeFile(stem + "_x1.png");
            var copy2 = FaceImageDecoder.DecodeFile(stem + "_x2.png");
            Assert.NotEqual(original, copy1);
            Assert.NotEqual(copy1, copy2);
            Assert.Equal(entry.Label, replica.Entries.Single(e => e.FullPath == stem + "_x1.png").Label);
        }
    }

    /// <summary>A child that holds 200 MB must be seen holding at least that much; a quick one still reports its exit code.</summary>
    [Fact]
    [Trait(TestSpeed.Trait, TestSpeed.Slow)]
    public void MeasuredProcessReportsPeakMemoryAndExitCode()
    {
        using var dir = TestData.NewTempDir();
        var (_, peak, exit) = MeasuredProcess.Run("perl",
            ["-e", "my $b = 'a' x (200 * 1024 * 1024); select(undef, undef, undef, 0.5);"], dir.Combine("log.txt"));
        Assert.Equal(0, exit);
        Assert.InRange(peak, 200L * 1024 * 1024, 2L * 1024 * 1024 * 1024);
        Assert.Equal(3, MeasuredProcess.Run("sh", ["-c", "exit 3"], dir.Combine("log2.txt")).ExitCode);
    }
}
