using System.Text.Json.Nodes;
using FerMlNet.Preprocessing;
using FerMlNet.Core;
using FerMlNet.Core.Data;
using FerMlNet.Core.Labels;

namespace FerMlNet.Training.MlNet;

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
    public static JsonObject Of(float[][] scores, int[] folderLabels, IReadOnlyList<string> paths, DatasetSplit split,
        CrowdVoteTable? votes = null)
    {
        if (votes is null)
        {
            try { votes = CrowdVoteTable.LoadDefault(); }
            catch (FileNotFoundException e) { return new JsonObject { ["reason"] = e.Message }; }
        }
        // The same test as fer data stats: every name a row, and folder labels that agree with the crowd as FER-2013's do.
        var agreement = CrowdAgreement.Of(paths.Zip(folderLabels), votes);
        if (!agreement.Applies) return agreement.ToJson(votes.Path);
        var faces = paths.Select(votes.Find).ToArray();
        var withMajority = Enumerable.Range(0, faces.Length).Where(i => faces[i]!.Majority is not null).ToArray();
        var agreed = withMajority.Where(i => faces[i]!.MajorityShare >= AgreedShare).ToArray();
        return new JsonObject
        {
            ["voteFile"] = Path.GetFileName(votes.Path),
            ["definition"] = "FER+ majority: the single top vote count of all ten FER+ categories, when it is one of the four classes (ties and faces whose top vote is another emotion, unknown or not-a-face excluded)",
            ["images"] = paths.Count,
            ["folderAgreement"] = agreement.Overall,
            ["majority"] = Summary(scores, faces, withMajority, split),
            ["agreed70"] = Summary(scores, faces, agreed, split),
        };
    }

    private static JsonObject Summary(float[][] scores, CrowdVotes?[] faces, int[] rows, DatasetSplit split)
    {
        if (rows.Length == 0) return new JsonObject { ["images"] = 0 };
        var full = MlNetEvaluation.FromScores(rows.Select(i => scores[i]).ToArray(), rows.Select(i => faces[i]!.Majority!.Value).ToArray(), split);
        var perClass = full["perClass"]!.AsObject();
        return new JsonObject
        {
            ["images"] = rows.Length,
            ["accuracy"] = full["accuracy"]!.DeepClone(),
            ["accuracyCi95"] = full["accuracyCi95"]!.DeepClone(),
            ["macroF1"] = full["macroF1"]!.DeepClone(),
            ["recall"] = new JsonObject(EmotionClasses.Names.Select(n =>
                KeyValuePair.Create(n, (JsonNode?)perClass[n]!["recall"]!.DeepClone()))),
            ["support"] = new JsonObject(EmotionClasses.Names.Select(n =>
                KeyValuePair.Create(n, (JsonNode?)perClass[n]!["support"]!.DeepClone()))),
        };
    }
}
