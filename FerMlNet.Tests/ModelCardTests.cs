using System.Text.Json.Nodes;
using FerMlNet.Lifecycle.Publishing;

namespace FerMlNet.Tests;

/// <summary>The model cards in models/ read as typed <see cref="ModelCard"/>s, losing nothing, and a wrong key is refused.</summary>
public class ModelCardTests
{
    public static TheoryData<string> Cards() =>
        new(Directory.GetFiles(Path.Combine(TestData.RepoRoot, "models"), "*.json").Select(Path.GetFileName).Order()!);

    [Theory]
    [MemberData(nameof(Cards))]
    public void EveryCommittedCardReadsAndWritesBackTheSameKeysAndValues(string file)
    {
        string path = Path.Combine(TestData.RepoRoot, "models", file);
        var card = ModelCard.Load(path);
        Assert.Equal(Path.GetFileNameWithoutExtension(file), card.Name);
        Assert.True(card.Validation.Images > 0);
        using var dir = TestData.NewTempDir();
        card.Write(dir.Combine(file));
        // The card's embedded metrics and calibration carry their own layout versions, written where older cards lack them.
        JsonRoundTrip.AssertSameKeysAndValues(JsonNode.Parse(File.ReadAllText(path))!.AsObject(),
            JsonNode.Parse(File.ReadAllText(dir.Combine(file)))!.AsObject(), file, ModelCard.CurrentSchemaVersion, "validation", "test", "calibration");
    }

    [Fact]
    public void AMisspeltOrMissingKeyIsRefusedNamingTheFile()
    {
        using var dir = TestData.NewTempDir();
        var card = JsonNode.Parse(File.ReadAllText(Path.Combine(TestData.RepoRoot, "models", "fer-fast.json")))!.AsObject();
        card["splitSeeds"] = card["splitSeed"]!.DeepClone();
        File.WriteAllText(dir.Combine("typo.json"), card.ToJsonString());
        var typo = Assert.Throws<InvalidDataException>(() => ModelCard.Load(dir.Combine("typo.json")));
        Assert.Contains("typo.json", typo.Message);
        Assert.Contains("splitSeeds", typo.Message);
        card.Remove("splitSeeds");
        card.Remove("splitSeed");
        File.WriteAllText(dir.Combine("missing.json"), card.ToJsonString());
        Assert.Contains("splitSeed", Assert.Throws<InvalidDataException>(() => ModelCard.Load(dir.Combine("missing.json"))).Message);
    }
}
