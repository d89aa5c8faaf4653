using FerMlNet.Core.Data;
using FerMlNet.Core.Reports;

namespace FerMlNet.Core.Quality;

/// <summary>Writes an <see cref="AuditResult"/> as a reviewable audit.html (audit.json is <see cref="AuditFile"/>).</summary>
public static class AuditReport
{
    /// <summary>Target share of each split, the notebook's 80/10/10.</summary>
    public static readonly IReadOnlyDictionary<DatasetSplit, double> TargetShares =
        new Dictionary<DatasetSplit, double> { [DatasetSplit.Train] = 0.8, [DatasetSplit.Val] = 0.1, [DatasetSplit.Test] = 0.1 };

    /// <summary>Most groups drawn per section of the HTML page; the JSON always lists all.</summary>
    public const int MaxGroupsPerSection = 300;

    /// <summary>The audit as a self-contained HTML page.</summary>
    public static string ToHtml(AuditResult audit, IReadOnlyList<DatasetNotice> notices, string datasetName)
    {
        var data = audit.Data;
        var page = new HtmlReport($"Data audit — {datasetName}");
        var exact = audit.ExactCounts;
        var near = audit.NearCounts;
        page.Paragraph($"{data.Count + data.Failures.Count:N0} images, {data.Count:N0} decoded through the " +
                       $"preprocessing contract, {data.Failures.Count} unreadable, {audit.Blank.Count} blank " +
                       $"(grey-level standard deviation ≤ {audit.Options.BlankMaxStdDev}).");
        page.Table(["finding", "groups", "files", "redundant", "cross-split groups", "conflicting-label groups", "largest"],
        [
            ["exact duplicates (identical pixels)", .. Row(exact)],
            [$"near duplicates ({audit.Options.NearMethod}, Hamming ≤ {audit.Options.NearThreshold})", .. Row(near)],
        ]);
        var leaked = audit.LeakedEvaluationImages();
        page.Paragraph($"Leakage: {leaked["val"]} validation and {leaked["test"]} test images have an exact or near " +
                       "copy in train.");

        page.Heading("Class × split distribution (target 80/10/10 of each class)");
        var splits = data.Splits.Distinct().Order().ToList();
        var counts = audit.CountsBySplitAndClass();
        page.Table(["class", .. splits.Select(s => s.ToName()), "total", .. splits.Select(s => $"{s.ToName()} share")],
            EmotionClasses.Names.Select((name, c) =>
            {
                int total = data.Labels.Count(l => l == c);
                var perSplit = splits.Select(s => counts[(s, c)]).ToList();
                return (IEnumerable<string>)[name, .. perSplit.Select(v => $"{v:N0}"), $"{total:N0}",
                    .. perSplit.Select(v => total == 0 ? "-" : $"{100.0 * v / total:F1}%")];
            }));

        GroupSection(page, audit, "Conflicting labels (same picture, different classes)",
            audit.DuplicateGroups.Where(audit.IsConflicting).ToList());
        GroupSection(page, audit, "Exact duplicates across splits",
            audit.ExactGroups.Where(audit.IsCrossSplit).ToList());
        GroupSection(page, audit, "Near duplicates across splits",
            audit.NearGroups.Where(audit.IsCrossSplit).ToList(), audit.NearPairs);
        GroupSection(page, audit, "Blank images", audit.Blank.Select(i => new[] { i }).ToList());
        GroupSection(page, audit, "Exact duplicates within one split",
            audit.ExactGroups.Where(g => !audit.IsCrossSplit(g)).ToList());
        GroupSection(page, audit, "Near duplicates within one split",
            audit.NearGroups.Where(g => !audit.IsCrossSplit(g)).ToList(), audit.NearPairs);
        if (audit.Options.NearConfirmation != NearDuplicateConfirmation.None)
            RejectedPairSection(page, audit);

        page.Heading("Unreadable files and skipped folders");
        page.Table(["path", "reason"], data.Failures.Concat(notices).Select(f => (IEnumerable<string>)[f.Path, f.Reason]));
        return page.ToString();
    }

    private static IEnumerable<string> Row(GroupCounts c) =>
        [$"{c.Groups:N0}", $"{c.Files:N0}", $"{c.Redundant:N0}", $"{c.CrossSplitGroups:N0}",
         $"{c.ConflictingLabelGroups:N0}", $"{c.LargestGroup}"];

    /// <summary>
    /// A section of groups; with <paramref name="pairs"/>, each near group lists its pairs with their hash distance and
    /// pixel correlation, the two figures the near-duplicate rule decided on.
    /// </summary>
    private static void GroupSection(HtmlReport page, AuditResult audit, string title, IReadOnlyList<int[]> groups,
        IReadOnlyList<NearPair>? pairs = null)
    {
        page.Heading($"{title} — {groups.Count:N0}");
        if (groups.Count > MaxGroupsPerSection)
            page.Paragraph($"Showing the first {MaxGroupsPerSection} of {groups.Count:N0}; audit.json lists all.");
        var data = audit.Data;
        foreach (var g in groups.Take(MaxGroupsPerSection))
        {
            bool bad = g.Length > 1 && (audit.IsCrossSplit(g) || audit.IsConflicting(g));
            page.Raw($"<div class=\"group{(bad ? " bad" : "")}\">{string.Concat(g.Select(i => Figure(audit, i)))}</div>");
            if (pairs is not null)
            {
                var members = g.ToHashSet();
                var lines = pairs.Where(p => members.Contains(p.First) && members.Contains(p.Second))
                    .Select(p => PairLine(data, p));
                page.Paragraph(string.Join("; ", lines));
            }
        }
    }

    /// <summary>
    /// The hash's candidates that the pixels did not confirm, most similar first: what the rule kept apart, for a
    /// reviewer to check that they are different people.
    /// </summary>
    private static void RejectedPairSection(HtmlReport page, AuditResult audit)
    {
        var confirmed = audit.NearPairs.Select(p => (p.First, p.Second)).ToHashSet();
        var rejected = audit.HashPairs.Where(p => !confirmed.Contains((p.First, p.Second)))
            .OrderByDescending(p => p.Correlation).ToList();
        page.Heading($"Hash candidates kept apart (pixel correlation below {audit.Options.NearMinCorrelation:0.00}) — {rejected.Count:N0}");
        if (rejected.Count > MaxGroupsPerSection)
            page.Paragraph($"Showing the {MaxGroupsPerSection} most similar of {rejected.Count:N0}.");
        foreach (var p in rejected.Take(MaxGroupsPerSection))
        {
            page.Raw($"<div class=\"group\">{Figure(audit, p.First)}{Figure(audit, p.Second)}</div>");
            page.Paragraph(PairLine(audit.Data, p));
        }
    }

    /// <summary>One image's thumbnail, captioned with its split, label, file name and grey-level spread.</summary>
    private static string Figure(AuditResult audit, int i)
    {
        var data = audit.Data;
        return HtmlReport.Thumbnail(data.ImagePixels(i), data.RelativePaths[i],
            $"{data.Splits[i].ToName()} · {EmotionClasses.Names[data.Labels[i]]}", Path.GetFileName(data.RelativePaths[i]),
            $"σ {audit.StdDev[i]:F1}");
    }

    private static string PairLine(Data.DecodedDataset data, NearPair p) =>
        $"{Path.GetFileName(data.RelativePaths[p.First])} ↔ {Path.GetFileName(data.RelativePaths[p.Second])}: " +
        $"hash distance {p.Distance}, pixel correlation {p.Correlation:0.000}";
}
