using System.Text.Json;
using System.Text.Json.Serialization;
using FerMlNet.Core.IO;
using FerMlNet.Preprocessing;

namespace FerMlNet.Lifecycle.Evaluation;

/// <summary>
/// val-answers.json: every scored image of one split with its folder label and the model's answer, so that two runs
/// scored on the same faces can be compared face by face (<see cref="McNemarTest"/>), which their accuracies and
/// intervals alone cannot do. Written by `fer train` beside metrics.json; read by `fer experiment` and `fer compare`. Read with unknown
/// keys refused.
/// </summary>
public sealed record SplitAnswers
{
    /// <summary>The file's name in a run folder, for the validation split.</summary>
    public const string ValFileName = "val-answers.json";

    /// <summary>The layout written now.</summary>
    public const int CurrentSchemaVersion = 1;

    /// <summary>Version of this file's layout.</summary>
    public int SchemaVersion { get; init; } = CurrentSchemaVersion;

    /// <summary>The split scored: train, val, test or all.</summary>
    public required string Split { get; init; }

    /// <summary>One row per scored image, in the order scored (unreadable images are not scored and not listed).</summary>
    public required IReadOnlyList<ImageAnswer> Images { get; init; }

    /// <summary>
    /// One image's outcome: its path relative to the dataset root ('/' separators, so runs on copies of a dataset in
    /// other folders still pair up), its folder label and the model's arg-max answer.
    /// </summary>
    public sealed record ImageAnswer(string Path, string Truth, string Predicted)
    {
        /// <summary>True when the answer is the folder label.</summary>
        [JsonIgnore]
        public bool Right => Truth == Predicted;
    }

    /// <summary>The answers from a model's probabilities (one row per image, in <see cref="EmotionClasses"/> order).</summary>
    public static SplitAnswers Of(string split, IReadOnlyList<string> relativePaths, IReadOnlyList<int> truth, IReadOnlyList<float[]> scores)
    {
        if (relativePaths.Count != truth.Count || truth.Count != scores.Count)
            throw new ArgumentException($"{relativePaths.Count} paths, {truth.Count} labels and {scores.Count} score rows: one each per image.");
        return new SplitAnswers
        {
            Split = split,
            Images = [.. relativePaths.Select((p, i) => new ImageAnswer(p.Replace('\\', '/'), EmotionClasses.Names[truth[i]], EmotionClasses.MostProbable(scores[i])))],
        };
    }

    private static readonly JsonSerializerOptions Json = StrictJson.Options();

    /// <summary>Reads a val-answers.json; a missing, unknown or mistyped key is an error naming the file.</summary>
    public static SplitAnswers Load(string path) =>
        StrictJson.Load<SplitAnswers>(path, ValFileName, Json, a => a.SchemaVersion, CurrentSchemaVersion);

    /// <summary>Writes the file atomically.</summary>
    public void Write(string path) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, Json));
}
