using System.Globalization;
using System.Text;
using FerMlNet.Preprocessing;
using FerMlNet.Core.Data;
using FerMlNet.Core.IO;
using FerMlNet.Core.Quality;

namespace FerMlNet.Core.Labels;

/// <summary>
/// A reviewable decisions.csv (<see cref="RelabelDecisions"/>' format, applied by <c>fer data relabel</c>) proposed by
/// the FER+ crowd: <c>relabel:CLASS</c> where the crowd majority is another of the four classes with at least
/// <c>minShare</c> of the votes, <c>remove</c> where the crowd's single top vote is not-a-face. Every other face is left
/// as it is (not listed). The reviewer may change or clear any decision before applying it.
/// </summary>
public static class CrowdDecisions
{
    /// <summary>What the file proposes.</summary>
    /// <param name="Relabel">Faces proposed for another class.</param>
    /// <param name="Remove">Faces proposed for removal (not a face).</param>
    public sealed record Counts(int Relabel, int Remove);

    /// <summary>The decisions text for <paramref name="entries"/>, and how many of each it proposes.</summary>
    public static (string Csv, Counts Counts) Propose(IEnumerable<ImageEntry> entries, CrowdVoteTable votes, double minShare)
    {
        if (minShare is <= 0 or > 1) throw new ArgumentOutOfRangeException(nameof(minShare), "the majority share must be in (0, 1]");
        var sb = new StringBuilder(Csv.Line(RelabelDecisions.Header)).Append('\n');
        int relabel = 0, remove = 0;
        foreach (var entry in entries.OrderBy(e => e.RelativePath, StringComparer.Ordinal))
        {
            if (votes.Find(entry.RelativePath) is not { } face) continue;
            string given = EmotionClasses.Names[entry.Label];
            if (face.Majority is { } majority && majority != entry.Label && face.MajorityShare >= minShare)
            {
                string suggested = EmotionClasses.Names[majority];
                sb.Append(Csv.Line([entry.RelativePath, given, suggested, Share(face.MajorityShare), $"relabel:{suggested}"])).Append('\n');
                relabel++;
            }
            else if (face.TopCategory == CrowdVotes.CategoryNames[CrowdVotes.NotAFaceCategory])
            {
                double share = (double)face.Counts[CrowdVotes.NotAFaceCategory] / face.Total;
                sb.Append(Csv.Line([entry.RelativePath, given, "not-a-face", Share(share), "remove"])).Append('\n');
                remove++;
            }
        }
        return (sb.ToString(), new Counts(relabel, remove));
    }

    private static string Share(double share) => share.ToString("F2", CultureInfo.InvariantCulture);
}
