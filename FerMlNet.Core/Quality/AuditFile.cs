using System.Text.Json;
using System.Text.Json.Serialization;
using FerMlNet.Core.Data;
using FerMlNet.Core.IO;
using FerMlNet.Core.Labels;

namespace FerMlNet.Core.Quality;

/// <summary>
/// audit.json of <c>fer data audit</c>: counts, every duplicate group and pair, leakage, blank and unreadable images,
/// and the crowd's agreement with the folder labels. Paths are relative to the dataset root.
/// </summary>
public sealed record AuditFile
{
    /// <summary>The file's name in the audit folder.</summary>
    public const string FileName = "audit.json";

    /// <summary>Image files found (decoded and unreadable).</summary>
    public required int Images { get; init; }

    /// <summary>Images decoded through the preprocessing contract.</summary>
    public required int Decoded { get; init; }

    /// <summary>Files that could not be decoded, each with the reason.</summary>
    public required IReadOnlyList<DatasetNotice> Unreadable { get; init; }

    /// <summary>Folders and files the reader skipped, each with the reason.</summary>
    public required IReadOnlyList<DatasetNotice> Notices { get; init; }

    /// <summary>Images per split and class.</summary>
    public required Dictionary<string, Dictionary<string, int>> PerSplit { get; init; }

    /// <summary>Each class's share per split, after "target": the 80/10/10 shares aimed at.</summary>
    public required Dictionary<string, Dictionary<string, double>> Distribution { get; init; }

    /// <summary>Groups of identical decoded pixels.</summary>
    public required ExactDuplicateSummary ExactDuplicates { get; init; }

    /// <summary>Groups of distinct pictures joined by confirmed near pairs.</summary>
    public required NearDuplicateSummary NearDuplicates { get; init; }

    /// <summary>What crosses the splits.</summary>
    public required LeakageSummary Leakage { get; init; }

    /// <summary>Grey-level standard deviation at or below which an image counts as blank.</summary>
    public required double BlankMaxStdDev { get; init; }

    /// <summary>The blank images.</summary>
    public required IReadOnlyList<string> BlankImages { get; init; }

    /// <summary>The crowd's agreement with the folder labels; null when the repository has no vote file.</summary>
    public CrowdAgreementSection? Crowd { get; init; }

    /// <summary>The file for <paramref name="audit"/>: <paramref name="notices"/> from the dataset reader, the
    /// near-duplicate rule's score on a reviewed sample when there is one, and the crowd section when there are votes.</summary>
    public static AuditFile Of(AuditResult audit, IReadOnlyList<DatasetNotice> notices, NearRuleScore? review,
        CrowdAgreementSection? crowd)
    {
        var data = audit.Data;
        var exact = audit.ExactCounts;
        var near = audit.NearCounts;
        var merged = audit.AllCounts;
        bool confirmed = audit.Options.NearConfirmation != NearDuplicateConfirmation.None;
        var counts = audit.CountsBySplitAndClass();
        var splits = data.Splits.Distinct().Order().ToList();
        return new AuditFile
        {
            Images = data.Count + data.Failures.Count,
            Decoded = data.Count,
            Unreadable = data.Failures,
            Notices = notices,
            PerSplit = splits.ToDictionary(s => s.ToName(), s => ClassMap.Of(c => counts[(s, c)])),
            Distribution = Shares(data, counts, splits),
            ExactDuplicates = new ExactDuplicateSummary(exact.Groups, exact.Files, exact.Redundant, exact.CrossSplitGroups,
                exact.ConflictingLabelGroups, exact.LargestGroup, Paths(audit, audit.ExactGroups)),
            NearDuplicates = new NearDuplicateSummary(audit.Options.NearMethod, audit.Options.NearThreshold,
                audit.Options.NearConfirmation, confirmed ? audit.Options.NearMinCorrelation : null,
                audit.HashPairs.Count, audit.NearPairs.Count, review, near.Groups, near.Files, near.CrossSplitGroups,
                near.ConflictingLabelGroups, near.LargestGroup, Paths(audit, audit.NearGroups)),
            Leakage = new LeakageSummary(merged.CrossSplitGroups, merged.ConflictingLabelGroups, audit.LeakedEvaluationImages()),
            BlankMaxStdDev = audit.Options.BlankMaxStdDev,
            BlankImages = [.. audit.Blank.Select(i => data.RelativePaths[i])],
            Crowd = crowd,
        };
    }

    /// <summary>Indented JSON (relaxed escaping, camelCase), as written.</summary>
    public string Serialize() => JsonSerializer.Serialize(this, ReportJson.IndentedCamelCase);

    /// <summary>Each class's share per split, after the target shares.</summary>
    private static Dictionary<string, Dictionary<string, double>> Shares(DecodedDataset data,
        Dictionary<(DatasetSplit Split, int Label), int> counts, IReadOnlyList<DatasetSplit> splits)
    {
        var result = new Dictionary<string, Dictionary<string, double>>
        {
            ["target"] = AuditReport.TargetShares.ToDictionary(t => t.Key.ToName(), t => t.Value),
        };
        for (int c = 0; c < EmotionClasses.Count; c++)
        {
            int total = data.Labels.Count(l => l == c);
            result[EmotionClasses.Names[c]] = splits.ToDictionary(s => s.ToName(),
                s => total == 0 ? 0 : Math.Round((double)counts[(s, c)] / total, 4));
        }
        return result;
    }

    private static IReadOnlyList<IReadOnlyList<string>> Paths(AuditResult audit, IReadOnlyList<int[]> groups) =>
        [.. groups.Select(g => (IReadOnlyList<string>)[.. g.Select(i => audit.Data.RelativePaths[i])])];
}

/// <summary>The "exactDuplicates" section of audit.json.</summary>
/// <param name="Groups">Groups of identical pixels.</param>
/// <param name="Files">Files in them.</param>
/// <param name="Redundant">Copies beyond the first of each group.</param>
/// <param name="CrossSplitGroups">Groups spanning more than one split.</param>
/// <param name="ConflictingLabelGroups">Groups whose copies carry more than one label.</param>
/// <param name="LargestGroup">Files in the largest group.</param>
/// <param name="List">Every group's paths.</param>
public sealed record ExactDuplicateSummary(int Groups, int Files, int Redundant, int CrossSplitGroups,
    int ConflictingLabelGroups, int LargestGroup, IReadOnlyList<IReadOnlyList<string>> List);

/// <summary>The "nearDuplicates" section of audit.json.</summary>
/// <param name="Method">The perceptual hash.</param>
/// <param name="Threshold">The largest hash distance of a candidate pair.</param>
/// <param name="Confirmation">Correlation when candidates are confirmed by their pixels, None for the hash alone.</param>
/// <param name="MinCorrelation">The pixel correlation a confirmed pair reaches at least (null without confirmation).</param>
/// <param name="CandidatePairs">Pairs the hash proposed.</param>
/// <param name="Pairs">Pairs confirmed.</param>
/// <param name="Review">The rule's precision and recall on a reviewed sample of pairs (null without one).</param>
/// <param name="Groups">Near-duplicate groups.</param>
/// <param name="Files">Files in them.</param>
/// <param name="CrossSplitGroups">Groups spanning more than one split.</param>
/// <param name="ConflictingLabelGroups">Groups whose members carry more than one label.</param>
/// <param name="LargestGroup">Files in the largest group.</param>
/// <param name="List">Every group's paths.</param>
public sealed record NearDuplicateSummary(NearDuplicateMethod Method, int Threshold, NearDuplicateConfirmation Confirmation, double? MinCorrelation,
    int CandidatePairs, int Pairs, NearRuleScore? Review, int Groups, int Files, int CrossSplitGroups,
    int ConflictingLabelGroups, int LargestGroup, IReadOnlyList<IReadOnlyList<string>> List);

/// <summary>The "leakage" section of audit.json: exact and near groups merged.</summary>
/// <param name="CrossSplitGroups">Merged groups spanning more than one split.</param>
/// <param name="ConflictingLabelGroups">Merged groups with more than one label.</param>
/// <param name="EvaluationImagesWithTrainCopy">Images of val and of test with an exact or near copy in train.</param>
public sealed record LeakageSummary(int CrossSplitGroups, int ConflictingLabelGroups,
    IReadOnlyDictionary<string, int> EvaluationImagesWithTrainCopy);
