using System.Security.Cryptography;
using System.Text.Json;
using FerMlNet.Core.Data;
using FerMlNet.Preprocessing;
using FerMlNet.Core.Quality;

namespace FerMlNet.Tests;

public class DataAuditTests(DataQualityFixture fixture) : IClassFixture<DataQualityFixture>
{
    private static string[] Paths(AuditResult audit, int[] group) => group.Select(i => audit.Data.RelativePaths[i]).ToArray();

    [Fact]
    public void FindsTheKnownFlawsOfTheSubset()
    {
        var audit = DatasetAudit.Run(fixture.Data);
        var exact = audit.ExactGroups.Select(g => Paths(audit, g)).ToList();
        Assert.Contains(exact, g => g.SequenceEqual(["train/happy/16665.jpg", "val/happy/18425.jpg"]));
        Assert.Contains(exact, g => g.SequenceEqual(["train/happy/25285.jpg", "train/surprise/34012.jpg"]));
        Assert.True(audit.ExactCounts.CrossSplitGroups >= 1);
        Assert.True(audit.ExactCounts.ConflictingLabelGroups >= 1);

        var near = audit.NearGroups.Select(g => Paths(audit, g)).ToList();
        Assert.Contains(near, g => g.Contains(fixture.NearCopyOf) && g.Contains("test/sad/brighter-copy.png"));
        Assert.Contains("train/neutral/22927.jpg", audit.Blank.Select(i => audit.Data.RelativePaths[i]));
        Assert.Equal(["train/happy/truncated.jpg", "train/sad/zero-bytes.jpg"],
            audit.Data.Failures.Select(f => f.Path).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void TheHtmlShowsEachNearPairsFiguresAndTheCandidatesThePixelsKeptApart()
    {
        var audit = DatasetAudit.Run(fixture.Data);
        var html = AuditReport.ToHtml(audit, [], "subset");
        var pair = Assert.Single(audit.NearPairs, p => audit.Data.RelativePaths[p.Second] == "test/sad/brighter-copy.png"
                                                     || audit.Data.RelativePaths[p.First] == "test/sad/brighter-copy.png");
        Assert.Contains($"hash distance {pair.Distance}, pixel correlation {pair.Correlation:0.000}", html);
        int keptApart = audit.HashPairs.Count - audit.NearPairs.Count;
        Assert.Contains($"Hash candidates kept apart (pixel correlation below {audit.Options.NearMinCorrelation:0.00}) — {keptApart:N0}", html);
    }

    [Fact]
    [Trait(TestSpeed.Trait, TestSpeed.Slow)]
    public void CliWritesContractJsonAndHtmlAndRefusesToOverwrite()
    {
        using var outDir = TestData.NewTempDir();
        var r = CliProcess.Run("data", "audit", fixture.Root, "--out", outDir.Path);
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var doc = JsonDocument.Parse(File.ReadAllText(outDir.Combine("audit.json")));
        var root = doc.RootElement;
        Assert.Equal(fixture.Index.Entries.Count, root.GetProperty("images").GetInt32());
        Assert.Equal(2, root.GetProperty("unreadable").GetArrayLength());
        Assert.Contains("zero-bytes.jpg", root.GetProperty("unreadable")[1].GetProperty("path").GetString());
        Assert.True(root.GetProperty("exactDuplicates").GetProperty("crossSplitGroups").GetInt32() >= 1);
        Assert.Equal("phash", root.GetProperty("nearDuplicates").GetProperty("method").GetString());
        Assert.Equal(25, root.GetProperty("perSplit").GetProperty("test").GetProperty("happy").GetInt32());
        var html = File.ReadAllText(outDir.Combine("audit.html"));
        Assert.Contains("data:image/png;base64,", html);
        Assert.Contains("val/happy/18425.jpg", html);
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org", ""));

        var again = CliProcess.Run("data", "audit", fixture.Root, "--out", outDir.Path);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("already exists", again.Stderr);
    }

    [Fact]
    [Trait(TestSpeed.Trait, TestSpeed.Slow)]
    public void OnTheEmbeddedDatasetEveryByteIdenticalGroupIsPixelIdentical()
    {
        var index = DatasetReader.Read(TestData.Fer4Mit);
        var data = DecodedDatasetCache.Load(index);
        var audit = DatasetAudit.Run(data);
        // The facts recorded in datasets/README.md from md5sum.
        Assert.Equal(new GroupCounts(865, 1_896, 1_031, 303, 7, audit.ExactCounts.LargestGroup), audit.ExactCounts);

        var pixelGroupOf = new Dictionary<string, int>();
        for (int g = 0; g < audit.ExactGroups.Count; g++)
            foreach (int i in audit.ExactGroups[g]) pixelGroupOf[data.RelativePaths[i]] = g;
        var byteGroups = index.Entries.GroupBy(e => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(e.FullPath))))
            .Where(g => g.Count() > 1).ToList();
        Assert.Equal(865, byteGroups.Count);
        foreach (var g in byteGroups)
            Assert.Single(g.Select(e => pixelGroupOf[e.RelativePath]).Distinct());
    }

    [Fact]
    public void MultiIndexHashingFindsExactlyTheBruteForcePairs()
    {
        var random = new Random(7);
        // Clustered hashes: 300 centres with a few bits flipped around each, so many pairs are near.
        var hashes = new List<ulong>();
        for (int c = 0; c < 300; c++)
        {
            ulong centre = (ulong)random.NextInt64();
            for (int k = 0; k < 4; k++)
            {
                ulong h = centre;
                for (int f = random.Next(6); f > 0; f--) h ^= 1UL << random.Next(64);
                hashes.Add(h);
            }
        }
        foreach (int t in new[] { 0, 3, 6, 9 })
        {
            var fast = HammingIndex.NearPairs(hashes, t).Select(p => (p.I, p.J)).ToHashSet();
            var brute = new HashSet<(int, int)>();
            for (int i = 0; i < hashes.Count; i++)
                for (int j = i + 1; j < hashes.Count; j++)
                    if (PerceptualHash.Distance(hashes[i], hashes[j]) <= t) brute.Add((i, j));
            Assert.True(brute.Count > 0);
            Assert.True(brute.SetEquals(fast), $"threshold {t}: {brute.Count} brute-force pairs, {fast.Count} found");
        }
    }

    [Fact]
    public void PHashIgnoresSmallPhotometricChangesAndSeparatesDifferentFaces()
    {
        var faces = TestData.Fer4MitImages("test", "happy", 6).Select(FaceImageDecoder.DecodeFile).ToArray();
        var shifted = faces[0].Select(p => (byte)Math.Clamp(p * 0.9 + 12, 0, 255)).ToArray();
        Assert.True(PerceptualHash.Distance(PerceptualHash.PHash(faces[0]), PerceptualHash.PHash(shifted)) <= 2);
        for (int i = 1; i < faces.Length; i++)
            Assert.True(PerceptualHash.Distance(PerceptualHash.PHash(faces[0]), PerceptualHash.PHash(faces[i])) > AuditOptions.DefaultNearThreshold);
    }
}
