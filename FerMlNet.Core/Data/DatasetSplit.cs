namespace FerMlNet.Core.Data;

/// <summary>A dataset split. <see cref="All"/> is an unsplit folder of class subfolders.</summary>
public enum DatasetSplit : byte
{
    /// <summary>Training split.</summary>
    Train = 0,
    /// <summary>Validation split (model selection, early stopping).</summary>
    Val = 1,
    /// <summary>Held-out test split (touched once per shipped candidate).</summary>
    Test = 2,
    /// <summary>An unsplit set: ROOT/&lt;class&gt;/*.</summary>
    All = 3,
}

/// <summary>Split-name normalisation as the notebook's <c>normalize_split_name</c> does it.</summary>
public static class SplitNames
{
    /// <summary>The canonical names used in JSON and reports.</summary>
    public static string ToName(this DatasetSplit split) => split switch
    {
        DatasetSplit.Train => "train",
        DatasetSplit.Val => "val",
        DatasetSplit.Test => "test",
        _ => "all",
    };

    /// <summary>
    /// Normalises a split folder name: lower-cased with '_' and '-' removed, then
    /// train|training → train; val|valid|validation|dev|eval|publictest|public → val;
    /// test|testing|privatetest|private → test. Returns null for anything else (the caller reports it as an error).
    /// </summary>
    public static DatasetSplit? TryNormalize(string folderName)
    {
        var s = folderName.Trim().ToLowerInvariant().Replace("_", "").Replace("-", "");
        return s switch
        {
            "train" or "training" => DatasetSplit.Train,
            "val" or "valid" or "validation" or "dev" or "eval" or "publictest" or "public" => DatasetSplit.Val,
            "test" or "testing" or "privatetest" or "private" => DatasetSplit.Test,
            _ => null,
        };
    }

    /// <summary>Parses a split given on the command line (the same aliases plus "all").</summary>
    public static DatasetSplit Parse(string value)
    {
        if (string.Equals(value, "all", StringComparison.OrdinalIgnoreCase)) return DatasetSplit.All;
        return TryNormalize(value) ?? throw new ArgumentException(
            $"Unknown split '{value}'. Use train, val (validation) or test.");
    }
}
