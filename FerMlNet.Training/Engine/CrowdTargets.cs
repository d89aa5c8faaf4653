using FerMlNet.Core.Data;
using FerMlNet.Core;
using FerMlNet.Core.Labels;
using FerMlNet.Preprocessing;

namespace FerMlNet.Training.Engine;

/// <summary>Builds training and validation data whose targets and labels come from the FER+ crowd (<see cref="LabelOptions"/>).</summary>
public static class CrowdTargets
{
    /// <summary>What <see cref="Select"/> kept and left out.</summary>
    /// <param name="Kept">Faces in the returned data.</param>
    /// <param name="WithoutVotes">Faces whose file name names no row of the vote file.</param>
    /// <param name="BelowShare">Training faces below <see cref="LabelOptions.MinFourClassShare"/> or with no four-class vote.</param>
    /// <param name="WithoutMajority">Faces left out for want of a crowd majority (validation, or the majority target).</param>
    public sealed record Selection(int Kept, int WithoutVotes, int BelowShare, int WithoutMajority);

    /// <summary>The vote file the options name (or the repository's).</summary>
    public static CrowdVoteTable LoadVotes(LabelOptions options) =>
        options.VoteFile is { } path ? CrowdVoteTable.Load(path) : CrowdVoteTable.LoadDefault();

    /// <summary>
    /// The faces of <paramref name="indices"/> with crowd targets. For training (<paramref name="forValidation"/> false)
    /// the target is the vote distribution (blended with the folder label by <see cref="LabelOptions.FolderWeight"/>) or
    /// the one-hot majority, and the label (for train accuracy and class weights) its argmax. For validation every face
    /// with a crowd majority is kept, labelled with that majority, so the best epoch is the one that agrees most with the crowd.
    /// </summary>
    public static TrainingData Select(DecodedDataset data, int[] indices, LabelOptions options, CrowdVoteTable votes,
        bool forValidation, out Selection selection)
    {
        var rows = new List<int>();
        var labels = new List<int>();
        var targets = new List<float>();
        int withoutVotes = 0, belowShare = 0, withoutMajority = 0;
        foreach (int i in indices)
        {
            if (votes.Find(data.RelativePaths[i]) is not { } face) { withoutVotes++; continue; }
            float[] target;
            if (forValidation || options.Target == LabelTarget.Majority)
            {
                if (face.Majority is not { } majority) { withoutMajority++; continue; }
                if (!forValidation && face.FourClassShare < options.MinFourClassShare) { belowShare++; continue; }
                target = new float[EmotionClasses.Count];
                target[majority] = 1;
            }
            else
            {
                if (face.Distribution is not { } distribution || face.FourClassShare < options.MinFourClassShare) { belowShare++; continue; }
                float w = (float)options.FolderWeight;
                target = distribution.Select((p, c) => (1 - w) * p + (c == data.Labels[i] ? w : 0)).ToArray();
            }
            rows.Add(i);
            labels.Add(EmotionClasses.ArgMax(target));
            targets.AddRange(target);
        }
        selection = new Selection(rows.Count, withoutVotes, belowShare, withoutMajority);
        return new TrainingData(TrainingData.PixelsOf(data.Pixels, rows), labels.ToArray(), targets.ToArray());
    }
}
