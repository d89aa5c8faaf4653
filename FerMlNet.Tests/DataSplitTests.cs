using System.Security.Cryptography;
using System.Text.Json;
using FerMlNet.Core;
using FerMlNet.Core.Data;
using FerMlNet.Preprocessing;
using FerMlNet.Core.Quality;

namespace FerMlNet.Tests;

public class DataSplitTests(DataQualityFixture fixture) : IClassFixture<DataQualityFixture>
{
    private static string TreeHash(string root) => Convert.ToHexString(SHA256.HashData(
        Directory.GetFiles(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .SelectMany(f => File.ReadAllBytes(f).Concat(System.Text.Encoding.UTF8.GetBytes(f))).ToArray()));

    [Fact]
    [Trait(TestSpeed.Trait, TestSpeed.Slow)]
    public void EmbeddedDatasetSplitHasNoCrossSplitGroupAndClassRatiosWithinOnePoint()
    {
        var data = DecodedDatasetCache.Load(DatasetReader.Read(TestData.Fer4Mit));
        var audit = DatasetAudit.Run(data);
        var plan = LeakageFreeSplitter.Plan(audit, new SplitOptions());

        var splitOf = plan.Assignments.ToDictionary(a => a.Source, a => a.Split);
        foreach (var group in audit.DuplicateGroups)
            Assert.True(group.Select(i => data.RelativePaths[i]).Where(splitOf.ContainsKey).Select(p => splitOf[p]).Distinct().Count() <= 1);
        for (int c = 0; c < EmotionClasses.Count; c++)
        {
            var ofClass = plan.Assignments.Where(a => a.Label == c).ToList();
            double[] target = [0.8, 0.1, 0.1];
            DatasetSplit[] splits = [DatasetSplit.Train, DatasetSplit.Val, DatasetSplit.Test];
            for (int s = 0; s < 3; s++)
                Assert.InRange((double)ofClass.Count(a => a.Split == splits[s]) / ofClass.Count, target[s] - 0.01, target[s] + 0.01);
        }
        // The 7 conflicting byte-identical groups and the blank images are set aside, each with a reason.
        Assert.Contains(plan.SetAside, s => s.Source == "train/happy/25285.jpg" && s.Reason.Contains("conflicting labels"));
        Assert.Contains(plan.SetAside, s => s.Source == "train/neutral/22927.jpg" && s.Reason.StartsWith("blank"));
        Assert.Equal(data.Count, plan.Assignments.Count + plan.DroppedCopies.Count + plan.SetAside.Count);
    }

    [Fact]
    [Trait(TestSpeed.Trait, TestSpeed.Slow)]
    public void CliSplitIsReproducibleLeakageFreeAndLeavesTheSourceUntouched()
    {
        using var work = TestData.NewTempDir();
        var before = TreeHash(fixture.Root);
        var first = CliProcess.Run("data", "split", fixture.Root, "--out", work.Combine("a"), "--seed", "7");
        Assert.True(first.ExitCode == 0, first.Stderr);
        var second = CliProcess.Run("data", "split", fixture.Root, "--out", work.Combine("b"), "--seed", "7");
        Assert.True(second.ExitCode == 0, second.Stderr);
        var other = CliProcess.Run("data", "split", fixture.Root, "--out", work.Combine("c"), "--seed", "8");
        Assert.True(other.ExitCode == 0, other.Stderr);
        Assert.Equal(before, TreeHash(fixture.Root));

        var manifest = File.ReadAllBytes(work.Combine("a", "manifest.json"));
        Assert.Equal(manifest, File.ReadAllBytes(work.Combine("b", "manifest.json")));
        Assert.NotEqual(manifest, File.ReadAllBytes(work.Combine("c", "manifest.json")));
        Assert.False(Directory.Exists(work.Combine("a.partial")));

        // The typed manifest reads back strictly and writes back the same bytes (the cards hash them).
        var typed = SplitManifest.Load(work.Combine("a", SplitManifest.FileName));
        Assert.Equal(manifest, System.Text.Encoding.UTF8.GetBytes(typed.Serialize()));
        var setAside = typed.SetAside.ToDictionary(s => s.Source, s => s.Reason);
        Assert.StartsWith("unreadable", setAside["train/sad/zero-bytes.jpg"]);
        Assert.StartsWith("blank", setAside["train/neutral/22927.jpg"]);
        Assert.Contains("conflicting", setAside["train/surprise/34012.jpg"]);
        Assert.Equal(typed.Images, typed.Files.Count);
        foreach (var f in typed.Files)
            Assert.True(File.Exists(work.Combine("a", f.Path)));
        // Another tool's manifest, or a renamed key, is refused naming the file.
        File.WriteAllText(work.Combine("other.json"), """{"tool": "fer data relabel"}""");
        Assert.Contains("other.json", Assert.Throws<InvalidDataException>(() => SplitManifest.Load(work.Combine("other.json"))).Message);
        File.WriteAllBytes(work.Combine("renamed.json"), System.Text.Encoding.UTF8.GetBytes(
            System.Text.Encoding.UTF8.GetString(manifest).Replace("\"droppedCopies\"", "\"dropped\"")));
        Assert.Contains("renamed.json", Assert.Throws<InvalidDataException>(() => SplitManifest.Load(work.Combine("renamed.json"))).Message);

        // Auditing the new tree finds no duplicate group at all: one copy kept, never across splits.
        var audit = DatasetAudit.Run(DecodedDatasetCache.Load(DatasetReader.Read(work.Combine("a")), useCache: false));
        Assert.Equal(0, audit.AllCounts.CrossSplitGroups);
        Assert.Equal(0, audit.AllCounts.Groups);

        var refused = CliProcess.Run("data", "split", fixture.Root, "--out", work.Combine("a"));
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("already exists", refused.Stderr);
        var badRatios = CliProcess.Run("data", "split", fixture.Root, "--out", work.Combine("d"), "--ratios", "80,10");
        Assert.Equal(1, badRatios.ExitCode);
    }

    [Fact]
    public void KeepDuplicatesKeepsEveryCopyInOneSplit()
    {
        var audit = DatasetAudit.Run(fixture.Data);
        var plan = LeakageFreeSplitter.Plan(audit, new SplitOptions { KeepDuplicates = true });
        Assert.Empty(plan.DroppedCopies);
        var copies = plan.Assignments.Where(a => a.Source is "train/happy/16665.jpg" or "val/happy/18425.jpg").ToList();
        Assert.Equal(2, copies.Count);
        Assert.Single(copies.Select(a => a.Split).Distinct());
    }
}
