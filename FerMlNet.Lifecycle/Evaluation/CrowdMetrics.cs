using System.Text.Json.Serialization;

namespace FerMlNet.Lifecycle.Evaluation;

/// <summary>
/// metrics.json's "crowd": the evaluated faces scored against the FER+ crowd majority (<see cref="CrowdEvaluation"/>),
/// over every face with a majority and over those where at least 70% of the votes agree; or, when the images have no
/// votes (file names that are not FER-2013 rows, or no vote file), only the <see cref="Reason"/>.
/// </summary>
public sealed record CrowdMetrics
{
    /// <summary>Why there are no crowd figures; null when there are.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Reason { get; init; }

    /// <summary>The vote file's name.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? VoteFile { get; init; }

    /// <summary>What "FER+ majority" means, in words.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Definition { get; init; }

    /// <summary>Faces evaluated (with or without a majority).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Images { get; init; }

    /// <summary>Share of the faces whose crowd majority is their folder label.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? FolderAgreement { get; init; }

    /// <summary>Against the majority, over every face that has one.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public LabelSetScore? Majority { get; init; }

    /// <summary>Against the majority, over the faces where at least 70% of the votes agree.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public LabelSetScore? Agreed70 { get; init; }

    /// <summary>Figures against one label set; only <see cref="Images"/> (0) when no face qualifies.</summary>
    public sealed record LabelSetScore
    {
        /// <summary>Faces scored.</summary>
        public required int Images { get; init; }

        /// <summary>Share whose arg-max is the crowd majority.</summary>
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        public double? Accuracy { get; init; }

        /// <summary>95% bootstrap interval of the accuracy.</summary>
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        public double[]? AccuracyCi95 { get; init; }

        /// <summary>Mean per-class F1.</summary>
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        public double? MacroF1 { get; init; }

        /// <summary>Recall of each class.</summary>
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        public Dictionary<string, double>? Recall { get; init; }

        /// <summary>Faces of each class (by the crowd majority).</summary>
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        public Dictionary<string, int>? Support { get; init; }
    }
}
