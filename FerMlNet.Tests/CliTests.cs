using System.Text.Json;

namespace FerMlNet.Tests;

public class CliTests
{
    [Fact]
    [Trait(TestSpeed.Trait, TestSpeed.Slow)]
    public void DataStatsJsonReportsTheEmbeddedDatasetCounts()
    {
        var r = CliProcess.Run("data", "stats", "datasets/fer4-mit", "--json", "--no-decode");
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Stdout);
        var splits = doc.RootElement.GetProperty("splits");
        Assert.Equal(15_109, splits.GetProperty("train").GetProperty("total").GetInt32());
        Assert.Equal(4_977, splits.GetProperty("val").GetProperty("total").GetInt32());
        Assert.Equal("validation", splits.GetProperty("val").GetProperty("folder").GetString());
        Assert.Equal(128, splits.GetProperty("test").GetProperty("total").GetInt32());
        Assert.Equal(3_173, splits.GetProperty("train").GetProperty("perClass").GetProperty("surprise").GetInt32());
        Assert.Equal(20_214, doc.RootElement.GetProperty("images").GetInt32());
    }

    [Fact]
    [Trait(TestSpeed.Trait, TestSpeed.Slow)]
    public void DataStatsDecodesAndNamesUnreadableFiles()
    {
        using var tmp = TestData.NewTempDir();
        TestData.CopySubset(tmp.Path, 2, ("train", "train"), ("test", "test"));
        File.WriteAllText(tmp.Combine("train", "happy", "broken.jpg"), "this is text");
        var r = CliProcess.Run("data", "stats", tmp.Path, "--json");
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Stdout);
        var unreadable = doc.RootElement.GetProperty("unreadable").EnumerateArray().Single();
        Assert.Equal("train/happy/broken.jpg", unreadable.GetProperty("path").GetString());
    }

    [Fact]
    [Trait(TestSpeed.Trait, TestSpeed.Slow)]
    public void BadInputGivesTheContractExitCodesAndNoStackTrace()
    {
        var missing = CliProcess.Run("data", "stats", "/no/such/folder");
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("'/no/such/folder' does not exist", missing.Stderr);
        Assert.DoesNotContain("   at ", missing.Stderr);

        using var tmp = TestData.NewTempDir();
        TestData.CopySubset(tmp.Path, 1, ("train", "train"), ("test", "holdout"));
        var unknownSplit = CliProcess.Run("data", "stats", tmp.Path);
        Assert.Equal(2, unknownSplit.ExitCode);
        Assert.Contains("'holdout'", unknownSplit.Stderr);

        // A pipeline that starts from (or learns from) a run that is not there is refused before any decoding,
        // naming the key, the missing checkpoint and, for runs/NAME of a pipeline, the command that trains it.
        File.WriteAllText(Path.Combine(tmp.Path, "warm.json"), """{ "architecture": "vgg-gap", "initialWeights": "runs/mislabel-fast" }""");
        var noParent = CliProcess.Run("train", Path.Combine(tmp.Path, "warm.json"), "--data", tmp.Path, "--out", Path.Combine(tmp.Path, "run"));
        Assert.Equal(1, noParent.ExitCode);
        Assert.Contains($"initialWeights 'runs/mislabel-fast' has no checkpoint ({Path.Combine("runs/mislabel-fast", "checkpoint.bin")})", noParent.Stderr);
        Assert.Contains($"./fer train mislabel-fast --data {tmp.Path} --out runs/mislabel-fast", noParent.Stderr);
        Assert.DoesNotContain("Decoding", noParent.Stderr);
        var teacher = Path.Combine(tmp.Path, "no-teacher");
        File.WriteAllText(Path.Combine(tmp.Path, "kd.json"), $$"""{ "architecture": "model-0", "distillation": { "teachers": ["{{teacher}}"] } }""");
        var noTeacher = CliProcess.Run("train", Path.Combine(tmp.Path, "kd.json"), "--data", tmp.Path, "--out", Path.Combine(tmp.Path, "run"));
        Assert.Equal(1, noTeacher.ExitCode);
        Assert.Contains($"distillation.teachers '{teacher}' has no checkpoint", noTeacher.Stderr);
        File.WriteAllText(Path.Combine(tmp.Path, "kd-model.json"), $$"""{ "architecture": "model-0", "distillation": { "teacherModel": "{{teacher}}.onnx" } }""");
        var noModel = CliProcess.Run("train", Path.Combine(tmp.Path, "kd-model.json"), "--data", tmp.Path, "--out", Path.Combine(tmp.Path, "run"));
        Assert.Equal(1, noModel.ExitCode);
        Assert.Contains($"distillation.teacherModel '{teacher}.onnx' does not exist", noModel.Stderr);
        Assert.False(Directory.Exists(Path.Combine(tmp.Path, "run")));

        // A folder where the model belongs, and a misspelt option that a path argument would otherwise swallow.
        string images = Path.Combine(tmp.Path, "train");
        var folderAsModel = CliProcess.Run("score", images, images, "--out", Path.Combine(tmp.Path, "a.csv"));
        Assert.Equal(2, folderAsModel.ExitCode);
        Assert.Contains($"'{images}' is a folder, not a file", folderAsModel.Stderr);
        Assert.DoesNotContain("unexpected", folderAsModel.Stderr);
        var typo = CliProcess.Run("score", images, "--out", Path.Combine(tmp.Path, "b.csv"), "--froce");
        Assert.Equal(1, typo.ExitCode);
        Assert.Contains("Unknown option '--froce' for fer score", typo.Stderr);
        Assert.False(File.Exists(Path.Combine(tmp.Path, "b.csv")));

        var device = CliProcess.Run("train", "model-0", "--device", "gpu", "--out", Path.Combine(tmp.Path, "gpu-run"));
        Assert.Equal(1, device.ExitCode);
        Assert.Contains("'gpu' for option '--device'", device.Stderr + device.Stdout);
        Assert.False(Directory.Exists(Path.Combine(tmp.Path, "gpu-run")));

        Assert.Equal(1, CliProcess.Run("data", "stats").ExitCode);
        Assert.Equal(1, CliProcess.Run("no-such-command").ExitCode);
        var help = CliProcess.Run("--help");
        Assert.Equal(0, help.ExitCode);
        Assert.Contains("data", help.Stdout);
    }

    [Fact]
    [Trait(TestSpeed.Trait, TestSpeed.Slow)]
    public void BenchTrainPrintsThroughputAndRatiosForEachPipeline()
    {
        var r = CliProcess.Run("bench", "train", "--pipelines", "mislabel-fast,model-0", "--steps", "1");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("mislabel-fast", r.Stdout);
        Assert.Contains("1.00×", r.Stdout);
        Assert.Matches(@"model-0\s*│\s*model-0\s*│\s*64\s*│\s*[0-9.]+\s*│\s*[0-9.]+×\s*│\s*[0-9.]+\s*│\s*[0-9]+\s*%", r.Stdout);
        // The machine the figures belong to, first: CPU, extensions, threads and the measured GEMM rate.
        string text = System.Text.RegularExpressions.Regex.Replace(r.Stdout, @"\s+", " ");
        Assert.Matches(@"^machine: .+; .*\d+ threads; has .*AVX2.*; libtorch fp32 GEMM [0-9.]+ GFLOP/s on 1 thread, [0-9.]+ on \d+", text);
        Assert.Matches(@"; bf16 GEMM [0-9.]+ on \d+ \([0-9.]+× fp32\)", text);
    }

    [Fact]
    [Trait(TestSpeed.Trait, TestSpeed.Slow)]
    public void BenchPrecisionRunsEachNetworkInFp32AndBf16()
    {
        var r = CliProcess.Run("bench", "precision", "--pipelines", "model-0", "--steps", "1", "--rounds", "1", "--train-batches", "2");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Matches(@"model-0\s*│\s*model-0\s*│\s*64\s*│\s*[0-9.]+\s*│\s*[0-9.]+\s*│\s*[0-9.]+×", r.Stdout);
        // Whole training steps through the trainer, fp32 against the bf16 training precision.
        Assert.Matches(@"whole training steps:\s*\S+\s*│ pipeline\s*│ batch[^\n]*\n[\s\S]*model-0\s*│\s*64\s*│\s*[0-9.]+\s*│\s*[0-9.]+\s*│\s*[0-9.]+×", r.Stdout);
        Assert.Equal(1, CliProcess.Run("bench", "precision", "--rounds", "0").ExitCode);
    }

    [Fact]
    [Trait(TestSpeed.Trait, TestSpeed.Slow)]
    public void ALogKeepsEachPrintedSentenceOnOneLine()
    {
        // CliProcess redirects stdout like a job writing its log: the sentence is longer than 80 columns and stays whole.
        using var dir = TestData.NewTempDir();
        TestData.CopySubset(dir.Combine("data"), 4, ("train", "train"));
        var r = CliProcess.Run("data", "crowd-decisions", dir.Combine("data"), "--out", dir.Combine("decisions.csv"));
        Assert.True(r.ExitCode == 0, r.Stderr);
        var line = Assert.Single(r.Stdout.Split('\n'), l => l.Contains("relabels (crowd majority"));
        Assert.True(line.Length > 80, line);
        Assert.Contains("then `fer data relabel", line);
    }
}
