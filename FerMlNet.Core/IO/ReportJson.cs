using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace FerMlNet.Core.IO;

/// <summary>
/// The JSON settings of the files this product writes for people and for its own commands to read back: run folders
/// (metrics.json, run.json, history.json), calibration.json, leaderboard.json, audit and mislabel reports, model cards.
/// </summary>
/// <remarks>
/// Relaxed escaping because these files are read in editors and diffs and are never inlined into HTML: the default
/// encoder writes an ensemble's '+' as \u002B and '≤' as \u2264. Split manifests keep the default encoder on purpose:
/// their exact bytes are hashed into the model card, so their encoding must not change.
/// </remarks>
public static class ReportJson
{
    /// <summary>Indented, relaxed escaping; for <see cref="System.Text.Json.Nodes.JsonNode"/> documents.</summary>
    public static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>
    /// Indented, relaxed escaping, camelCase properties read back case-insensitively (the web defaults); NaN and
    /// ±Infinity written as named literals, because a history's "best so far" starts at ±infinity and a diverged
    /// epoch's loss is NaN.
    /// </summary>
    public static readonly JsonSerializerOptions IndentedCamelCase = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        NumberHandling = JsonNumberHandling.AllowReadingFromString | JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}
