using System.Text.Json;
using FerMlNet.Core.IO;
using FerMlNet.Preprocessing;

namespace FerMlNet.Lifecycle.Reports;

/// <summary>
/// leaderboard.json, written by `fer compare` and `fer experiment`: the ranked rows with the layout's version. Layout 1
/// (written before 2026-12-05) was the bare array of rows and still reads. Read with unknown keys refused.
/// </summary>
public sealed record LeaderboardFile
{
    /// <summary>The file's name in a comparison folder.</summary>
    public const string FileName = "leaderboard.json";

    /// <summary>The layout written now: an object with the version and the rows.</summary>
    public const int CurrentSchemaVersion = 2;

    /// <summary>Version of this file's layout.</summary>
    public int SchemaVersion { get; init; } = CurrentSchemaVersion;

    /// <summary>The rows, best first (<see cref="LeaderboardRow.Ranked"/>).</summary>
    public required IReadOnlyList<LeaderboardRow> Rows { get; init; }

    private static readonly JsonSerializerOptions Json = StrictJson.Options();

    /// <summary>Reads a leaderboard.json of either layout.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">Not a leaderboard written by fer compare, or a newer layout (the message names the file).</exception>
    public static LeaderboardFile Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"'{path}': no such leaderboard file.");
        LeaderboardFile? board;
        try
        {
            var text = InputFile.ReadAllText(path);
            board = text.TrimStart().StartsWith('[')
                ? new LeaderboardFile { SchemaVersion = 1, Rows = JsonSerializer.Deserialize<LeaderboardRow[]>(text, Json) ?? [] }
                : JsonSerializer.Deserialize<LeaderboardFile>(text, Json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}' is not a leaderboard.json written by fer compare: {e.Message}");
        }
        if (board is null || board.Rows.Any(r => r?.Run is null || (r.ValCi95 is null && r.TestCi95 is null)))
            throw new InvalidDataException($"'{path}' is not a leaderboard.json written by fer compare (rows without run or accuracy).");
        if (board.SchemaVersion > CurrentSchemaVersion)
            throw new InvalidDataException($"'{path}' is leaderboard layout {board.SchemaVersion}; this build reads up to {CurrentSchemaVersion}.");
        return board;
    }

    /// <summary>Writes DIR/leaderboard.json atomically.</summary>
    public void Write(string dir) => AtomicFile.WriteAllText(Path.Combine(dir, FileName), JsonSerializer.Serialize(this, Json));
}
