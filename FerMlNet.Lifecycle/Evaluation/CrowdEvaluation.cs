using FerMlNet.Preprocessing;
using FerMlNet.Core;
using FerMlNet.Core.Data;
using FerMlNet.Core.Labels;

namespace FerMlNet.Lifecycle.Evaluation;

/// <summary>
/// The second label set of every evaluation: the FER+ crowd majority (<see cref="CrowdVotes.Majority"/>) of the same
/// faces, over all faces that have one and over those where at least 70% of the votes agree, each with its n, beside
/// the folder-label figures of metrics.json.
/// </summary>
public static class CrowdEvaluation
{
    /// <summary>Share of the votes the majority must hold for the "agreed" subset.</summary>
    public const double AgreedShare = 0.7;

    /// <summary>
    /// metrics.json's "crowd" object for these scores, or an object with only a "reason" when the faces have no votes
    /// (file names that name no FER-2013 row, or no vote file).
    /// </summary>
    public static CrowdMetrics Of(float[][] scores, int[] folderLabels, IReadOnlyList<string> paths, DatasetSplit split,
        CrowdVoteTable? votes = null)
    {
        if (votes is null)
        {
            try { votes = CrowdVoteTable.LoadDefault(); }
            catch (FileNotFoundException e) { return new CrowdMetrics { Reason = e.Message }; }
        }
        // The same test as fer data stats: every name a row, and folder labels that agree with the crowd as FER-2013's do.
        var agreement = CrowdAgreement.Of(paths.Zip(folderLabels), votes);
        if (!agreement.Applies) return new CrowdMetrics { Reason = agreement.NotApplicableReason(votes.Path) };
        var faces = paths.Select(votes.Find).ToArray();
        var withMajority = Enumerable.Range(0, faces.Length).Where(i => faces[i]!.Majority is not null).ToArray();
        var agreed = withMajority.Where(i => faces[i]!.MajorityShare >= AgreedShare).ToArray();
        return new CrowdMetrics
        {
            VoteFile = Path.GetFileName(votes.Path),
            Definition = "FER+ majority: the single top vote count of all ten FER+ categories, when it is one of the four classes (ties and faces whose top vote is another emotion, unknown or not-a-face excluded)",
            Images = paths.Count,
            FolderAgreement = agreement.Overall,
            Majority = Summary(scores, faces, withMajority, split),
            Agreed70 = Summary(scores, faces, agreed, split),
            ByMajorityShare = [.. ShareBinEdges.Zip(ShareBinEdges.Skip(1)).Select(bin =>
            {
                var inBin = withMajority.Where(i => faces[i]!.MajorityShare >= bin.First && faces[i]!.MajorityShare < bin.Second).ToList();
                return new CrowdMetrics.AgreementBin(bin.First, bin.Second, inBin.Count,
                    inBin.Count == 0 ? null : (double)inBin.Count(i => Answer(scores, i) == faces[i]!.Majority) / inBin.Count);
            })],
            MistakesWithCrowdSupport = MinoritySupport(scores, faces, withMajority),
        };
    }

    /// <summary>
    /// Edges of the majority-share bins: under a half (a plurality only), then tenths, the top bin closed at 1 (1.01).
    /// </summary>
    private static readonly double[] ShareBinEdges = [0, 0.5, 0.6, 0.7, 0.8, 0.9, 1.01];

    /// <summary>Share of the votes a class needs for a mistake naming it to count as a minority view: two taggers in ten.</summary>
    public const double MinorityShare = 0.2;

    private static int Answer(float[][] scores, int i) => EmotionClasses.ArgMax(scores[i]);

    private static CrowdMetrics.MinorityVote MinoritySupport(float[][] scores, CrowdVotes?[] faces, int[] withMajority)
    {
        var mistakes = withMajority.Where(i => Answer(scores, i) != faces[i]!.Majority).ToList();
        int supported = mistakes.Count(i => (double)faces[i]!.ClassVotes[Answer(scores, i)] / faces[i]!.Total >= MinorityShare);
        return new CrowdMetrics.MinorityVote(MinorityShare, mistakes.Count, supported);
    }

    private static CrowdMetrics.LabelSetScore Summary(float[][] scores, CrowdVotes?[] faces, int[] rows, DatasetSplit split)
    {
        if (rows.Length == 0) return new CrowdMetrics.LabelSetScore { Images = 0 };
        var full = MlNetEvaluation.FromScores(rows.Select(i => scores[i]).ToArray(), rows.Select(i => faces[i]!.Majority!.Value).ToArray(), split);
        return new CrowdMetrics.LabelSetScore
        {
            Images = rows.Length,
            Accuracy = full.Accuracy,
            AccuracyCi95 = full.AccuracyCi95,
            MacroF1 = full.MacroF1,
            Recall = EmotionClasses.Names.ToDictionary(n => n, n => full.PerClass[n].Recall),
            Support = EmotionClasses.Names.ToDictionary(n => n, n => full.PerClass[n].Support),
        };
    }
}
