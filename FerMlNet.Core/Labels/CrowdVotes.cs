namespace FerMlNet.Core.Labels;

/// <summary>
/// The ten FER+ crowd votes of one face (neutral, happiness, surprise, sadness, anger, disgust, fear, contempt,
/// unknown, not-a-face, in the vote file's column order) and what the product reads from them.
/// </summary>
public sealed record CrowdVotes
{
    /// <summary>Number of vote categories in the FER+ file.</summary>
    public const int CategoryCount = 10;

    /// <summary>The FER+ category names, in the vote file's column order.</summary>
    public static IReadOnlyList<string> CategoryNames { get; } =
        ["neutral", "happiness", "surprise", "sadness", "anger", "disgust", "fear", "contempt", "unknown", "NF"];

    /// <summary>Index of "unknown" (the tagger could not tell) in <see cref="Counts"/>.</summary>
    public const int UnknownCategory = 8;

    /// <summary>Index of "NF" (not a face) in <see cref="Counts"/>.</summary>
    public const int NotAFaceCategory = 9;

    /// <summary>For each of FerMlNet's classes (happy, neutral, sad, surprise), its FER+ column.</summary>
    private static readonly int[] CategoryOfClass = [1, 0, 3, 2];

    /// <summary>Creates the record from the ten counts in file order.</summary>
    /// <exception cref="ArgumentException">Not ten counts, or a negative count.</exception>
    public CrowdVotes(IReadOnlyList<int> counts)
    {
        if (counts.Count != CategoryCount) throw new ArgumentException($"expected {CategoryCount} vote counts, got {counts.Count}");
        if (counts.Any(c => c < 0)) throw new ArgumentException("vote counts cannot be negative");
        Counts = counts.ToArray();
    }

    /// <summary>The ten vote counts in file order.</summary>
    public IReadOnlyList<int> Counts { get; }

    /// <summary>All votes cast for this face.</summary>
    public int Total => Counts.Sum();

    /// <summary>Votes for FerMlNet's four classes, in class order (happy, neutral, sad, surprise).</summary>
    public int[] ClassVotes => CategoryOfClass.Select(c => Counts[c]).ToArray();

    /// <summary>Share of all votes that went to one of the four classes (0 when nobody voted).</summary>
    public double FourClassShare => Total == 0 ? 0 : (double)ClassVotes.Sum() / Total;

    /// <summary>
    /// The four-class vote distribution in class order (sums to 1), or null when none of the votes is for one of the
    /// four classes. This is the soft training target of the "votes" label source.
    /// </summary>
    public float[]? Distribution
    {
        get
        {
            var votes = ClassVotes;
            int sum = votes.Sum();
            return sum == 0 ? null : votes.Select(v => (float)v / sum).ToArray();
        }
    }

    /// <summary>
    /// The crowd majority as a class index: the single highest count among all ten categories, when that category is
    /// one of the four classes; null on a tie for the top count or when the top category is another emotion, unknown or
    /// not-a-face. This is the definition every "FER+ majority" figure of the product uses.
    /// </summary>
    public int? Majority =>
        TopIndex is { } category && Array.IndexOf(CategoryOfClass, category) is var label and >= 0 ? label : null;

    /// <summary>Share of all votes that went to the majority class (0 when there is no majority).</summary>
    public double MajorityShare => Majority is { } m ? (double)Counts[CategoryOfClass[m]] / Total : 0;

    /// <summary>The single top category of all ten ("NF", "unknown", "anger", ...) or null on a tie.</summary>
    public string? TopCategory => TopIndex is { } category ? CategoryNames[category] : null;

    /// <summary>The column of the single highest count of all ten, or null on a tie for the top (or no votes).</summary>
    private int? TopIndex
    {
        get
        {
            int top = Counts.Max();
            return top == 0 || Counts.Count(c => c == top) != 1 ? null : Counts.ToList().IndexOf(top);
        }
    }
}
