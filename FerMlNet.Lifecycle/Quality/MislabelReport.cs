using System.Globalization;
using System.Text;
using FerMlNet.Core;
using FerMlNet.Core.Data;
using FerMlNet.Core.IO;
using FerMlNet.Core.Labels;
using FerMlNet.Preprocessing;
using FerMlNet.Core.Quality;
using FerMlNet.Core.Reports;

namespace FerMlNet.Lifecycle.Quality;

/// <summary>Writes mislabels.json, mislabels.html, decisions.csv and review-sheet.png for a <see cref="MislabelResult"/>.</summary>
public static class MislabelReport
{
    /// <summary>Flags drawn in the HTML's overall gallery, highest margin first; the JSON and CSV list all.</summary>
    public const int MaxGallery = 300;

    /// <summary>
    /// Flags drawn again under each given → suggested pair, highest margin first: the largest pairs (sad ↔ neutral)
    /// have low margins and would not reach the overall gallery, yet they are the ones a reviewer most needs to see.
    /// </summary>
    public const int MaxPerPair = 25;

    /// <summary>
    /// Writes the four files into <paramref name="dir"/> (atomically, one by one); <paramref name="crowd"/>, when the
    /// images have crowd votes, goes into mislabels.json as "crowdCheck" and into the page's summary, and each
    /// thumbnail of the page says what the crowd voted.
    /// </summary>
    public static MislabelsFile Write(string dir, DecodedDataset data, MislabelResult result, string pipelineName, MislabelOptions options,
        (CrowdFlagCheck Check, CrowdVoteTable Votes)? crowd = null)
    {
        var file = ToFile(data, result, pipelineName, options, crowd?.Check.ToSection(crowd.Value.Votes.Path));
        AtomicFile.WriteAllText(Path.Combine(dir, MislabelsFile.FileName), file.Serialize());
        AtomicFile.WriteAllText(Path.Combine(dir, "decisions.csv"), DecisionsCsv(result));
        AtomicFile.WriteAllText(Path.Combine(dir, "mislabels.html"), Html(data, result, pipelineName, options, crowd));
        AtomicFile.WriteAllBytes(Path.Combine(dir, "review-sheet.png"), ReviewSheet(data, result));
        return file;
    }

    private static MislabelsFile ToFile(DecodedDataset data, MislabelResult result, string pipelineName, MislabelOptions options,
        CrowdFlagSection? crowdCheck) => new(
        MislabelsFile.ConfidentLearning, pipelineName, options.Folds, options.Seed, options.BudgetMinutes, options.AverageFlips,
        SplitsRead(data), data.Count, Math.Round(result.OutOfFoldAccuracy, 4), Math.Round(result.ConstantAnswerAccuracy, 4),
        options.MinimumAccuracyLift, MislabelsFile.PerClass(c => result.Thresholds[c]), crowdCheck, result.Flagged.Count,
        Pairs(result).ToDictionary(g => $"{EmotionClasses.Names[g.Key.Given]}->{EmotionClasses.Names[g.Key.Suggested]}", g => g.Count()),
        [.. result.Flagged.Select((f, rank) => new MislabelFlag(rank + 1, f.Path, EmotionClasses.Names[f.Given],
            EmotionClasses.Names[f.Suggested], Math.Round(f.Margin, 4), MislabelsFile.PerClass(c => f.Probabilities[c])))]);

    /// <summary>
    /// Flags with their overall rank (1 = highest margin, the row order of decisions.csv), grouped by given → suggested
    /// pair, largest pair first: the one order of the JSON's byPair, the HTML's pair table and its per-pair galleries.
    /// </summary>
    private static IEnumerable<IGrouping<(int Given, int Suggested), (MislabelCandidate Flag, int Rank)>> Pairs(MislabelResult result) =>
        result.Flagged.Select((f, i) => (Flag: f, Rank: i + 1)).GroupBy(r => (r.Flag.Given, r.Flag.Suggested))
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key);

    private static string PairName(int given, int suggested) => $"{EmotionClasses.Names[given]} → {EmotionClasses.Names[suggested]}";

    /// <summary>The splits the images came from ("train" after `--split train`), so a report says what it covered.</summary>
    private static string SplitsRead(DecodedDataset data) =>
        string.Join(", ", data.Splits.Distinct().Order().Select(s => s.ToName()));

    private static string DecisionsCsv(MislabelResult result)
    {
        var sb = new StringBuilder(Csv.Line(RelabelDecisions.Header)).Append('\n');
        foreach (var f in result.Flagged)
            sb.Append(Csv.Line([f.Path, EmotionClasses.Names[f.Given], EmotionClasses.Names[f.Suggested],
                f.Probabilities[f.Suggested].ToString("F3", CultureInfo.InvariantCulture), ""])).Append('\n');
        return sb.ToString();
    }

    private static string Html(DecodedDataset data, MislabelResult result, string pipelineName, MislabelOptions options,
        (CrowdFlagCheck Check, CrowdVoteTable Votes)? crowd)
    {
        var page = new HtmlReport($"Possible mislabels — {Path.GetFileName(data.Root.TrimEnd('/'))}");
        page.Paragraph($"{result.Flagged.Count:N0} of {data.Count:N0} images ({SplitsRead(data)}) flagged by confident learning on {options.Folds}-fold " +
                       $"out-of-fold probabilities of the '{pipelineName}' pipeline (out-of-fold accuracy " +
                       $"{result.OutOfFoldAccuracy:P1}). Ranked by p(suggested) − p(given). Write keep, relabel:CLASS or " +
                       "remove in the decision column of decisions.csv, then run `fer data relabel`.");
        if (crowd?.Check is { WithVotes: > 0 } c) page.Paragraph(CrowdSentence(c));
        page.Table(["class", "threshold t_j (mean own-class probability)"],
            EmotionClasses.Names.Select((n, c) => (IEnumerable<string>)[n, result.Thresholds[c].ToString("F3", CultureInfo.InvariantCulture)]));
        var pairs = Pairs(result).ToList();
        page.Table(["given → suggested", "flagged"],
            pairs.Select(g => (IEnumerable<string>)[PairName(g.Key.Given, g.Key.Suggested), $"{g.Count():N0}"]));
        int flagged = result.Flagged.Count;
        page.Heading(flagged > MaxGallery ? $"Top {MaxGallery} of {flagged:N0}" : "Flagged images");
        page.Raw(Gallery(data, result.Flagged.Take(MaxGallery).Select((f, i) => (f, i + 1)), crowd?.Votes));
        if (flagged > 0) page.Heading("By pair");
        foreach (var pair in pairs)
        {
            page.Heading($"{PairName(pair.Key.Given, pair.Key.Suggested)}: top {Math.Min(MaxPerPair, pair.Count())} of {pair.Count():N0}", 3);
            page.Raw(Gallery(data, pair.Take(MaxPerPair), crowd?.Votes));
        }
        return page.ToString();
    }

    /// <summary>How the FER+ crowd judges the top flags, in one sentence (the page's and the command's).</summary>
    public static string CrowdSentence(CrowdFlagCheck c) =>
        $"The FER+ crowd does not back the given label of {c.Precision:P1} of the top {c.WithVotes} flags " +
        $"({c.BaseRejectRate:P1} of all {c.BaseImages:N0} faces) and votes for the suggested class on {c.SuggestionPrecision:P1}.";

    /// <summary>
    /// Thumbnails captioned with the overall rank (the row order of decisions.csv), the probabilities and, where the
    /// face has crowd votes, the crowd's top category with its share of the votes.
    /// </summary>
    private static string Gallery(DecodedDataset data, IEnumerable<(MislabelCandidate Flag, int Rank)> flags, CrowdVoteTable? votes) =>
        "<div class=\"group\">" + string.Concat(flags.Select(r => HtmlReport.Thumbnail(data.ImagePixels(r.Flag.Index), r.Flag.Path,
            [
                $"#{r.Rank} {PairName(r.Flag.Given, r.Flag.Suggested)}",
                string.Join(" ", EmotionClasses.Names.Select((n, c) => $"{n[..2]} {r.Flag.Probabilities[c]:F2}")),
                .. votes?.Find(r.Flag.Path) is { Total: > 0 } v ? [CrowdCaption(v)] : Array.Empty<string>(),
                r.Flag.Path,
            ]))) + "</div>";

    /// <summary>"crowd: happiness 8/10", or "crowd: tie 4/10" when two categories share the top count.</summary>
    private static string CrowdCaption(CrowdVotes votes) => $"crowd: {votes.TopCategory ?? "tie"} {votes.Counts.Max()}/{votes.Total}";

    /// <summary>One row per (given → suggested) pair, its top ten flags: to judge precision without a browser.</summary>
    private static byte[] ReviewSheet(DecodedDataset data, MislabelResult result) =>
        GrayImages.ContactSheetPng(result.Flagged.GroupBy(f => (f.Given, f.Suggested)).OrderBy(g => g.Key)
            .Select(g => (IReadOnlyList<byte[]>)g.Take(10).Select(f => data.ImagePixels(f.Index).ToArray()).ToList()).ToList());
}
