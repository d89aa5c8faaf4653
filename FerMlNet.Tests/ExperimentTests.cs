using System.Globalization;
using FerMlNet.Core.Data;
using FerMlNet.Core.Quality;
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
            "--only", "model-0-original,model-a", "--epochs", "1", "--budget-minutes", "5", "--patience", "3");
        Assert.True(run.ExitCode == 0, run.Stderr);
        // --patience gives every CNN run early stopping on validation accuracy, and the budget line says so.
        using (var record = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "model-a", "run.json"))))
            Assert.Equal(3, record.RootElement.GetProperty("pipeline").GetProperty("earlyStopping").GetProperty("patience").GetInt32());

        var board = LeaderboardFile.Load(Path.Combine(outDir, LeaderboardFile.FileName)).Rows;
        Assert.Equal(["model-0-original", "model-a"], board.Select(r => r.Run).Order());
        string answers = File.ReadAllText(Path.Combine(outDir, "answers.md"));
        foreach (var row in board)
        {
            string ci = string.Create(CultureInfo.InvariantCulture,
                $"{row.ValAccuracy * 100:0.00}% ({row.ValCi95![0] * 100:0.0}–{row.ValCi95[1] * 100:0.0})");
            Assert.Contains($"| {row.Run} | {ci} | {row.ValImages:N0} |", answers);
            Assert.Contains($"{row.Run} {ci}", answers); // Q1's "Here:" line
        }
        Assert.Contains("Not run yet: model-b, model-c, model-bplus.", answers);
        Assert.Contains("stopped after 3 epochs without a better validation accuracy", answers);
        // model-a is the only run on the leakage-free split, so it is the named best whatever model-0-original scored.
        var modelA = board.Single(r => r.Run == "model-a");
        Assert.Contains(string.Create(CultureInfo.InvariantCulture,
            $"**Best model at this budget: model-a**, {modelA.ValAccuracy * 100:0.00}% ("), answers);
        Assert.Contains("(the only run on that split so far)", answers);

        // Q1's leak count is this dataset's, as `fer data audit` counts it.
        var index = DatasetReader.Read(data.Path, new DatasetReaderOptions { CreateValidationWhenMissing = false });
        var audit = DatasetAudit.Run(DecodedDatasetCache.Load(index));
        int leaked = audit.LeakedEvaluationImages()["val"];
        Assert.Contains($"{leaked:N0} images of Model 0's validation split have an exact or near copy in its training split", answers);
    }
}
