using System.Text.Json.Serialization;

namespace FerMlNet.Training.Engine;

/// <summary>What a network is trained to answer (pipeline key <c>labels.target</c>).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<LabelTarget>))]
public enum LabelTarget
{
    /// <summary>The class folder each face sits in (the notebook's labels; one-hot targets).</summary>
    [JsonStringEnumMemberName("folder")] Folder,

    /// <summary>The FER+ crowd's four-class vote shares as a soft target (optionally blended with the folder label).</summary>
    [JsonStringEnumMemberName("votes")] Votes,

    /// <summary>The FER+ crowd majority as a one-hot target; faces without a four-class majority are left out.</summary>
    [JsonStringEnumMemberName("majority")] Majority,
}

/// <summary>
/// Where the training targets come from (pipeline key <c>labels</c>). With a crowd target every training face carries
/// its FER+ votes (datasets/ferplus), and validation — which picks the best epoch — counts a face as right when the
/// network's answer is the crowd majority, over the validation faces that have one.
/// </summary>
public sealed class LabelOptions
{
    /// <summary>Folder labels, crowd votes or crowd majority. Default <see cref="LabelTarget.Folder"/>.</summary>
    public LabelTarget Target { get; set; } = LabelTarget.Folder;

    /// <summary>The FER+ vote file; null (default) = the repository's datasets/ferplus/fer2013new.csv.</summary>
    public string? VoteFile { get; set; }

    /// <summary>
    /// Training faces whose share of votes for the four classes (rather than another emotion, unknown or not-a-face)
    /// is below this are left out. Crowd targets only. Default 0 (keep every face the crowd gave a four-class vote).
    /// </summary>
    public double MinFourClassShare { get; set; }

    /// <summary>
    /// With <see cref="LabelTarget.Votes"/>: the folder label's one-hot share of the target,
    /// (1 − w) · votes + w · folder. Default 0 (the votes alone).
    /// </summary>
    public double FolderWeight { get; set; }

    /// <summary>True when the targets come from the crowd votes.</summary>
    [JsonIgnore]
    public bool UsesVotes => Target != LabelTarget.Folder;

    internal void Validate(Action<string, string> fail)
    {
        if (!Enum.IsDefined(Target)) fail("labels.target", "must be 'folder', 'votes' or 'majority'");
        if (MinFourClassShare is < 0 or > 1) fail("labels.minFourClassShare", "must be in [0, 1]");
        if (FolderWeight is < 0 or > 1) fail("labels.folderWeight", "must be in [0, 1]");
        if (FolderWeight > 0 && Target != LabelTarget.Votes) fail("labels.folderWeight", "applies to target 'votes' only");
        if (MinFourClassShare > 0 && !UsesVotes) fail("labels.minFourClassShare", "applies to crowd targets ('votes', 'majority') only");
        if (VoteFile is { Length: 0 }) fail("labels.voteFile", "must name a FER+ vote file (or be left out)");
    }
}
