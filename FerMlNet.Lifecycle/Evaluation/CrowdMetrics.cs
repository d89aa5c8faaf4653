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

    /// <summary>
    /// Accuracy against the majority by how strongly the crowd agreed (the majority's share of the ten votes, in bins):
    /// where the remaining mistakes sit. Null in files written before 2026-12-05.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<AgreementBin>? ByMajorityShare { get; init; }

    /// <summary>
    /// Of the answers that miss the majority, how many name a class that at least <see cref="MinorityVote.MinShare"/> of
    /// the taggers chose: a minority view of the crowd rather than an answer nobody gave. Null in files written before
    /// 2026-12-05.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public MinorityVote? MistakesWithCrowdSupport { get; init; }

    /// <summary>Faces whose majority holds a share of the votes in [<paramref name="From"/>, <paramref name="To"/>), and the accuracy there.</summary>
    /// <param name="From">Lowest majority share in the bin.</param>
    /// <param name="To">Share the bin stops below (1.01 for the top bin, so a unanimous face is in it).</param>
    /// <param name="Images">Faces in the bin.</param>
    /// <param name="Accuracy">Share of them answered with the majority; null when the bin is empty.</param>
    public sealed record AgreementBin(double From, double To, int Images, double? Accuracy);

    /// <summary>Mistakes against the majority that some of the crowd made too.</summary>
    /// <param name="MinShare">Share of the votes the answered class needs.</param>
    /// <param name="Mistakes">Answers that miss the majority.</param>
    /// <param name="Supported">Of those, answers whose class holds at least <paramref name="MinShare"/> of the votes.</param>
    public sealed record MinorityVote(double MinShare, int Mistakes, int Supported);

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
