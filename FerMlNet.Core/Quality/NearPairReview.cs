using System.Globalization;
using System.Text;
using FerMlNet.Core.IO;
using FerMlNet.Core.Reports;
using FerMlNet.Preprocessing;

namespace FerMlNet.Core.Quality;

/// <summary>One reviewed candidate pair: the two files (relative to the dataset root) and the reviewer's verdict.</summary>
/// <param name="First">The first file.</param>
/// <param name="Second">The second file.</param>
/// <param name="SamePicture">Whether the two are the same picture (a copy, re-crop or re-encoding), not two photos.</param>
/// <param name="Reason">What the reviewer saw.</param>
public sealed record ReviewedPair(string First, string Second, bool SamePicture, string Reason);

/// <summary>
/// The labelled sample that calibrates the near-duplicate rule: a seeded draw of the hash's candidate pairs, spread over
/// the pixel-correlation range, written as a contact sheet and a CSV for a person to mark "same picture or not" with a
/// reason; the marked CSV is committed (datasets/reviews/) and every audit reports the rule's precision on it.
/// </summary>
public static class NearPairReview
{
    /// <summary>The CSV's header.</summary>
    public const string Header = "first,second,hamming,correlation,same_picture,reason";

    /// <summary>Correlation bands the draw is spread over, so both sides of any threshold are reviewed.</summary>
    private static readonly double[] BandEdges = [-1, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1.0001];

    /// <summary>
    /// Writes near-review.png (rows of five pairs, left to right, top to bottom, in the CSV's order) and an unmarked
    /// near-review.csv of <paramref name="perBand"/> pairs from each correlation band.
    /// </summary>
    public static IReadOnlyList<NearPair> WriteSheet(AuditResult audit, string outDir, int perBand = 10, int seed = 42)
    {
        var random = new Random(seed);
        var sample = new List<NearPair>();
        for (int b = 0; b + 1 < BandEdges.Length; b++)
            sample.AddRange(audit.HashPairs.Where(p => p.Correlation >= BandEdges[b] && p.Correlation < BandEdges[b + 1])
                .OrderBy(p => (p.First, p.Second)).OrderBy(_ => random.Next()).Take(perBand).OrderBy(p => p.Correlation));
        var data = audit.Data;
        var rows = sample.Chunk(5).Select(chunk => (IReadOnlyList<byte[]>)chunk
            .SelectMany(p => new[] { data.ImagePixels(p.First).ToArray(), data.ImagePixels(p.Second).ToArray() }).ToList()).ToList();
        AtomicFile.WriteAllBytes(Path.Combine(outDir, "near-review.png"), GrayImages.ContactSheetPng(rows));
        var csv = new StringBuilder(Header).Append('\n');
        foreach (var p in sample)
            csv.Append(CultureInfo.InvariantCulture, $"{data.RelativePaths[p.First]},{data.RelativePaths[p.Second]},{p.Distance},{p.Correlation:0.0000},,\n");
        AtomicFile.WriteAllText(Path.Combine(outDir, "near-review.csv"), csv.ToString());
        return sample;
    }

    /// <summary>Reads a marked review CSV (same_picture yes/no; the reason may hold commas).</summary>
    /// <exception cref="InvalidDataException">A line is not a marked pair (the message names the file and line).</exception>
    public static IReadOnlyList<ReviewedPair> Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"'{path}': no such review file.");
        var lines = InputFile.ReadAllText(path).Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        if (lines.Length == 0 || lines[0] != Header) throw new InvalidDataException($"'{path}' does not start with the header '{Header}'.");
        var pairs = new List<ReviewedPair>();
        for (int n = 1; n < lines.Length; n++)
        {
            if (lines[n].Length == 0) continue;
            var cells = lines[n].Split(',', 6);
            bool? same = cells.Length == 6 ? cells[4] switch { "yes" => true, "no" => false, _ => null } : null;
            if (same is null || cells[5].Trim().Length == 0)
                throw new InvalidDataException($"'{path}' line {n + 1}: not a marked pair (same_picture must be yes or no, and a reason given).");
            pairs.Add(new ReviewedPair(cells[0], cells[1], same.Value, cells[5].Trim()));
        }
        return pairs;
    }

    /// <summary>
    /// How the hash alone and the audit's rule do on the reviewed pairs that are candidates in <paramref name="audit"/>
    /// (pairs whose files are missing, or that are not candidates here, are left out): on the sample as drawn, and
    /// estimated over every candidate by weighting each reviewed pair with its correlation band's candidates per
    /// reviewed pair (the draw takes the same number from each band, so the raw sample over-represents the rare bands).
    /// </summary>
    public static NearRuleScore Score(AuditResult audit, IReadOnlyList<ReviewedPair> reviewed, string reviewFile)
    {
        var data = audit.Data;
        var index = Enumerable.Range(0, data.Count).ToDictionary(i => data.RelativePaths[i].Replace('\\', '/'), i => i);
        var candidates = audit.HashPairs.ToDictionary(p => (p.First, p.Second));
        var found = new List<(NearPair Pair, bool Same)>();
        foreach (var r in reviewed)
            if (index.TryGetValue(r.First, out int a) && index.TryGetValue(r.Second, out int b)
                && candidates.TryGetValue((Math.Min(a, b), Math.Max(a, b)), out var pair))
                found.Add((pair, r.SamePicture));
        var inBand = audit.HashPairs.GroupBy(p => Band(p.Correlation)).ToDictionary(g => g.Key, g => g.Count());
        var reviewedInBand = found.GroupBy(f => Band(f.Pair.Correlation)).ToDictionary(g => g.Key, g => g.Count());
        var sample = found.Select(f => (f.Same, Confirmed: audit.Options.Confirms(f.Pair), Weight: 1.0)).ToList();
        var weighted = found.Select(f => (f.Same, Confirmed: audit.Options.Confirms(f.Pair),
            Weight: (double)inBand[Band(f.Pair.Correlation)] / reviewedInBand[Band(f.Pair.Correlation)])).ToList();
        return new NearRuleScore(reviewFile, reviewed.Count, found.Count, found.Count(f => f.Same), Rates(sample), Rates(weighted));
    }

    private static int Band(double correlation) => Array.FindLastIndex(BandEdges, edge => correlation >= edge);

    private static NearRuleRates Rates(IReadOnlyList<(bool Same, bool Confirmed, double Weight)> pairs)
    {
        double Sum(Func<(bool Same, bool Confirmed, double Weight), bool> which) => pairs.Where(which).Sum(p => p.Weight);
        double all = Sum(_ => true), same = Sum(p => p.Same), confirmed = Sum(p => p.Confirmed), both = Sum(p => p.Same && p.Confirmed);
        return new NearRuleRates(all == 0 ? null : same / all, confirmed == 0 ? null : both / confirmed, same == 0 ? null : both / same);
    }
}

/// <summary>The near-duplicate rule measured on a reviewed sample of candidate pairs.</summary>
/// <param name="ReviewFile">The marked CSV.</param>
/// <param name="Reviewed">Pairs in it.</param>
/// <param name="Candidates">Of those, pairs that are hash candidates in this audit (the rest are from another dataset or threshold).</param>
/// <param name="SamePicture">Candidates the reviewer marked as the same picture.</param>
/// <param name="OnSample">Precision and recall on the reviewed candidates as drawn.</param>
/// <param name="OverAllCandidates">The same, estimated over every candidate pair of the audit (band-weighted).</param>
public sealed record NearRuleScore(string ReviewFile, int Reviewed, int Candidates, int SamePicture,
    NearRuleRates OnSample, NearRuleRates OverAllCandidates);

/// <summary>Precision of the hash alone, and precision and recall of the audit's rule.</summary>
/// <param name="HashOnlyPrecision">Share of candidate pairs that are the same picture.</param>
/// <param name="RulePrecision">Share of the pairs the rule confirms that are the same picture.</param>
/// <param name="RuleRecall">Share of the same-picture pairs the rule confirms.</param>
public sealed record NearRuleRates(double? HashOnlyPrecision, double? RulePrecision, double? RuleRecall);
