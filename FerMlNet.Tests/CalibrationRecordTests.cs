using System.Text.Json.Nodes;
using FerMlNet.Lifecycle.Calibration;

namespace FerMlNet.Tests;

/// <summary>
/// Every calibration.json committed in docs/results reads as a typed <see cref="CalibrationRecord"/> and writes back
/// the same keys and values, whichever version of `fer calibrate` wrote it; a renamed or missing key is refused naming
/// the file. (The cards' embedded calibrations are checked by <see cref="ModelCardTests"/>.)
/// </summary>
public class CalibrationRecordTests
{
    private static readonly string Results = Path.Combine(TestData.RepoRoot, "docs", "results");

    public static TheoryData<string> CommittedCalibrations() =>
        new(Directory.GetFiles(Results, "*calibration.json", SearchOption.AllDirectories).Select(p => Path.GetRelativePath(Results, p)).Order());

    [Theory]
    [MemberData(nameof(CommittedCalibrations))]
    public void EveryCommittedCalibrationReadsAndWritesBackTheSameKeysAndValues(string file)
    {
        string path = Path.Combine(Results, file);
        var record = CalibrationRecord.Load(path);
        Assert.Equal("val", record.FittedOn.Split);
        Assert.Equal(Preprocessing.EmotionClasses.Names, record.Bias.Keys);
        JsonRoundTrip.AssertSameKeysAndValues(JsonNode.Parse(File.ReadAllText(path))!.AsObject(), record.ToJsonObject(), file,
            CalibrationRecord.CurrentSchemaVersion);
    }

    [Fact]
    public void AMisspeltOrMissingKeyIsRefusedNamingTheFile()
    {
        using var dir = TestData.NewTempDir();
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(Results, "crowd-labels", "vgg-gap-votes-calibrated-calibration.json")))!.AsObject();
        json["temprature"] = json["temperature"]!.DeepClone();
        File.WriteAllText(dir.Combine("typo.json"), json.ToJsonString());
        var typo = Assert.Throws<InvalidDataException>(() => CalibrationRecord.Load(dir.Combine("typo.json")));
        Assert.Contains("typo.json", typo.Message);
        Assert.Contains("temprature", typo.Message);
        json.Remove("temprature");
        json["calibratedInSample"]!.AsObject().Remove("nll");
        File.WriteAllText(dir.Combine("missing.json"), json.ToJsonString());
        Assert.Contains("nll", Assert.Throws<InvalidDataException>(() => CalibrationRecord.Load(dir.Combine("missing.json"))).Message);
    }
}
