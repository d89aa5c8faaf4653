namespace FerMlNet.Core.Data;

/// <summary>What <see cref="DatasetReader"/> found under a dataset root: the images and everything it skipped.</summary>
public sealed class DatasetIndex
{
    internal DatasetIndex(string root, bool isSplit, IReadOnlyList<ImageEntry> entries,
        IReadOnlyList<DatasetNotice> notices, IReadOnlyDictionary<DatasetSplit, string> splitFolders)
    {
        Root = root;
        IsSplit = isSplit;
        Entries = entries;
        Notices = notices;
        SplitFolders = splitFolders;
    }

    /// <summary>Absolute dataset root.</summary>
    public string Root { get; }

    /// <summary>True for ROOT/&lt;split&gt;/&lt;class&gt;; false for an unsplit ROOT/&lt;class&gt; set.</summary>
    public bool IsSplit { get; }

    /// <summary>Every image, ordered by split then relative path (ordinal), so runs are reproducible.</summary>
    public IReadOnlyList<ImageEntry> Entries { get; }

    /// <summary>Folders and files that were skipped or created, each with the reason.</summary>
    public IReadOnlyList<DatasetNotice> Notices { get; }

    /// <summary>The folder each split was read from (a made-up validation split has no folder: "(from train)").</summary>
    public IReadOnlyDictionary<DatasetSplit, string> SplitFolders { get; }

    /// <summary>Splits present, in train, val, test order.</summary>
    public IEnumerable<DatasetSplit> Splits => Entries.Select(e => e.Split).Distinct().Order();

    /// <summary>
    /// The images of one split only, with every notice kept: tools that must leave the other splits untouched (mislabel
    /// detection on train, so validation and test labels keep measuring honestly) read through this.
    /// </summary>
    /// <exception cref="DatasetException">The dataset has no images in that split.</exception>
    public DatasetIndex Only(DatasetSplit split)
    {
        var entries = Entries.Where(e => e.Split == split).ToList();
        if (entries.Count == 0)
            throw new DatasetException($"'{Root}' has no images in the {split.ToName()} split.");
        return new DatasetIndex(Root, IsSplit, entries, Notices,
            SplitFolders.Where(kv => kv.Key == split).ToDictionary(kv => kv.Key, kv => kv.Value));
    }

    /// <summary>Image count per split and class.</summary>
    public int Count(DatasetSplit split, int label) => Entries.Count(e => e.Split == split && e.Label == label);
}
