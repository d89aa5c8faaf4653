using FerMlNet.Core.Data;
using FerMlNet.Lifecycle.Evaluation;

namespace FerMlNet.Lifecycle.Runs;

/// <summary>A run folder's per-image validation answers (<see cref="SplitAnswers.ValFileName"/>).</summary>
public static class RunAnswers
{
    /// <summary>
    /// The run's val-answers.json; for a run trained before `fer train` wrote that file, its model.zip is scored on the
    /// validation split of the dataset its run.json names and the file is written then. Null when neither exists (a
    /// transfer run of that time has no model file).
    /// </summary>
    /// <exception cref="InvalidDataException">The model.zip cannot be loaded; the message names it.</exception>
    public static SplitAnswers? LoadOrScoreVal(string runDir)
    {
        string file = Path.Combine(runDir, SplitAnswers.ValFileName);
        if (File.Exists(file)) return SplitAnswers.Load(file);
        string modelPath = Path.Combine(runDir, "model.zip");
        if (!File.Exists(modelPath) || RunRecord.LoadIfPresent(runDir)?.Dataset is not { } dataset) return null;
        var answers = MlNetEvaluation.EvaluateWithAnswers(MlNetEvaluation.LoadModel(modelPath), DatasetReader.Read(dataset), DatasetSplit.Val).Answers;
        answers.Write(file);
        return answers;
    }
}
