using System.Text.Json.Nodes;
using FerMlNet.Training.Onnx;
using FerMlNet.Lifecycle.Publishing;
using FerMlNet.Lifecycle.Runs;

namespace FerMlNet.Tests;

/// <summary>
/// run.json as a typed <see cref="RunRecord"/>: the files the previous layout wrote (a trained network, a calibrated
/// ensemble, an int8 copy; Fixtures/run-records) read and write back the same keys and values, a wrong key or a newer
/// layout is refused naming the file, and an ensemble's or an int8 copy's record says how its sources were trained.
/// </summary>
public class RunRecordTests
{
    private static string Fixture(string name) => Path.Combine(TestData.RepoRoot, "FerMlNet.Tests", "Fixtures", "run-records", name);

    [Theory]
    [InlineData("trained.json")]
    [InlineData("calibrated-ensemble.json")]
    [InlineData("quantized.json")]
    public void RunFilesOfThePreviousLayoutReadAndWriteBackTheSameKeysAndValues(string file)
    {
        using var dir = TestData.NewTempDir();
        File.Copy(Fixture(file), dir.Combine(RunRecord.FileName));
        var run = RunRecord.Load(dir.Path);
        Assert.NotNull(run.PipelineName);
        using var written = TestData.NewTempDir();
        run.Write(written.Path);
        JsonRoundTrip.AssertSameKeysAndValues(JsonNode.Parse(File.ReadAllText(Fixture(file)))!.AsObject(),
            JsonNode.Parse(File.ReadAllText(written.Combine(RunRecord.FileName)))!.AsObject(), file, RunRecord.CurrentSchemaVersion,
            "calibration", "quantization");
    }

    [Fact]
    public void AMisspeltKeyOrANewerLayoutIsRefusedNamingTheFile()
    {
        using var dir = TestData.NewTempDir();
        var run = JsonNode.Parse(File.ReadAllText(Fixture("trained.json")))!.AsObject();
        run["epochRun"] = run["epochsRun"]!.DeepClone();
        File.WriteAllText(dir.Combine(RunRecord.FileName), run.ToJsonString());
        var typo = Assert.Throws<InvalidDataException>(() => RunRecord.Load(dir.Path));
        Assert.Contains(RunRecord.FileName, typo.Message);
        Assert.Contains("epochRun", typo.Message);

        run.Remove("epochRun");
        run["schemaVersion"] = RunRecord.CurrentSchemaVersion + 1;
        File.WriteAllText(dir.Combine(RunRecord.FileName), run.ToJsonString());
        Assert.Contains($"layout {RunRecord.CurrentSchemaVersion + 1}", Assert.Throws<InvalidDataException>(() => RunRecord.Load(dir.Path)).Message);
        Assert.Null(RunRecord.LoadIfPresent(Path.Combine(dir.Path, "no-such-run")));
    }

    [Fact]
    public void AnEnsembleAddsUpItsMembersAndKeepsHowEachWasTrained()
    {
        using var dir = TestData.NewTempDir();
        File.Copy(Fixture("trained.json"), dir.Combine(RunRecord.FileName));
        var member = RunRecord.Load(dir.Path);
        var other = member with { Pipeline = new JsonObject { ["name"] = "other", ["architecture"] = "model-a", ["seed"] = 7 }, TrainSeconds = 60, Params = 10 };

        var ensemble = RunRecord.Ensemble([member, other]);
        Assert.Equal("vgg-gap-votes-long-seed21+other", ensemble.PipelineName);
        Assert.Equal("vgg-gap+model-a", ensemble.Architecture);
        Assert.Equal(member.Params + 10, ensemble.Params);
        Assert.Equal(member.TrainSeconds + 60, ensemble.TrainSeconds);
        Assert.Equal([21, 7], ensemble.MemberRuns!.Select(m => m.TrainingSeed));
        Assert.Equal(member.BestEpoch, ensemble.MemberRuns![0].BestEpoch);
        Assert.Equal("other", (string?)ensemble.Members![1]!["name"]);
        Assert.Null(ensemble.DatasetContentKey); // the members' own, not the ensemble's
    }

    [Fact]
    public void APublishedModelFileIsReadThroughItsCardAndAnInt8CopyKeepsItsTraining()
    {
        string published = Path.Combine(TestData.RepoRoot, "models", "fer-fast.onnx");
        Assert.True(RunRecord.IsPublishedModelFile(published));
        Assert.False(RunRecord.IsPublishedModelFile(Path.Combine(TestData.RepoRoot, "models")));
        var card = ModelCard.Load(Path.ChangeExtension(published, ".json"));
        var source = RunRecord.OfSource(published);
        Assert.Equal((string?)card.Pipeline!["name"], source.PipelineName);
        Assert.Equal(card.Params, source.Params);
        Assert.Equal(card.EpochsRun, source.EpochsRun);

        var quantization = new QuantizationRecord(1, published, "sha", "train", 512, 3, new QuantizationSummary(0, 0, []));
        var copy = source.Quantized(quantization);
        Assert.Same(quantization, copy.Quantization);
        Assert.Equal(source.PipelineName, copy.PipelineName);
        Assert.Equal(source.TrainSeconds, copy.TrainSeconds);
        Assert.Null(RunRecord.OfSource(Path.Combine(TestData.RepoRoot, "no-such-run")).Pipeline);
    }
}
