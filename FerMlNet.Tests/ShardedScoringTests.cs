using FerMlNet.Core.IO;
using FerMlNet.Lifecycle.BatchScoring;

namespace FerMlNet.Tests;

/// <summary>
/// `fer score --shard I/N` and `--merge`: a score job cut into independent workers comes back as the one job's CSV,
/// and a merge refuses anything that is not every shard of one job, complete.
/// </summary>
public class ShardedScoringTests
{
    [Fact]
    [Trait(TestSpeed.Trait, TestSpeed.Slow)]
    public void AListInputMergesInItsOwnOrderWithAwkwardNamesAndAReorderedShardIsRefused()
    {
        using var dir = TestData.NewTempDir();
        var faces = TestData.Fer4MitImages("test", "happy", 6);
        string[] names = ["z-last.jpg", "comma, in name.jpg", "quote \"q\".jpg", "=formula.jpg", "a-first.jpg", "'apostrophe.jpg"];
        for (int i = 0; i < names.Length; i++) File.Copy(faces[i], dir.Combine(names[i]));
        File.WriteAllText(dir.Combine("list.csv"), "path\n" + string.Concat(names.Select(n => Csv.Line([n]) + "\n")));
        string Shard(int i) => dir.Combine($"part-{i}.csv");
        for (int i = 0; i < 2; i++)
            Assert.Equal(0, CliProcess.Run("score", dir.Combine("list.csv"), "--out", Shard(i), "--shard", $"{i}/2").ExitCode);
        Assert.Equal(0, CliProcess.Run("score", dir.Combine("list.csv"), "--out", dir.Combine("whole.csv")).ExitCode);

        var merged = CliProcess.Run("score", "--merge", Shard(1), Shard(0), "--out", dir.Combine("m.csv"));
        Assert.True(merged.ExitCode == 0, merged.Stderr);
        Assert.Equal(File.ReadAllLines(dir.Combine("whole.csv")), File.ReadAllLines(dir.Combine("m.csv"))); // the list's order
        Assert.Equal(names, Csv.ParseWritten(File.ReadAllText(dir.Combine("m.csv"))).Skip(1).Select(r => r[0]));

        // A shard whose rows are not in the input's order (edited, or from a reordered list) is refused before writing.
        var shard = File.ReadAllLines(Shard(0)).ToList();
        var body = shard.Skip(1).ToList();
        Assert.True(body.Count >= 2);
        File.WriteAllLines(Shard(0), [shard[0], .. body.AsEnumerable().Reverse()]);
        var reordered = CliProcess.Run("score", "--merge", Shard(0), Shard(1), "--out", dir.Combine("m2.csv"));
        Assert.Equal(2, reordered.ExitCode);
        Assert.Contains("is not in the order of its input", reordered.Stderr);
        Assert.False(File.Exists(dir.Combine("m2.csv")));
    }

    [Fact]
    public void ShardsOfTheEmbeddedDatasetAreDisjointCompleteAndEven()
    {
        var paths = FileTree.Files(TestData.Fer4Mit).Select(f => FileTree.RelativePath(TestData.Fer4Mit, f)).ToList();
        Assert.Equal(20214, paths.Count);
        foreach (int n in new[] { 1, 4, 7 })
        {
            var shards = Enumerable.Range(0, n).Select(i => new ScoreShard(i, n)).ToList();
            Assert.All(paths, p => Assert.Single(shards, s => s.Contains(p)));
            var sizes = shards.Select(s => paths.Count(s.Contains)).ToList();
            Assert.Equal(paths.Count, sizes.Sum());
            Assert.All(sizes, size => Assert.InRange(size, paths.Count / n * 0.95, paths.Count / n * 1.05));
        }
        Assert.Equal(new ScoreShard(3, 4), ScoreShard.Parse("3/4"));
        foreach (var bad in new[] { "4/4", "-1/4", "1", "a/b", "0/0", "1/2/3" })
            Assert.Contains("0 ≤ I < N", Assert.Throws<FormatException>(() => ScoreShard.Parse(bad)).Message);
    }

    [Fact]
    [Trait(TestSpeed.Trait, TestSpeed.Slow)]
    public void ThreeShardsMergeIntoTheUnshardedCsvAndAnIncompleteSetIsRefused()
    {
        using var dir = TestData.NewTempDir();
        string input = Path.Combine(TestData.Fer4Mit, "test");
        string Shard(int i) => dir.Combine($"part-{i}.csv");
        for (int i = 0; i < 3; i++)
        {
            var r = CliProcess.Run("score", input, "--out", Shard(i), "--shard", $"{i}/3");
            Assert.True(r.ExitCode == 0, r.Stderr);
        }
        var whole = CliProcess.Run("score", input, "--out", dir.Combine("whole.csv"));
        Assert.True(whole.ExitCode == 0, whole.Stderr);

        // Every shard is missing one: refused, naming the shard.
        var partial = CliProcess.Run("score", "--merge", Shard(0), Shard(2), "--out", dir.Combine("m.csv"));
        Assert.Equal(2, partial.ExitCode);
        Assert.Contains("Shard 1/3 is missing", partial.Stderr);
        // A shard cut short (a worker killed before its last rows): refused, naming a missing file; its --resume
        // finishes it, and a resume with another shard number is refused.
        var lines = File.ReadAllLines(Shard(1));
        string lost = lines[^1].Split(',')[0];
        File.WriteAllLines(Shard(1), lines[..^1]);
        var cut = CliProcess.Run("score", "--merge", Shard(0), Shard(1), Shard(2), "--out", dir.Combine("m.csv"));
        Assert.Equal(2, cut.ExitCode);
        Assert.Contains($"are in no shard CSV (an unfinished shard? --resume it): '{lost}'", cut.Stderr);
        Assert.False(File.Exists(dir.Combine("m.csv")));
        var wrongShard = CliProcess.Run("score", input, "--out", Shard(1), "--shard", "2/3", "--resume");
        Assert.NotEqual(0, wrongShard.ExitCode);
        Assert.Contains("shard 1/3", wrongShard.Stderr);
        Assert.True(CliProcess.Run("score", input, "--out", Shard(1), "--shard", "1/3", "--resume").ExitCode == 0);

        var merged = CliProcess.Run("score", "--merge", Shard(2), Shard(0), Shard(1), "--out", dir.Combine("m.csv"));
        Assert.True(merged.ExitCode == 0, merged.Stderr);
        Assert.Contains("3 shards merged: 128 images, each once", merged.Stdout);
        // The same rows as one unsharded run, in its order (a folder's: ordinal path order).
        Assert.Equal(File.ReadAllLines(dir.Combine("whole.csv")), File.ReadAllLines(dir.Combine("m.csv")));
        Assert.Equal(1, CliProcess.Run("score", "--merge", Shard(0), Shard(1), Shard(2), "--out", dir.Combine("m.csv")).ExitCode); // never overwrites
        var unsharded = CliProcess.Run("score", "--merge", dir.Combine("whole.csv"), "--out", dir.Combine("m2.csv"));
        Assert.Equal(2, unsharded.ExitCode);
        Assert.Contains("is not a shard", unsharded.Stderr);
    }

    [Fact]
    [Trait(TestSpeed.Trait, TestSpeed.Slow)]
    public void TheScaleOutSampleScriptsScoreEveryShardAsKubernetesAndSlurmStartThemAndMergeThem()
    {
        using var dir = TestData.NewTempDir();
        (string, string)[] job = [("SHARDS", "3"), ("INPUT", Path.Combine(TestData.Fer4Mit, "test")), ("OUTPUT", dir.Combine("scores"))];
        const string worker = "samples/scale-out/score-shard.sh";
        var noIndex = CliProcess.RunScript(worker, job);
        Assert.Equal(1, noIndex.ExitCode);
        Assert.Contains("set JOB_COMPLETION_INDEX (Kubernetes) or SLURM_ARRAY_TASK_ID (Slurm)", noIndex.Stderr);
        // Two workers as Kubernetes starts them, one as Slurm does; the Slurm one retried, as a failed task would be.
        foreach (var index in new[] { ("JOB_COMPLETION_INDEX", "0"), ("JOB_COMPLETION_INDEX", "1"), ("SLURM_ARRAY_TASK_ID", "2"), ("SLURM_ARRAY_TASK_ID", "2") })
        {
            var r = CliProcess.RunScript(worker, [.. job, index]);
            Assert.True(r.ExitCode == 0, r.Stderr);
        }
        var merged = CliProcess.RunScript("samples/scale-out/merge.sh", job);
        Assert.True(merged.ExitCode == 0, merged.Stderr);
        Assert.Contains("3 shards merged: 128 images, each once", merged.Stdout);
        Assert.Equal(129, File.ReadAllLines(dir.Combine("scores", "all.csv")).Length);
    }
}
