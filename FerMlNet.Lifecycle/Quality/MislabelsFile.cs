using System.Text.Json;
using System.Text.Json.Serialization;
using FerMlNet.Core.Data;
using FerMlNet.Core.IO;
using FerMlNet.Core.Labels;
using FerMlNet.Preprocessing;

namespace FerMlNet.Lifecycle.Quality;

/// <summary>
/// mislabels.json of <c>fer data mislabels</c>: how the out-of-fold model was trained and how good it is, the
/// per-class thresholds, and every flag ranked by margin (the row order of decisions.csv).
/// </summary>
/// <param name="Method">The detection method, in words.</param>
/// <param name="Pipeline">The pipeline trained on each fold.</param>
/// <param name="Folds">Number of folds.</param>
/// <param name="Seed">Fold assignment seed.</param>
/// <param name="BudgetMinutes">CPU budget for all folds (0 = none).</param>
/// <param name="AverageFlips">Whether held-out probabilities average each face with its mirror image.</param>
/// <param name="Splits">The splits folded, trained on and flagged ("train, val, test" or one of them).</param>
/// <param name="Images">Images folded.</param>
/// <param name="OutOfFoldAccuracy">Accuracy of the held-out probabilities against the given labels.</param>
/// <param name="ConstantAnswerAccuracy">Accuracy of always answering the largest class.</param>
/// <param name="MinimumAccuracyLift">The lift over <paramref name="ConstantAnswerAccuracy"/> below which no flags are written.</param>
/// <param name="Thresholds">Per class: the mean own-class probability a face of another label must reach to be flagged.</param>
/// <param name="CrowdCheck">How the FER+ crowd judges the top flags; absent when the images have no votes.</param>
/// <param name="FlaggedCount">Flags.</param>
/// <param name="ByPair">Flags per "given->suggested" pair, largest first.</param>
/// <param name="Flagged">Every flag, highest margin first.</param>
public sealed record MislabelsFile(string Method, string Pipeline, int Folds, int Seed, double BudgetMinutes,
    bool AverageFlips, string Splits, int Images, double OutOfFoldAccuracy, double ConstantAnswerAccuracy,
    double MinimumAccuracyLift, Dictionary<string, double> Thresholds,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] CrowdFlagSection? CrowdCheck,
    int FlaggedCount, Dictionary<string, int> ByPair, IReadOnlyList<MislabelFlag> Flagged)
{
    /// <summary>The file's name in the report folder.</summary>
    public const string FileName = "mislabels.json";

    /// <summary>The <see cref="Method"/> of every report.</summary>
    public const string ConfidentLearning = "confident learning on k-fold out-of-fold probabilities";

    /// <summary>Indented JSON (relaxed escaping, camelCase), as written.</summary>
    public string Serialize() => JsonSerializer.Serialize(this, ReportJson.IndentedCamelCase);

    /// <summary>Per class, rounded to 4 places: the form of <see cref="Thresholds"/> and of a flag's probabilities.</summary>
    internal static Dictionary<string, double> PerClass(Func<int, double> valueOf) =>
        ClassMap.Of(c => Math.Round(valueOf(c), 4));
}

/// <summary>One flag of <see cref="MislabelsFile.Flagged"/>.</summary>
/// <param name="Rank">1 = highest margin.</param>
/// <param name="Path">The image, relative to the dataset root.</param>
/// <param name="Given">Its folder label.</param>
/// <param name="Suggested">The class the out-of-fold model puts above its threshold.</param>
/// <param name="Margin">p(suggested) − p(given).</param>
/// <param name="Probabilities">The out-of-fold probabilities per class.</param>
public sealed record MislabelFlag(int Rank, string Path, string Given, string Suggested, double Margin,
    Dictionary<string, double> Probabilities);
