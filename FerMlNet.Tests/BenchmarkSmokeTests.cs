namespace FerMlNet.Tests;

/// <summary>
/// Every BenchmarkDotNet benchmark runs once (BenchmarkDotNet's Dry job: one launch, one iteration, no pilot), so a
/// setup that no longer matches the shipped models or a broken benchmark fails here instead of on the day someone
/// measures. No timing is checked.
/// </summary>
[Trait(TestSpeed.Trait, TestSpeed.Slow)]
public class BenchmarkSmokeTests
{
    [Fact]
    public void EveryBenchmarkRunsOneIteration()
    {
        string dll = Path.Combine(TestData.RepoRoot, "FerMlNet.Benchmarks", "bin", TestData.BuildConfiguration, "net10.0", "FerMlNet.Benchmarks.dll");
        Assert.True(File.Exists(dll), $"{dll} is built with the solution (dotnet build FerMlNet.sln)");
        using var artifacts = TestData.NewTempDir();
        string output = DotNet.Run(artifacts.Path, dll, "--filter", "*", "--job", "Dry", "--artifacts", artifacts.Path);

        foreach (var row in new[]
                 {
                     "raw ORT, batch 1", "library PredictPixels, batch 1", "library Predict(file), batch 1",
                     "ML.NET PredictionEngine (model.zip, file), batch 1", "raw ORT, batch 64", "library PredictBatch, batch 64",
                     "TorchSharp inference mode, batch 1", "TorchSharp inference mode, batch 64",
                     "fast model fp32, batch 1", "fast model int8, batch 1", "fast model int8, batch 64",
                 })
            Assert.Contains(row, output);
        Assert.Contains("OrtSessionBenchmarks", output);
        Assert.Matches(@"machine: .+; libtorch fp32 GEMM [0-9.]+ GFLOP/s", output); // the extensions BenchmarkDotNet does not name
        Assert.DoesNotContain("Exception", output);
        Assert.DoesNotContain("// Benchmark Process Exited with non-zero exit code", output);
        Assert.Matches(@"// \*\*\*\*\* BenchmarkRunner: End \*\*\*\*\*", output);
    }
}
