using System.Text.Json.Serialization;
using FerMlNet.Core.IO;

namespace FerMlNet.Core.Labels;

/// <summary>
/// The "crowd" object of audit.json and of <c>fer data stats --json</c>: the folder-vs-crowd agreement of
/// <see cref="CrowdAgreement"/>, or only <see cref="Reason"/> when the images get no crowd figures.
/// </summary>
public sealed record CrowdAgreementSection
{
    /// <summary>Why the images get no crowd figures; absent when they get them.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Reason { get; init; }

    /// <summary>The vote file the figures come from.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? VoteFile { get; init; }

    /// <summary>Faces with a row in the vote file.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Images { get; init; }

    /// <summary>Share of the faces whose crowd majority is their folder label.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? FolderAgreement { get; init; }

    /// <summary>Per folder class: its faces, the crowd's agreement and where the crowd put them.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Dictionary<string, ClassCrowdAgreement>? PerClass { get; init; }

    /// <summary>Faces whose single top vote is an emotion outside the four classes.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? OtherEmotion { get; init; }

    /// <summary>Faces whose single top vote is "not a face" (relative paths).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? NotAFace { get; init; }

    /// <summary>Faces whose single top vote is "unknown" (relative paths).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Unknown { get; init; }

    /// <summary>The section for <paramref name="agreement"/> computed from <paramref name="voteFile"/>.</summary>
    public static CrowdAgreementSection Of(CrowdAgreement agreement, string voteFile) => !agreement.Applies
        ? new() { Reason = agreement.NotApplicableReason(voteFile) }
        : new()
        {
            VoteFile = voteFile,
            Images = agreement.Images,
            FolderAgreement = agreement.Overall,
            PerClass = agreement.PerClass.ToDictionary(c => c.Class, c => new ClassCrowdAgreement(c.Faces, c.Share,
                ClassMap.Of(m => c.MajorityCounts[m]))),
            OtherEmotion = agreement.OtherEmotion,
            NotAFace = agreement.NotAFace,
            Unknown = agreement.Unknown,
        };
}

/// <summary>One folder class in <see cref="CrowdAgreementSection.PerClass"/>.</summary>
/// <param name="Faces">Faces of this folder class with votes.</param>
/// <param name="Agreement">Share of them whose crowd majority is this class.</param>
/// <param name="CrowdMajority">Crowd majority counts of these faces per class (faces without a majority not counted).</param>
public sealed record ClassCrowdAgreement(int Faces, double Agreement, Dictionary<string, int> CrowdMajority);
