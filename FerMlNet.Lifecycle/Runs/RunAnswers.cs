using FerMlNet.Core.Data;
using FerMlNet.Lifecycle.Evaluation;

namespace FerMlNet.Lifecycle.Runs;

/// <summary>A run folder's per-image validation answers (<see cref="SplitAnswers.ValFileName"/>).</summary>
public static class RunAnswers
{
    /// <summary>
    /// Scores the validation answers of every run folder among <paramref name="runDirs"/> that was trained before
    /// `fer train` wrote them (<see cref="LoadOrScoreVal"/>); calibrated runs are left out, since their validation
    /// answers are in sample and are never paired. <paramref name="onScoring"/> hears each folder before it is scored.
    /// </summary>
    public static void ScoreMissing(IEnumerable<string> runDirs, Action<string>? onScoring = null)
    {
        foreach (var runDir in runDirs.Where(d => !File.Exists(Path.Combine(d, SplitAnswers.ValFileName))))
        {
            if (RunRecord.LoadIfPresent(runDir) is not { Calibration: null }) continue;
            onScoring?.Invoke(runDir);
            LoadOrScoreVal(runDir);
        }
    }

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
        var answers = MlNetEvaluation.EvaluateModelFile(modelPath, DatasetReader.Read(dataset), DatasetSplit.Val).Answers;
        answers.Write(file);
        return answers;
    }
}
