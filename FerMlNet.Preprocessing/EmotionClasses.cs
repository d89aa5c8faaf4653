namespace FerMlNet.Preprocessing;

/// <summary>
/// The four emotions FerMlNet recognises, in the notebook's index order (0=happy, 1=neutral, 2=sad, 3=surprise).
/// Every label index, probability vector and confusion-matrix row in the product uses this order.
/// </summary>
public static class EmotionClasses
{
    /// <summary>Class names in index order.</summary>
    public static IReadOnlyList<string> Names { get; } = ["happy", "neutral", "sad", "surprise"];

    /// <summary>Number of classes (4).</summary>
    public const int Count = 4;

    /// <summary>The class with the highest probability in a 4-value score vector (first one on ties).</summary>
    public static string MostProbable(ReadOnlySpan<float> scores) => Names[ArgMax(scores)];

    /// <summary>Index of the highest of the four scores (the first on a tie).</summary>
    public static int ArgMax(ReadOnlySpan<float> scores)
    {
        if (scores.Length != Count) throw new ArgumentException($"expected {Count} scores, got {scores.Length}");
        int best = 0;
        for (int i = 1; i < Count; i++)
            if (scores[i] > scores[best]) best = i;
        return best;
    }

    /// <summary>
    /// Maps a class folder name to its index: case-insensitive, and "surprised" is accepted as "surprise"
    /// (outside datasets such as AffectNet use that spelling). Returns -1 for any other name.
    /// </summary>
    public static int IndexOfFolder(string folderName)
    {
        var name = folderName.Trim().ToLowerInvariant();
        if (name == "surprised") name = "surprise";
        for (int i = 0; i < Count; i++)
            if (Names[i] == name) return i;
        return -1;
    }
}
