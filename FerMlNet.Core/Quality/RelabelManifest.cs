using System.Text.Json.Serialization;

namespace FerMlNet.Core.Quality;

/// <summary>
/// manifest.json of <c>fer data relabel</c>: the source (by content key), the decisions file (by SHA-256), what each
/// decision did and the new tree's counts. No time stamp and no absolute path, so the same inputs give the same bytes.
/// </summary>
/// <param name="Tool">"fer data relabel".</param>
/// <param name="Source">The dataset the decisions were applied to.</param>
/// <param name="DecisionsSha256">SHA-256 of the decisions file.</param>
/// <param name="Decisions">Decisions of each kind in the file.</param>
/// <param name="Images">Images in the new tree.</param>
/// <param name="Counts">Images per split and class in the new tree.</param>
/// <param name="Changes">Every image removed or moved to another class, in the source's order.</param>
public sealed record RelabelManifest(string Tool, SplitSource Source, string DecisionsSha256, DecisionCounts Decisions,
    int Images, Dictionary<string, Dictionary<string, int>> Counts, IReadOnlyList<RelabelChange> Changes)
{
    /// <summary>The <see cref="Tool"/> of a relabel manifest.</summary>
    public const string RelabelTool = "fer data relabel";
}

/// <summary>Decisions of each kind in a decisions file.</summary>
/// <param name="Keep">"keep".</param>
/// <param name="Relabel">"relabel:CLASS".</param>
/// <param name="Remove">"remove".</param>
public sealed record DecisionCounts(int Keep, int Relabel, int Remove);

/// <summary>One image a decision removed or moved.</summary>
/// <param name="Source">Its path in the source.</param>
/// <param name="Action">Remove or Relabel.</param>
/// <param name="From">Its folder label in the source.</param>
/// <param name="To">Its new class (relabel only).</param>
/// <param name="Path">Its path in the new tree (relabel only).</param>
public sealed record RelabelChange(string Source, RelabelAction Action, string From,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? To = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Path = null);
