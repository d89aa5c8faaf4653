using FerMlNet.Core.Data;
using FerMlNet.Preprocessing;

namespace FerMlNet.Core.Quality;

/// <summary>One image of a new split: where it came from and where it goes.</summary>
/// <param name="Source">Path relative to the source dataset root.</param>
/// <param name="Target">Path relative to the new root: split/class/file.</param>
/// <param name="Label">Class index.</param>
/// <param name="Split">New split.</param>
/// <param name="Group">Index of its duplicate group in the audit, or -1 for a unique picture.</param>
public sealed record SplitAssignment(string Source, string Target, int Label, DatasetSplit Split, int Group);

/// <summary>An image left out of the new split and why.</summary>
public sealed record SetAsideImage(string Source, string Reason);

/// <summary>The plan of a split: every image either assigned, dropped as a redundant copy, or set aside.</summary>
public sealed record SplitPlan(IReadOnlyList<SplitAssignment> Assignments, IReadOnlyList<SetAsideImage> SetAside,
    IReadOnlyList<(string Source, string KeptAs)> DroppedCopies);

/// <summary>
/// A stratified, seeded split in which no exact or near-duplicate group straddles two splits: every group moves as
/// one unit (one copy kept unless <see cref="SplitOptions.KeepDuplicates"/>); conflicting-label groups, blank and
/// unreadable images are set aside with their reason.
/// </summary>
public static class LeakageFreeSplitter
{
    private static readonly DatasetSplit[] Splits = [DatasetSplit.Train, DatasetSplit.Val, DatasetSplit.Test];

    /// <summary>Plans the split of an audited dataset. Deterministic for a given audit and options.</summary>
    public static SplitPlan Plan(AuditResult audit, SplitOptions options)
    {
        options.Validate();
        var data = audit.Data;
        var setAside = data.Failures.Select(f => new SetAsideImage(f.Path, "unreadable: " + f.Reason)).ToList();
        var blank = audit.Blank.ToHashSet();
        foreach (int i in audit.Blank)
            setAside.Add(new SetAsideImage(data.RelativePaths[i],
                $"blank image (grey-level standard deviation {audit.StdDev[i]:F1} ≤ {audit.Options.BlankMaxStdDev})"));

        var groupOf = new Dictionary<int, int>();
        for (int g = 0; g < audit.DuplicateGroups.Count; g++)
            foreach (int i in audit.DuplicateGroups[g]) groupOf[i] = g;

        var units = new List<(int[] Members, int Group)>();
        var dropped = new List<(string, string)>();
        for (int g = 0; g < audit.DuplicateGroups.Count; g++)
        {
            var members = audit.DuplicateGroups[g].Where(i => !blank.Contains(i)).ToArray();
            if (members.Length == 0) continue;
            if (audit.IsConflicting(members))
            {
                var labels = string.Join(", ", members.Select(i => EmotionClasses.Names[data.Labels[i]]).Distinct().Order());
                setAside.AddRange(members.Select(i => new SetAsideImage(data.RelativePaths[i],
                    $"conflicting labels in duplicate group {g}: {labels}")));
                continue;
            }
            if (!options.KeepDuplicates)
            {
                dropped.AddRange(members[1..].Select(i => (data.RelativePaths[i], data.RelativePaths[members[0]])));
                members = [members[0]];
            }
            units.Add((members, g));
        }
        for (int i = 0; i < data.Count; i++)
            if (!groupOf.ContainsKey(i) && !blank.Contains(i)) units.Add(([i], -1));

        var random = new Random(options.Seed);
        var assignments = new List<SplitAssignment>();
        var usedTargets = new HashSet<string>(StringComparer.Ordinal);
        for (int c = 0; c < EmotionClasses.Count; c++)
        {
            var classUnits = units.Where(u => data.Labels[u.Members[0]] == c).OrderBy(u => u.Members[0]).ToList();
            Shuffle(classUnits, random);
            // Big groups first, so the singletons that follow can even out the shares (stable sort keeps the shuffle).
            classUnits = classUnits.OrderByDescending(u => u.Members.Length).ToList();
            int total = classUnits.Sum(u => u.Members.Length);
            var assigned = new int[3];
            foreach (var unit in classUnits)
            {
                int s = Enumerable.Range(0, 3).MaxBy(k => options.Ratios[k] * total - assigned[k]);
                assigned[s] += unit.Members.Length;
                foreach (int i in unit.Members)
                    assignments.Add(new SplitAssignment(data.RelativePaths[i],
                        TargetPath(data, i, Splits[s], usedTargets), c, Splits[s], unit.Group));
            }
        }
        return new SplitPlan(
            assignments.OrderBy(a => a.Target, StringComparer.Ordinal).ToList(),
            setAside.OrderBy(s => s.Source, StringComparer.Ordinal).ToList(),
            dropped.OrderBy(d => d.Item1, StringComparer.Ordinal).ToList());
    }

    /// <summary>
    /// split/class/&lt;source split folder&gt;-&lt;file name&gt;: the source split in the name keeps files of different
    /// source folders apart and shows where each came from.
    /// </summary>
    private static string TargetPath(DecodedDataset data, int i, DatasetSplit split, HashSet<string> used)
    {
        var source = data.RelativePaths[i];
        var parts = source.Split('/');
        var prefix = parts.Length >= 3 ? parts[0] + "-" : "";
        var name = Path.GetFileNameWithoutExtension(source);
        var ext = Path.GetExtension(source).ToLowerInvariant();
        var folder = $"{split.ToName()}/{EmotionClasses.Names[data.Labels[i]]}/";
        var target = folder + prefix + name + ext;
        for (int k = 2; !used.Add(target); k++) target = $"{folder}{prefix}{name}-{k}{ext}";
        return target;
    }

    private static void Shuffle<T>(List<T> items, Random random)
    {
        for (int i = items.Count - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
