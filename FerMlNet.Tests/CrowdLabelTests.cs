using System.Text.Json.Nodes;
using FerMlNet.Core;
using FerMlNet.Core.Data;
using FerMlNet.Core.Labels;
using FerMlNet.Preprocessing;
using FerMlNet.Training.Engine;
using FerMlNet.Training.MlNet;
using FerMlNet.Lifecycle.Evaluation;
using static TorchSharp.torch;

namespace FerMlNet.Tests;

/// <summary>The FER+ crowd votes as a second label source: reading, mapping, targets, losses and evaluation.</summary>
[Collection(TorchCollection.Name)]
public sealed class CrowdLabelTests
{
    private static readonly Lazy<CrowdVoteTable> Votes = new(() =>
        CrowdVoteTable.Load(Path.Combine(TestData.RepoRoot, CrowdVoteTable.DefaultRelativePath)));

    [Fact]
    public void TheShippedVoteFileHasOneRowPerFer2013FaceAndMapsFileNamesToRows()
    {
        var votes = Votes.Value;
        Assert.Equal(35_887, votes.Count);
        // The file's first data row: neutral 4, sadness 1, anger 3, disgust 2.
        Assert.Equal([4, 0, 0, 1, 3, 2, 0, 0, 0, 0], votes[0].Counts);
        Assert.Equal(10165, CrowdVoteTable.RowOf("datasets/fer4-mit/train/sad/10165.jpg"));
        Assert.Equal(10165, CrowdVoteTable.RowOf("train/sad/train-10165.jpg"));
        Assert.Null(CrowdVoteTable.RowOf("happy/AJ_Lamas_0001.jpg"));
        Assert.Same(votes[10165], votes.Find("val/sad/test-10165.jpg"));
    }

    [Fact]
    public void MajorityIsTheSingleTopCountOfAllTenCategoriesWhenItIsOneOfTheFourClasses()
    {
        // neutral 6, happiness 1, surprise 1, sadness 2: neutral (index 1) holds 60%.
        var clear = new CrowdVotes([6, 1, 1, 2, 0, 0, 0, 0, 0, 0]);
        Assert.Equal(1, clear.Majority);
        Assert.Equal(0.6, clear.MajorityShare, 1e-12);
        Assert.Equal([0.1f, 0.6f, 0.2f, 0.1f], clear.Distribution!);
        Assert.Null(new CrowdVotes([4, 0, 0, 4, 1, 0, 0, 0, 1, 0]).Majority); // tie neutral / sadness
        Assert.Null(new CrowdVotes([1, 0, 0, 1, 6, 0, 0, 0, 2, 0]).Majority); // anger on top
        var notAFace = new CrowdVotes([0, 0, 0, 0, 0, 0, 0, 0, 0, 10]);
        Assert.Null(notAFace.Majority);
        Assert.Null(notAFace.Distribution);
        Assert.Equal("NF", notAFace.TopCategory);
        Assert.Equal(0.0, notAFace.FourClassShare);
    }

    [Fact]
    public void TheCrowdAgreesWithTheFolderOnThreeFacesInFourAndOnLessThanHalfOfTheSadOnes()
    {
        // The embedded dataset's published check: 73.5% overall, 39.9% of "sad" (README of datasets/ferplus).
        var index = DatasetReader.Read(TestData.Fer4Mit);
        var agreement = CrowdAgreement.Of(index.Entries, Votes.Value);
        Assert.Equal(20_214, agreement.Images);
        Assert.Equal(0.735, agreement.Overall, 0.0015);
        Assert.Equal(0.399, agreement.PerClass[EmotionClasses.Names.ToList().IndexOf("sad")].Share, 0.0015);
        Assert.Equal(91, agreement.NotAFace.Count);
        Assert.Equal(87, agreement.Unknown.Count);
    }

    [Fact]
    public void SoftTargetLossOfAOneHotTargetEqualsTheLabelLossAndFollowsCrossEntropyOnVotes()
    {
        using var logits = tensor(new float[] { 2, 0, -1, 0.5f, 0, 1, 0, 0 }).view(2, 4);
        using var labels = tensor(new long[] { 0, 1 });
        var options = new LossOptions { LabelSmoothing = 0.1 };
        using var weights = tensor(new float[] { 0.5f, 1, 2, 3 });
        using var byLabel = Losses.Batch(logits, labels, options, weights);
        using var oneHot = Losses.OneHot(labels);
        using var byTarget = Losses.BatchOnTargets(logits, oneHot, options, weights);
        Assert.Equal(byLabel.item<float>(), byTarget.item<float>());

        // Votes 0.7 / 0.3 (no smoothing): −Σ t·log softmax by hand.
        using var votes = tensor(new float[] { 0.7f, 0.3f, 0, 0, 0, 0.5f, 0.5f, 0 }).view(2, 4);
        using var loss = Losses.PerSampleOnTargets(logits, votes, new LossOptions());
        double[] row = [2, 0, -1, 0.5];
        double logZ = Math.Log(row.Sum(Math.Exp));
        Assert.Equal(-(0.7 * (2 - logZ) + 0.3 * (0 - logZ)), loss[0].item<float>(), 1e-5);
    }

    [Fact]
    public void VoteTargetsKeepEveryFaceWithFourClassVotesAndValidationCountsTheCrowdMajority()
    {
        var index = DatasetReader.Read(TestData.Fer4Mit);
        var decoded = DecodedDatasetCache.Load(index);
        var test = decoded.IndicesOf(DatasetSplit.Test);
        var options = new LabelOptions { Target = LabelTarget.Votes, FolderWeight = 0.25 };
        using var train = CrowdTargets.Select(decoded, test, options, Votes.Value, forValidation: false, out var kept);
        Assert.Equal(test.Length, kept.Kept + kept.BelowShare);
        Assert.Equal(0, kept.WithoutVotes);
        // A face's target: 0.75 · its vote shares + 0.25 · its folder label.
        int first = test[0];
        var votes = Votes.Value.Find(decoded.RelativePaths[first])!;
        var expected = votes.Distribution!.Select((p, c) => 0.75f * p + (c == decoded.Labels[first] ? 0.25f : 0)).ToArray();
        Assert.Equal(expected, train.Targets[0].data<float>().ToArray());

        using var val = CrowdTargets.Select(decoded, test, options, Votes.Value, forValidation: true, out var valKept);
        var majorities = test.Select(i => Votes.Value.Find(decoded.RelativePaths[i])!.Majority).Where(m => m is not null).ToList();
        Assert.Equal(majorities.Count, valKept.Kept);
        Assert.Equal(majorities.Select(m => m!.Value), val.LabelList);

        Assert.Contains("labels.folderWeight", Assert.Throws<InvalidDataException>(() =>
            new PipelineOptions { Labels = new LabelOptions { Target = LabelTarget.Majority, FolderWeight = 0.5 } }.Validate()).Message);
    }

    [Fact]
    public void PipelineFilesSpellTheTargetAsTextAndRejectAnUnknownOne()
    {
        using var dir = TestData.NewTempDir();
        var good = dir.Combine("votes.json");
        File.WriteAllText(good, """{ "name": "v", "architecture": "model-0", "labels": { "target": "majority", "minFourClassShare": 0.5 } }""");
        var options = PipelineOptions.Load(good);
        Assert.Equal(LabelTarget.Majority, options.Labels.Target);
        Assert.Contains("\"target\": \"majority\"", options.ToJson());
        var bad = dir.Combine("bad.json");
        File.WriteAllText(bad, """{ "name": "v", "architecture": "model-0", "labels": { "target": "crowd" } }""");
        var message = Assert.Throws<InvalidDataException>(() => PipelineOptions.Load(bad)).Message;
        Assert.Contains("bad.json", message);
        Assert.Contains("labels.target", message);
    }

    [Fact]
    public void CrowdFiguresCountOnlyFacesWithAMajorityAndAreWithheldForNamesThatAreNotRows()
    {
        // Scores that always answer the crowd majority score 100% against it, whatever the folder says.
        var index = DatasetReader.Read(TestData.Fer4Mit);
        var test = index.Entries.Where(e => e.Split == DatasetSplit.Test).ToList();
        var faces = test.Select(e => Votes.Value.Find(e.RelativePath)!).ToList();
        var scores = faces.Select(f => Enumerable.Range(0, 4).Select(c => c == (f.Majority ?? 0) ? 0.97f : 0.01f).ToArray()).ToArray();
        var crowd = CrowdEvaluation.Of(scores, test.Select(e => e.Label).ToArray(), test.Select(e => e.RelativePath).ToList(),
            DatasetSplit.Test, Votes.Value);
        Assert.Equal(faces.Count(f => f.Majority is not null), crowd.Majority!.Images);
        Assert.Equal(1.0, crowd.Majority.Accuracy);
        Assert.Equal(faces.Count(f => f.Majority is not null && f.MajorityShare >= 0.7), crowd.Agreed70!.Images);
        Assert.Equal(crowd.Majority.Images, crowd.ByMajorityShare!.Sum(b => b.Images));
        Assert.All(crowd.ByMajorityShare!.Where(b => b.Images > 0), b => Assert.Equal(1.0, b.Accuracy));
        Assert.Equal((0, 0), (crowd.MistakesWithCrowdSupport!.Mistakes, crowd.MistakesWithCrowdSupport.Supported));

        // Answering each face with the crowd's second choice instead: every answer misses, the bins count the faces
        // by the majority's share of the votes, and a miss is "supported" exactly when two or more of the ten chose it.
        int Second(CrowdVotes f) => Enumerable.Range(0, 4).Where(c => c != f.Majority).OrderByDescending(c => f.ClassVotes[c]).ThenBy(c => c).First();
        var second = faces.Select(f => Enumerable.Range(0, 4).Select(c => c == Second(f) ? 0.97f : 0.01f).ToArray()).ToArray();
        var missed = CrowdEvaluation.Of(second, test.Select(e => e.Label).ToArray(), test.Select(e => e.RelativePath).ToList(),
            DatasetSplit.Test, Votes.Value);
        var withMajority = faces.Where(f => f.Majority is not null).ToList();
        Assert.Equal(withMajority.Count, missed.MistakesWithCrowdSupport!.Mistakes);
        Assert.Equal(withMajority.Count(f => f.ClassVotes[Second(f)] * 5 >= f.Total), missed.MistakesWithCrowdSupport.Supported);
        Assert.Equal(withMajority.Count(f => f.MajorityShare >= 0.9), missed.ByMajorityShare!.Single(b => b.From == 0.9).Images);
        Assert.All(missed.ByMajorityShare!.Where(b => b.Images > 0), b => Assert.Equal(0.0, b.Accuracy));

        var wild = CrowdEvaluation.Of(scores, test.Select(e => e.Label).ToArray(),
            test.Select((_, i) => $"happy/Someone_{i:D4}.jpg").ToList(), DatasetSplit.Test, Votes.Value);
        Assert.Null(wild.Majority);
        Assert.Contains("no row", wild.Reason);
    }

    [Fact]
    [Trait(TestSpeed.Trait, TestSpeed.Slow)]
    public void ANetworkTrainsOnVoteTargetsWithMixupAndValidatesAgainstTheCrowd()
    {
        var index = DatasetReader.Read(TestData.Fer4Mit);
        var decoded = DecodedDatasetCache.Load(index);
        var test = decoded.IndicesOf(DatasetSplit.Test);
        var labels = new LabelOptions { Target = LabelTarget.Votes };
        using var train = CrowdTargets.Select(decoded, test, labels, Votes.Value, forValidation: false, out _);
        using var val = CrowdTargets.Select(decoded, test, labels, Votes.Value, forValidation: true, out _);
        var options = new PipelineOptions
        {
            Name = "tiny-votes", Architecture = "model-0", Epochs = 1, BatchSize = 32, Labels = labels,
            Mix = new MixOptions { Type = MixType.Mixup, Probability = 1 },
        };
        var result = CnnTrainer.Train(options, train, val);
        var epoch = Assert.Single(result.State.History);
        Assert.True(double.IsFinite(epoch.Loss) && epoch.Loss > 0);
        // Validation accuracy is counted against the crowd majority of the faces that have one.
        var probabilities = CnnTrainer.PredictProbabilities(result.Network, val);
        double againstCrowd = probabilities.Select((p, i) => EmotionClasses.ArgMax(p) == val.LabelList[i] ? 1.0 : 0).Average();
        Assert.Equal(againstCrowd, epoch.ValAccuracy, 1e-9);
        result.Network.Dispose();
    }

    [Fact]
    [Trait(TestSpeed.Trait, TestSpeed.Slow)]
    public void CrowdDecisionsProposeReviewableRelabelsAndRemovalsThatRelabelReads()
    {
        using var dir = TestData.NewTempDir();
        var file = dir.Combine("decisions.csv");
        var r = CliProcess.Run("data", "crowd-decisions", TestData.Fer4Mit, "--out", file);
        Assert.True(r.ExitCode == 0, r.Stderr);
        var decisions = Core.Quality.RelabelDecisions.Read(file);
        var index = DatasetReader.Read(TestData.Fer4Mit);
        var byPath = index.Entries.ToDictionary(e => e.RelativePath);
        // The 91 faces the crowd calls not-a-face, and every relabel a majority of at least 70% for another class.
        Assert.Equal(91, decisions.Count(d => d.Action == Core.Quality.RelabelAction.Remove));
        var relabels = decisions.Where(d => d.Action == Core.Quality.RelabelAction.Relabel).ToList();
        Assert.NotEmpty(relabels);
        Assert.All(relabels, d =>
        {
            var votes = Votes.Value.Find(d.Path)!;
            Assert.Equal(votes.Majority, d.NewLabel);
            Assert.NotEqual(byPath[d.Path].Label, d.NewLabel);
            Assert.True(votes.MajorityShare >= 0.7);
        });
        Assert.Contains($"{relabels.Count:N0} relabels", System.Text.RegularExpressions.Regex.Replace(r.Stdout, @"\s+", " "));
        var photos = CliProcess.Run("data", "crowd-decisions", TestData.WildDev, "--out", dir.Combine("wild.csv"));
        Assert.Equal(2, photos.ExitCode);
        Assert.Contains("no row", photos.Stderr + photos.Stdout);
    }
}
