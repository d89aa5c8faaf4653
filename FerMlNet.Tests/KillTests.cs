using System.Diagnostics;
using System.Text.Json;

namespace FerMlNet.Tests;

/// <summary>kill -9 of real `fer` processes mid-job, then a rerun: nothing lost, nothing doubled, same result.</summary>
[Trait(TestSpeed.Trait, TestSpeed.Slow)]
public class KillTests
{
    /// <summary>Starts `fer ARGS`, waits until <paramref name="ready"/> holds, then SIGKILLs the process.</summary>
    private static void KillWhen(Func<bool> ready, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = TestData.RepoRoot };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "fer.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        _ = p.StandardOutput.ReadToEndAsync();
        _ = p.StandardError.ReadToEndAsync();
        var clock = Stopwatch.StartNew();
        while (!ready() && !p.HasExited && clock.Elapsed < TimeSpan.FromMinutes(3)) Thread.Sleep(20);
        Assert.False(p.HasExited, "the job finished before it could be killed; give it more work");
        p.Kill(entireProcessTree: true); // SIGKILL: no finally blocks, no flush
        p.WaitForExit();
    }

    [Fact]
    public void TrainingKilledMidRunResumesToTheSameMetricsAsAnUninterruptedRun()
    {
        using var data = TestData.NewTempDir();
        using var work = TestData.NewTempDir();
        TestData.CopySubset(data.Path, 40, ("train", "train"), ("validation", "validation"));
        File.WriteAllText(work.Combine("tiny.json"), """{ "name": "tiny", "architecture": "fast", "epochs": 4, "batchSize": 16, "batchNormMomentum": 0.9 }""");
        var whole = CliProcess.Run("train", work.Combine("tiny.json"), "--data", data.Path, "--out", work.Combine("whole"));
        Assert.True(whole.ExitCode == 0, whole.Stderr);

        string killed = work.Combine("killed");
        // Killed as soon as the first epoch's checkpoint is on disk: somewhere inside epoch 2.
        KillWhen(() => File.Exists(Path.Combine(killed, "checkpoint.bin")), "train", work.Combine("tiny.json"), "--data", data.Path, "--out", killed);
        Assert.False(File.Exists(Path.Combine(killed, "model.zip")));
        var resumed = CliProcess.Run("train", work.Combine("tiny.json"), "--data", data.Path, "--out", killed, "--resume");
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);

        static (double, double[]) Outcome(string dir)
        {
            using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "metrics.json")));
            using var history = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "history.json")));
            return (metrics.RootElement.GetProperty("accuracy").GetDouble(),
                    history.RootElement.EnumerateArray().Select(e => e.GetProperty("valLoss").GetDouble()).ToArray());
        }
        var (wholeAccuracy, wholeLosses) = Outcome(work.Combine("whole"));
        var (resumedAccuracy, resumedLosses) = Outcome(killed);
        Assert.Equal(wholeAccuracy, resumedAccuracy);
        Assert.Equal(wholeLosses, resumedLosses);
    }

    [Fact]
    public void ScoringKilledMidRunResumesWithEveryInputExactlyOnce()
    {
        using var dir = TestData.NewTempDir();
        TestData.CopySubset(dir.Combine("faces"), 150, ("train", "train"));
        var inputs = Directory.GetFiles(dir.Combine("faces"), "*", SearchOption.AllDirectories).Length;
        string csv = dir.Combine("scores.csv");
        KillWhen(() => File.Exists(csv) && File.ReadAllLines(csv).Length > 50, "score", dir.Combine("faces"), "--out", csv);
        int before = File.ReadAllLines(csv).Length - 1;
        Assert.InRange(before, 50, inputs - 1);
        var resumed = CliProcess.Run("score", dir.Combine("faces"), "--out", csv, "--resume");
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        var paths = Core.IO.Csv.Parse(File.ReadAllText(csv)).Skip(1).Select(row => row[0]).ToList();
        Assert.Equal(inputs, paths.Count);
        Assert.Equal(inputs, paths.Distinct().Count());
    }

    /// <summary>
    /// `data split` and `data relabel` both build their new tree in OUT.partial and rename it at the end: killed while
    /// copying, the source is byte-for-byte as it was, no finished-looking tree exists, and a rerun completes.
    /// </summary>
    [Theory]
    [InlineData("split")]
    [InlineData("relabel")]
    public void NewTreeCommandKilledMidCopyLeavesTheSourceUntouchedAndARerunSucceeds(string command)
    {
        using var dir = TestData.NewTempDir();
        TestData.CopySubset(dir.Combine("source"), 120, ("train", "train"), ("validation", "validation"));
        string Fingerprint() => string.Join("\n", Directory.GetFiles(dir.Combine("source"), "*", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal).Select(f => $"{f}:{new FileInfo(f).Length}"));
        string[] extra = [];
        if (command == "relabel")
        {
            // The decisions file lives outside the source tree so the fingerprint covers only the dataset.
            var first = Directory.GetFiles(dir.Combine("source", "train", "sad")).Order(StringComparer.Ordinal).First();
            File.WriteAllText(dir.Combine("decisions.csv"), Core.IO.Csv.Line(Core.Quality.RelabelDecisions.Header) + "\n" +
                Core.IO.Csv.Line([$"train/sad/{Path.GetFileName(first)}", "sad", "neutral", "0.9", "relabel:neutral"]) + "\n");
            extra = ["--decisions", dir.Combine("decisions.csv")];
        }
        string before = Fingerprint();
        string target = dir.Combine("out");
        string[] args = ["data", command, dir.Combine("source"), "--out", target, .. extra];
        KillWhen(() => Directory.Exists(target + ".partial") && Directory.EnumerateFiles(target + ".partial", "*", SearchOption.AllDirectories).Any(), args);
        Assert.Equal(before, Fingerprint());
        Assert.False(File.Exists(Path.Combine(target, "manifest.json"))); // never a half tree that looks finished
        var rerun = CliProcess.Run(args);
        Assert.True(rerun.ExitCode == 0, rerun.Stderr);
        Assert.True(File.Exists(Path.Combine(target, "manifest.json")));
        Assert.Equal(before, Fingerprint());
    }
}
