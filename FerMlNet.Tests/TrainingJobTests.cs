using FerMlNet.Lifecycle.Evaluation;
using FerMlNet.Lifecycle.Runs;
using FerMlNet.Training.Engine;

namespace FerMlNet.Tests;

/// <summary>`fer train`'s job as a library call: the run files, the steps and notes it reports, and a limit too small for an epoch.</summary>
[Collection(TorchCollection.Name)]
[Trait(TestSpeed.Trait, TestSpeed.Slow)]
public class TrainingJobTests
{
    [Fact]
    public void AJobWritesTheRunFilesAndReportsItsStepsEpochsAndSkippedNothing()
    {
        using var data = TinyDataset();
        using var work = TestData.NewTempDir();
        var options = TinyPipeline(data, epochs: 2);
        var progress = new RecordingProgress();
        var runDir = work.Combine("run");

        var result = TrainingJob.Run(options, runDir, new TrainerRunOptions(), progress);
        Assert.Equal(["Decoding images", "training", "Evaluating (validation)"], progress.Steps);
        Assert.Equal(2, progress.Notes.Count(n => n.StartsWith("epoch ", StringComparison.Ordinal)));
        Assert.Contains(progress.Notes, n => n.StartsWith("tiny-job: model-0, train 48 / val 48 images", StringComparison.Ordinal));
        Assert.Contains(progress.Statuses, s => s.StartsWith("epoch 2/2 loss", StringComparison.Ordinal));
        Assert.DoesNotContain(progress.Notes, n => n.StartsWith("skipped", StringComparison.Ordinal));
        foreach (var file in new[] { "model.zip", "model.onnx", "history.json", "metrics.json", SplitAnswers.ValFileName, RunRecord.FileName, "report.html" })
            Assert.True(File.Exists(Path.Combine(runDir, file)), file);
        var answers = SplitAnswers.Load(Path.Combine(runDir, SplitAnswers.ValFileName));
        Assert.Equal(result.Validation.Accuracy, (double)answers.Images.Count(a => a.Right) / answers.Images.Count, 9);
        var written = RunRecord.Load(runDir);
        Assert.Equal(result.Run with { Pipeline = null, Gap = null }, written with { Pipeline = null, Gap = null }, new ByJson());
        Assert.Equal(("tiny-job", 2, 48), (written.PipelineName, written.EpochsRun, written.TrainImages));
        Assert.Equal(48, result.Validation.Images);
    }

    [Fact]
    public void ALimitTooSmallForTheFirstEpochWritesNoModel()
    {
        using var data = TinyDataset();
        using var work = TestData.NewTempDir();
        var options = TinyPipeline(data, epochs: 1);
        var runDir = work.Combine("run");
        var e = Assert.Throws<NoEpochFinishedException>(() => TrainingJob.Run(options, runDir, new TrainerRunOptions { MaxMinutes = 1e-9 }));
        Assert.Contains("before the first epoch finished", e.Message);
        Assert.False(File.Exists(Path.Combine(runDir, "model.zip")));
        Assert.False(File.Exists(Path.Combine(runDir, RunRecord.FileName)));
    }

    /// <summary>12 faces per class in train and in validation.</summary>
    private static TempDir TinyDataset()
    {
        var data = TestData.NewTempDir();
        TestData.CopySubset(data.Path, 12, ("train", "train"), ("validation", "validation"));
        return data;
    }

    private static PipelineOptions TinyPipeline(TempDir data, int epochs) =>
        new() { Name = "tiny-job", Architecture = "model-0", Epochs = epochs, BatchSize = 16, Dataset = data.Path };

    /// <summary>Records compared by their JSON (arrays and nested records by value).</summary>
    private sealed class ByJson : IEqualityComparer<RunRecord>
    {
        public bool Equals(RunRecord? x, RunRecord? y) =>
            System.Text.Json.JsonSerializer.Serialize(x) == System.Text.Json.JsonSerializer.Serialize(y);

        public int GetHashCode(RunRecord run) => 0;
    }
}
