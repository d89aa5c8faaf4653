using System.Globalization;
using FerMlNet.Core.Data;
using FerMlNet.Core.Quality;
using FerMlNet.Lifecycle.Evaluation;
using FerMlNet.Lifecycle.Reports;

namespace FerMlNet.Tests;

/// <summary>
/// `fer experiment` end to end on a tiny budget: the runs it names are trained, ranked in leaderboard.json, and every
/// figure answers.md states is the leaderboard's or the audit's, not a number written into the code.
/// </summary>
[Trait(TestSpeed.Trait, TestSpeed.Slow)]
public class ExperimentTests
{
    [Fact]
    public void AnswersStateTheLeaderboardsFiguresAndTheAuditsLeakCountOfTheDataGiven()
    {
        using var data = TestData.NewTempDir();
        using var work = TestData.NewTempDir();
        TestData.CopySubset(data.Path, 24, ("train", "train"), ("validation", "validation"), ("test", "test"));
        string outDir = work.Combine("experiment");
        var run = CliProcess.Run("experiment", "--out", outDir, "--data", data.Path, "--clean", work.Combine("clean"),
            "--only", "model-0-original,model-a,model-b,model-bplus,model-bplusplus", "--epochs", "1", "--budget-minutes", "5", "--patience", "3");
        Assert.True(run.ExitCode == 0, run.Stderr);
        // --patience gives every CNN run early stopping on validation accuracy, and the budget line says so.
        using (var record = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "model-a", "run.json"))))
            Assert.Equal(3, record.RootElement.GetProperty("pipeline").GetProperty("earlyStopping").GetProperty("patience").GetInt32());

        var board = LeaderboardFile.Load(Path.Combine(outDir, LeaderboardFile.FileName)).Rows;
        Assert.Equal(["model-0-original", "model-a", "model-b", "model-bplus", "model-bplusplus"], board.Select(r => r.Run).Order());
        string answers = File.ReadAllText(Path.Combine(outDir, "answers.md"));
        foreach (var row in board)
        {
            string ci = string.Create(CultureInfo.InvariantCulture,
                $"{row.ValAccuracy * 100:0.00}% ({row.ValCi95![0] * 100:0.0}–{row.ValCi95[1] * 100:0.0})");
            Assert.Contains($"| {row.Run} | {ci} | {row.ValImages:N0} |", answers);
            Assert.Contains($"{row.Run} {ci}", answers); // Q1's "Here:" line
        }
        Assert.Contains("Not run yet: model-c.", answers);
        Assert.Contains("stopped after 3 epochs without a better validation accuracy", answers);
        Assert.Contains("Of the 5 CNN runs here, 0 stopped by early stopping, 0 at the end of their pipeline's schedule and 5 by a cap", answers);

        // Every run wrote its validation answers, and they are the answers its metrics count.
        var answersOf = new Dictionary<string, SplitAnswers>();
        foreach (var row in board)
        {
            var runAnswers = SplitAnswers.Load(Path.Combine(outDir, row.Run, SplitAnswers.ValFileName));
            Assert.Equal(row.ValImages, runAnswers.Images.Count);
            Assert.Equal(row.ValAccuracy!.Value, (double)runAnswers.Images.Count(a => a.Right) / runAnswers.Images.Count, 9);
            answersOf[row.Run] = runAnswers;
        }
        // The runs on the leakage-free split share its validation faces: the best of them is named (the first in the
        // journey's order on a tie). Q3 compares exactly two of them, so its verdict gives the McNemar counts and the
        // unadjusted p of those two answer files.
        string[] clean = ["model-a", "model-b", "model-bplus", "model-bplusplus"];
        var bestRow = clean.Select(n => board.Single(r => r.Run == n)).MaxBy(r => r.ValAccuracy)!;
        Assert.Contains(string.Create(CultureInfo.InvariantCulture,
            $"**Best model at this budget: {bestRow.Run}**, {bestRow.ValAccuracy * 100:0.00}% ("), answers);
        var (best, other) = board.Single(r => r.Run == "model-bplus").ValAccuracy >= board.Single(r => r.Run == "model-bplusplus").ValAccuracy
            ? ("model-bplus", "model-bplusplus") : ("model-bplusplus", "model-bplus");
        var test = McNemarTest.Of(answersOf[best], answersOf[other]);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture,
            $"{other} (McNemar p = {McNemarTest.Format(test.PValue)} Holm-adjusted; " +
            $"{test.OnlyFirstRight:N0} faces only {best} answers right, {test.OnlySecondRight:N0} only {other}, of {test.Images:N0})"), answers);
        Assert.Contains(test.PValue < McNemarTest.Alpha ? $"it is significantly above {other} (McNemar" : $"it is not significantly different from {other} (McNemar", answers);
        // Q3 compares focal loss with its cross-entropy twin on the sad and neutral faces alone.
        static SplitAnswers SadOrNeutral(SplitAnswers a) => a with { Images = [.. a.Images.Where(i => i.Truth is "sad" or "neutral")] };
        var sadNeutral = McNemarTest.Of(SadOrNeutral(answersOf["model-bplusplus"]), SadOrNeutral(answersOf["model-bplus"]));
        Assert.Contains($"On the {sadNeutral.Images:N0} validation faces labelled sad or neutral, {sadNeutral.OnlyFirstRight:N0} are answered right " +
                        $"only by model-bplusplus and {sadNeutral.OnlySecondRight:N0} only by model-bplus", answers);
        // model-0-original is scored on other faces: Q1 compares it with model-a by intervals only.
        Assert.Contains("; other validation faces)", answers);

        // Q1's leak count is this dataset's, as `fer data audit` counts it.
        var index = DatasetReader.Read(data.Path, new DatasetReaderOptions { CreateValidationWhenMissing = false });
        var audit = DatasetAudit.Run(DecodedDatasetCache.Load(index));
        int leaked = audit.LeakedEvaluationImages()["val"];
        Assert.Contains(leaked > 0
            ? $"{leaked:N0} images of Model 0's validation split have an exact or near copy in its training split"
            : "No image of Model 0's validation split has an exact or near copy in its training split in this dataset", answers);
    }
}
