using System.Text.Json.Nodes;
using FerMlNet.Lifecycle.Reports;

namespace FerMlNet.Tests;

/// <summary>leaderboard.json as a typed, versioned <see cref="LeaderboardFile"/>: the committed layout-1 board still reads.</summary>
public class LeaderboardFileTests
{
    [Fact]
    public void TheCommittedBareArrayBoardReadsAsLayoutOneAndWritesBackItsRowsUnderTheCurrentLayout()
    {
        string path = Path.Combine(TestData.RepoRoot, "docs", "results", "model-quality", LeaderboardFile.FileName);
        var original = JsonNode.Parse(File.ReadAllText(path))!.AsArray();
        var board = LeaderboardFile.Load(path);
        Assert.Equal(1, board.SchemaVersion);
        Assert.Equal(original.Count, board.Rows.Count);

        using var dir = TestData.NewTempDir();
        (board with { SchemaVersion = LeaderboardFile.CurrentSchemaVersion }).Write(dir.Path);
        var written = JsonNode.Parse(File.ReadAllText(dir.Combine(LeaderboardFile.FileName)))!.AsObject();
        Assert.Equal(LeaderboardFile.CurrentSchemaVersion, (int)written["schemaVersion"]!);
        var rows = written["rows"]!.AsArray();
        for (int i = 0; i < original.Count; i++)
            foreach (var (key, value) in original[i]!.AsObject())
                Assert.True(JsonNode.DeepEquals(value, rows[i]![key]), $"row {i}, {key} changed on a read and write");
        Assert.Equal(board.Rows, LeaderboardFile.Load(dir.Combine(LeaderboardFile.FileName)).Rows, new RowByJson());
    }

    [Fact]
    public void ANewerLayoutOrAnUnknownKeyIsRefusedNamingTheFile()
    {
        using var dir = TestData.NewTempDir();
        var board = LeaderboardFile.Load(Path.Combine(TestData.RepoRoot, "docs", "results", "model-quality", LeaderboardFile.FileName));
        (board with { SchemaVersion = LeaderboardFile.CurrentSchemaVersion + 1 }).Write(dir.Path);
        var newer = Assert.Throws<InvalidDataException>(() => LeaderboardFile.Load(dir.Combine(LeaderboardFile.FileName)));
        Assert.Contains(LeaderboardFile.FileName, newer.Message);
        Assert.Contains($"layout {LeaderboardFile.CurrentSchemaVersion + 1}", newer.Message);

        var json = JsonNode.Parse(File.ReadAllText(dir.Combine(LeaderboardFile.FileName)))!.AsObject();
        json["schemaVersion"] = LeaderboardFile.CurrentSchemaVersion;
        json["rows"]![0]!["valAcuracy"] = 0.5;
        File.WriteAllText(dir.Combine("typo.json"), json.ToJsonString());
        Assert.Contains("valAcuracy", Assert.Throws<InvalidDataException>(() => LeaderboardFile.Load(dir.Combine("typo.json"))).Message);
    }

    /// <summary>Rows compared by value, arrays included (records compare arrays by reference).</summary>
    private sealed class RowByJson : IEqualityComparer<LeaderboardRow>
    {
        public bool Equals(LeaderboardRow? x, LeaderboardRow? y) =>
            System.Text.Json.JsonSerializer.Serialize(x) == System.Text.Json.JsonSerializer.Serialize(y);

        public int GetHashCode(LeaderboardRow row) => row.Run.GetHashCode();
    }
}
