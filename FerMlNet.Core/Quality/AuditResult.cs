using FerMlNet.Core.Data;
using FerMlNet.Preprocessing;

namespace FerMlNet.Core.Quality;

/// <summary>What <see cref="DatasetAudit"/> found. Indices refer to images of <see cref="Data"/>.</summary>
public sealed class AuditResult
{
    internal AuditResult(DecodedDataset data, AuditOptions options, List<int[]> exactGroups, List<int[]> nearGroups,
        List<NearPair> nearPairs, List<NearPair> hashPairs, List<int[]> duplicateGroups, int[] blank, double[] stdDev)
    {
        Data = data;
        Options = options;
        ExactGroups = exactGroups;
        NearGroups = nearGroups;
        NearPairs = nearPairs;
        HashPairs = hashPairs;
        DuplicateGroups = duplicateGroups;
        Blank = blank;
        StdDev = stdDev;
    }

    /// <summary>The audited images.</summary>
    public DecodedDataset Data { get; }

    /// <summary>The options used.</summary>
    public AuditOptions Options { get; }

    /// <summary>Groups of images with identical decoded pixels (≥ 2 each), ordered by first member.</summary>
    public IReadOnlyList<int[]> ExactGroups { get; }

    /// <summary>Groups of distinct pictures linked by near pairs, with every exact copy of a member included.</summary>
    public IReadOnlyList<int[]> NearGroups { get; }

    /// <summary>Near pairs between distinct pictures (exact-group representatives): the confirmed candidates.</summary>
    public IReadOnlyList<NearPair> NearPairs { get; }

    /// <summary>Every candidate pair the hash found, confirmed or not, with its pixel correlation.</summary>
    public IReadOnlyList<NearPair> HashPairs { get; }

    /// <summary>Exact and near groups merged: every set of images that must stay in one split.</summary>
    public IReadOnlyList<int[]> DuplicateGroups { get; }

    /// <summary>Blank (near-constant) images.</summary>
    public IReadOnlyList<int> Blank { get; }

    /// <summary>Grey-level standard deviation of each image.</summary>
    public IReadOnlyList<double> StdDev { get; }

    /// <summary>True when the group's members come from more than one split.</summary>
    public bool IsCrossSplit(int[] group) => group.Select(i => Data.Splits[i]).Distinct().Count() > 1;

    /// <summary>True when the group's members carry more than one label.</summary>
    public bool IsConflicting(int[] group) => group.Select(i => Data.Labels[i]).Distinct().Count() > 1;

    /// <summary>Images of val and of test (by split name) that have an exact or near copy in train: the leak that
    /// inflates validation and test accuracy.</summary>
    public IReadOnlyDictionary<string, int> LeakedEvaluationImages() =>
        new[] { DatasetSplit.Val, DatasetSplit.Test }.ToDictionary(split => split.ToName(), split =>
            DuplicateGroups.Where(g => g.Any(i => Data.Splits[i] == DatasetSplit.Train)).Sum(g => g.Count(i => Data.Splits[i] == split)));

    /// <summary>Images per (split, class), every pair of the present splits and the four classes listed.</summary>
    internal Dictionary<(DatasetSplit Split, int Label), int> CountsBySplitAndClass()
    {
        var counts = Data.Splits.Distinct().SelectMany(s => Enumerable.Range(0, EmotionClasses.Count).Select(c => (s, c)))
            .ToDictionary(k => k, _ => 0);
        for (int i = 0; i < Data.Count; i++) counts[(Data.Splits[i], Data.Labels[i])]++;
        return counts;
    }

    /// <summary>Exact-group statistics: groups, files, redundant copies, cross-split and conflicting groups.</summary>
    public GroupCounts ExactCounts => Count(ExactGroups);

    /// <summary>Near-group statistics.</summary>
    public GroupCounts NearCounts => Count(NearGroups);

    /// <summary>Merged-group statistics (what the split keeps together).</summary>
    public GroupCounts AllCounts => Count(DuplicateGroups);

    private GroupCounts Count(IReadOnlyList<int[]> groups) => new(
        groups.Count, groups.Sum(g => g.Length), groups.Sum(g => g.Length - 1),
        groups.Count(IsCrossSplit), groups.Count(IsConflicting), groups.Count == 0 ? 0 : groups.Max(g => g.Length));
}

/// <summary>Counts over a list of duplicate groups.</summary>
public sealed record GroupCounts(int Groups, int Files, int Redundant, int CrossSplitGroups,
    int ConflictingLabelGroups, int LargestGroup);
