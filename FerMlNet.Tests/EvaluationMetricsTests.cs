using System.Text.Json.Nodes;
using FerMlNet.Training.MlNet;
using FerMlNet.Lifecycle.Evaluation;

namespace FerMlNet.Tests;

/// <summary>
/// Every metrics.json committed in docs/results reads as a typed <see cref="EvaluationMetrics"/> and writes back the
/// same keys and values, whichever command wrote it and when; a renamed or missing key is refused naming the file.
/// </summary>
public class EvaluationMetricsTests
{
    private static readonly string Results = Path.Combine(TestData.RepoRoot, "docs", "results");

    private static IEnumerable<string> MetricFiles() =>
        Directory.GetFiles(Results, "*metrics.json", SearchOption.AllDirectories).Select(p => Path.GetRelativePath(Results, p)).Order();

    public static TheoryData<string> CommittedMetrics() => new(MetricFiles());

    [Fact]
    public void TheResultsHoldMetricsOfEveryKind()
    {
        // Files of fer evaluate (with crowd figures), of its face-detection path and of a calibration are all among them.
        var all = MetricFiles().Select(f => EvaluationMetrics.Load(Path.Combine(Results, f))).ToList();
        Assert.True(all.Count >= 50, $"only {all.Count} metrics files");
        Assert.Contains(all, m => m.Crowd?.Majority?.Accuracy is not null);
        Assert.Contains(all, m => m.FaceDetection is not null && m.Unreadable is { Items: null });
        Assert.Contains(all, m => m.Unreadable is { Items: not null });
        Assert.Contains(all, m => m.FittedCalibration is not null);
        Assert.Contains(all, m => m.Crowd?.ByMajorityShare is not null);
    }

    [Fact]
    public void TheReportShowsTheCrowdFiguresWithTheirNAndTheAgreementBreakdownWhereTheMetricsHaveThem()
    {
        var all = MetricFiles().Select(f => EvaluationMetrics.Load(Path.Combine(Results, f))).ToList();
        var withBins = all.First(m => m.Crowd?.ByMajorityShare is not null);
        string html = FerMlNet.Lifecycle.Reports.RunReport.Build("crowd", [], withBins);
        Assert.Contains("<h2>Against the FER+ crowd majority</h2>", html);
        Assert.Contains($"<td>{withBins.Crowd!.Majority!.Images:N0}</td>", html);
        Assert.Contains($"<td>{withBins.Crowd.Agreed70!.Images:N0}</td>", html);
        foreach (var bin in withBins.Crowd.ByMajorityShare!)
            Assert.Contains($"<td>{bin.Images:N0}</td>", html);
        var minority = withBins.Crowd.MistakesWithCrowdSupport!;
        Assert.Contains($"{minority.Supported:N0} of the {minority.Mistakes:N0} answers that miss the majority", html);

        var photos = all.First(m => m.Crowd?.Majority is null);
        Assert.DoesNotContain("Against the FER+ crowd majority", FerMlNet.Lifecycle.Reports.RunReport.Build("photos", [], photos));
    }

    [Theory]
    [MemberData(nameof(CommittedMetrics))]
    public void EveryCommittedMetricsFileReadsAndWritesBackTheSameKeysAndValues(string file)
    {
        string path = Path.Combine(Results, file);
        var metrics = EvaluationMetrics.Load(path);
        Assert.Equal(metrics.PerClass.Values.Sum(c => c.Support), metrics.ConfusionMatrix.Rows.Sum(r => r.Sum()));
        JsonRoundTrip.AssertSameKeysAndValues(JsonNode.Parse(File.ReadAllText(path))!.AsObject(), JsonNode.Parse(metrics.ToJson())!.AsObject(),
            file, EvaluationMetrics.CurrentSchemaVersion);
    }

    [Fact]
    public void AMisspeltMissingOrNewerKeyIsRefusedNamingTheFile()
    {
        using var dir = TestData.NewTempDir();
        string source = Directory.GetFiles(Results, "*test-metrics.json", SearchOption.AllDirectories).Order().First();
        var json = JsonNode.Parse(File.ReadAllText(source))!.AsObject();
        json["acuracy"] = json["accuracy"]!.DeepClone();
        File.WriteAllText(dir.Combine("typo.json"), json.ToJsonString());
        var typo = Assert.Throws<InvalidDataException>(() => EvaluationMetrics.Load(dir.Combine("typo.json")));
        Assert.Contains("typo.json", typo.Message);
        Assert.Contains("acuracy", typo.Message);

        json.Remove("acuracy");
        json.Remove("accuracy");
        File.WriteAllText(dir.Combine("missing.json"), json.ToJsonString());
        Assert.Contains("accuracy", Assert.Throws<InvalidDataException>(() => EvaluationMetrics.Load(dir.Combine("missing.json"))).Message);

        json["accuracy"] = 0.5;
        json["perClass"]!["sad"]!.AsObject().Remove("recall");
        File.WriteAllText(dir.Combine("nested.json"), json.ToJsonString());
        Assert.Contains("recall", Assert.Throws<InvalidDataException>(() => EvaluationMetrics.Load(dir.Combine("nested.json"))).Message);

        json = JsonNode.Parse(File.ReadAllText(source))!.AsObject();
        json["schemaVersion"] = EvaluationMetrics.CurrentSchemaVersion + 1;
        File.WriteAllText(dir.Combine("newer.json"), json.ToJsonString());
        Assert.Contains("this build reads up to", Assert.Throws<InvalidDataException>(() => EvaluationMetrics.Load(dir.Combine("newer.json"))).Message);
    }
}
