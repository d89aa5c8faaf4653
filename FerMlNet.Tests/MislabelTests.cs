using System.Text.Json;
using FerMlNet.Preprocessing;
using FerMlNet.Core.IO;
using FerMlNet.Core.Labels;
using FerMlNet.Core.Quality;
using FerMlNet.Lifecycle.Quality;

namespace FerMlNet.Tests;

[Collection(TorchCollection.Name)]
public class MislabelTests(DataQualityFixture fixture) : IClassFixture<DataQualityFixture>
{
    [Fact]
    public void ConfidentLearningFlagsAnImageWhoseOtherClassIsConfident()
    {
        var data = fixture.Data;
        // Out-of-fold probabilities that agree with the labels (0.7 on the given class)...
        var oof = Enumerable.Range(0, data.Count).Select(i =>
        {
            var p = Enumerable.Repeat(0.1f, 4).ToArray();
            p[data.Labels[i]] = 0.7f;
            return p;
        }).ToArray();
        // ...except one labelled happy that the models call surprise, and one that is merely unsure.
        int wrong = Array.FindIndex(data.Labels, l => l == 0);
        oof[wrong] = [0.05f, 0.05f, 0.05f, 0.85f];
        int unsure = Array.FindIndex(data.Labels, wrong + 1, l => l == 0);
        oof[unsure] = [0.4f, 0.3f, 0.2f, 0.1f];
        var result = MislabelDetector.Flag(data, oof, new int[data.Count]);

        var flag = Assert.Single(result.Flagged);
        Assert.Equal((wrong, 0, 3), (flag.Index, flag.Given, flag.Suggested));
        Assert.Equal(0.8, flag.Margin, 1e-3);

        // The report draws it in the overall gallery and again under its own pair, captioned with its overall rank.
        using var dir = TestData.NewTempDir();
        MislabelReport.Write(dir.Path, data, result, "test", new MislabelOptions());
        var html = File.ReadAllText(dir.Combine("mislabels.html"));
        Assert.Contains("happy → surprise: top 1 of 1", html);
        Assert.Equal(2, html.Split("#1 happy → surprise").Length - 1);
    }

    [Fact]
    public void FoldModelsThatGiveEveryFaceTheSameAnswerDoNotClearTheConstantAnswerFloor()
    {
        var data = fixture.Data;
        var same = Enumerable.Range(0, data.Count).Select(_ => new[] { 0.3f, 0.3f, 0.2f, 0.2f }).ToArray();
        var useless = MislabelDetector.Flag(data, same, new int[data.Count]);
        double largestShare = Enumerable.Range(0, 4).Max(c => data.Labels.Count(l => l == c)) / (double)data.Count;
        Assert.Equal(largestShare, useless.ConstantAnswerAccuracy);
        Assert.True(useless.OutOfFoldAccuracy <= useless.ConstantAnswerAccuracy);
        Assert.False(useless.BeatsConstantAnswerBy(MislabelOptions.DefaultMinimumAccuracyLift));
        Assert.True(useless.BeatsConstantAnswerBy(-1), "a floor below the constant answer lets anything through");

        var knowing = MislabelDetector.Flag(data, data.Labels.Select(l => Enumerable.Range(0, 4).Select(c => c == l ? 0.7f : 0.1f).ToArray()).ToArray(),
            new int[data.Count]);
        Assert.True(knowing.BeatsConstantAnswerBy(MislabelOptions.DefaultMinimumAccuracyLift));
    }

    [Fact]
    public void FoldsAreStratifiedAndKeepDuplicateGroupsTogether()
    {
        var audit = DatasetAudit.Run(fixture.Data);
        var fold = MislabelDetector.AssignFolds(fixture.Data, audit, 3, seed: 1);
        foreach (var group in audit.DuplicateGroups)
            Assert.Single(group.Select(i => fold[i]).Distinct());
        for (int c = 0; c < 4; c++)
        {
            var sizes = Enumerable.Range(0, 3).Select(k => Enumerable.Range(0, fixture.Data.Count)
                .Count(i => fold[i] == k && fixture.Data.Labels[i] == c)).ToArray();
            Assert.True(sizes.Max() - sizes.Min() <= 3, $"class {c} folds {string.Join("/", sizes)}");
        }
    }

    [Fact]
    [Trait(TestSpeed.Trait, TestSpeed.Slow)]
    public void CliWritesRankedReportsThatRelabelApplies()
    {
        using var work = TestData.NewTempDir();
        var dataset = work.Combine("data");
        TestData.CopySubset(dataset, 12, ("train", "train"), ("validation", "val"));
        // Only train is folded and flagged: the validation labels must stay as they are to measure honestly.
        // One epoch on 48 faces is nowhere near 50 points above a constant answer: no flags are written, and the
        // message says why and what to do.
        var weak = CliProcess.Run("data", "mislabels", dataset, "--out", work.Combine("report"), "--folds", "2", "--epochs", "1",
            "--split", "train", "--min-accuracy-lift", "0.5");
        Assert.Equal(1, weak.ExitCode);
        Assert.Contains("points above the", weak.Stderr);
        Assert.Contains("so none are written", weak.Stderr);
        Assert.False(File.Exists(work.Combine("report", "decisions.csv")));
        // Asked to write them anyway, the same folds are reused and the report records the floor it was measured against.
        var run = CliProcess.Run("data", "mislabels", dataset, "--out", work.Combine("report"), "--folds", "2", "--epochs", "1",
            "--split", "train", "--min-accuracy-lift", "0");
        Assert.True(run.ExitCode == 0, run.Stderr);
        using (var doc = JsonDocument.Parse(File.ReadAllText(work.Combine("report", "mislabels.json"))))
        {
            Assert.Equal(48, doc.RootElement.GetProperty("images").GetInt32());
            Assert.Equal("train", doc.RootElement.GetProperty("splits").GetString());
            Assert.All(doc.RootElement.GetProperty("flagged").EnumerateArray(),
                f => Assert.StartsWith("train/", f.GetProperty("path").GetString()));
            Assert.Equal(2, doc.RootElement.GetProperty("folds").GetInt32());
            Assert.Equal(0.25, doc.RootElement.GetProperty("constantAnswerAccuracy").GetDouble()); // 12 faces of each class
            var margins = doc.RootElement.GetProperty("flagged").EnumerateArray().Select(f => f.GetProperty("margin").GetDouble()).ToList();
            Assert.Equal(margins.OrderByDescending(m => m), margins);
            // FER-2013 faces: the crowd's votes judge the top flags, against the rate it rejects any of the 48 labels.
            var crowd = doc.RootElement.GetProperty("crowdCheck");
            Assert.Equal(48, crowd.GetProperty("baseImages").GetInt32());
            Assert.Equal(Math.Min(CrowdFlagCheck.DefaultTop, margins.Count), crowd.GetProperty("top").GetInt32());
            Assert.NotEmpty(margins); // a one-epoch model disagrees with many labels
            Assert.Contains($"of the top {crowd.GetProperty("withVotes").GetInt32()} flags", run.Stdout);
            var page = File.ReadAllText(work.Combine("report", "mislabels.html"));
            Assert.Contains("The FER+ crowd does not back the given label of", page);
            Assert.Matches(@"crowd: (\w+|NF) \d+/\d+", page); // each thumbnail says what the crowd voted
            Assert.True(doc.RootElement.GetProperty("averageFlips").GetBoolean());
        }
        Assert.StartsWith("path,given,suggested,confidence,decision", File.ReadAllText(work.Combine("report", "decisions.csv")));
        Assert.Contains("data:image/png", File.ReadAllText(work.Combine("report", "mislabels.html")));

        // A reviewer's decisions: one relabel, one removal, one keep; a path with a comma survives the CSV.
        var files = Directory.GetFiles(Path.Combine(dataset, "train", "sad")).Order(StringComparer.Ordinal).ToArray();
        File.Move(files[2], Path.Combine(dataset, "train", "sad", "odd, name.jpg"));
        var decisions = work.Combine("decisions.csv");
        File.WriteAllText(decisions, Csv.Line(RelabelDecisions.Header) + "\n" +
            Csv.Line([$"train/sad/{Path.GetFileName(files[0])}", "sad", "neutral", "0.9", "relabel:neutral"]) + "\n" +
            Csv.Line([$"train/sad/{Path.GetFileName(files[1])}", "sad", "happy", "0.8", "remove"]) + "\n" +
            Csv.Line(["train/sad/odd, name.jpg", "sad", "happy", "0.7", "keep"]) + "\n");
        var relabel = CliProcess.Run("data", "relabel", dataset, "--decisions", decisions, "--out", work.Combine("fixed"));
        Assert.True(relabel.ExitCode == 0, relabel.Stderr);
        Assert.True(File.Exists(work.Combine("fixed", "train", "neutral", Path.GetFileName(files[0]))));
        Assert.False(File.Exists(work.Combine("fixed", "train", "sad", Path.GetFileName(files[0]))));
        Assert.False(File.Exists(work.Combine("fixed", "train", "sad", Path.GetFileName(files[1]))));
        Assert.True(File.Exists(work.Combine("fixed", "train", "sad", "odd, name.jpg")));
        Assert.Equal(12, Directory.GetFiles(work.Combine("fixed", "val", "sad")).Length);
        Assert.True(File.Exists(Path.Combine(dataset, "train", "sad", Path.GetFileName(files[0]))), "the source is never changed");
        var again = CliProcess.Run("data", "relabel", dataset, "--decisions", decisions, "--out", work.Combine("fixed2"));
        Assert.Equal(0, again.ExitCode);
        Assert.Equal(File.ReadAllBytes(work.Combine("fixed", "manifest.json")), File.ReadAllBytes(work.Combine("fixed2", "manifest.json")));

        File.WriteAllText(decisions, "path,decision\ntrain/sad/nope.jpg,remove\n");
        var unknown = CliProcess.Run("data", "relabel", dataset, "--decisions", decisions, "--out", work.Combine("fixed3"));
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("line 2: 'train/sad/nope.jpg' is not an image", unknown.Stderr);
        File.WriteAllText(decisions, $"path,decision\ntrain/sad/odd, name.jpg,relabel:angry\n");
        var badClass = CliProcess.Run("data", "relabel", dataset, "--decisions", decisions, "--out", work.Combine("fixed3"));
        Assert.Equal(2, badClass.ExitCode);
        Assert.False(Directory.Exists(work.Combine("fixed3")));

        var noSuchSplit = CliProcess.Run("data", "mislabels", work.Combine("fixed"), "--out", work.Combine("report2"), "--split", "test");
        Assert.Equal(2, noSuchSplit.ExitCode);
        Assert.Contains("has no images in the test split", noSuchSplit.Stderr);
    }
}
