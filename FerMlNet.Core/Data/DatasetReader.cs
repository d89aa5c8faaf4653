using FerMlNet.Preprocessing;
using FerMlNet.Core.IO;

namespace FerMlNet.Core.Data;

/// <summary>Options of <see cref="DatasetReader"/>.</summary>
public sealed class DatasetReaderOptions
{
    /// <summary>
    /// When a split dataset has train but no validation split, move 10% of train per class into a new validation split
    /// (the notebook's <c>create_validation_split</c> rule). Default: true.
    /// </summary>
    public bool CreateValidationWhenMissing { get; set; } = true;

    /// <summary>Fraction of each train class moved to validation when one is created. Default: 0.1.</summary>
    public double ValidationFraction { get; set; } = 0.1;

    /// <summary>Seed of that move. Default: 42 (the notebook's).</summary>
    public int ValidationSeed { get; set; } = 42;
}

/// <summary>
/// Reads the dataset layouts of the CLI contract: ROOT/&lt;split&gt;/&lt;class&gt;/*.{jpg,jpeg,png} or ROOT/&lt;class&gt;/*.
/// Extensions and folder names are case-insensitive. Unknown split folders are errors; unknown class folders,
/// non-image files and empty class folders are reported as notices and skipped, never mixed in.
/// </summary>
public static class DatasetReader
{
    /// <summary>
    /// File extensions read as images (case-insensitive): the formats SkiaSharp decodes on every platform the product
    /// runs on (a GIF gives its first frame). HEIC and AVIF are not among them (SkiaSharp's Linux build has no codec).
    /// </summary>
    public static IReadOnlyList<string> ImageExtensions { get; } = [".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp"];

    /// <summary>True when the path has an image extension of the contract.</summary>
    public static bool IsImageFile(string path) =>
        ImageExtensions.Contains(Path.GetExtension(path).ToLowerInvariant());

    /// <summary>Reads the dataset under <paramref name="root"/>.</summary>
    /// <exception cref="DatasetException">The root is missing, has unknown split folders, or holds no images.</exception>
    public static DatasetIndex Read(string root, DatasetReaderOptions? options = null)
    {
        options ??= new DatasetReaderOptions();
        var fullRoot = Path.GetFullPath(root);
        if (File.Exists(fullRoot))
            throw new DatasetException($"'{root}' is a file, not a dataset folder.");
        if (!Directory.Exists(fullRoot))
            throw new DatasetException($"Dataset folder '{root}' does not exist.");

        var topDirs = VisibleDirectories(fullRoot);
        var notices = new List<DatasetNotice>();
        var entries = new List<ImageEntry>();
        var splitFolders = new Dictionary<DatasetSplit, string>();

        bool anySplit = topDirs.Any(d => SplitNames.TryNormalize(Path.GetFileName(d)) is not null);
        bool anyClass = topDirs.Any(d => EmotionClasses.IndexOfFolder(Path.GetFileName(d)) >= 0);
        if (anySplit)
        {
            foreach (var dir in topDirs)
            {
                var name = Path.GetFileName(dir);
                var split = SplitNames.TryNormalize(name) ?? throw new DatasetException(
                    $"Unknown split folder '{Rel(fullRoot, dir)}' in '{root}': split folders must be train, val " +
                    "(validation, dev, ...) or test (see the dataset layout in the README).");
                if (splitFolders.TryGetValue(split, out var other))
                    throw new DatasetException(
                        $"Folders '{other}' and '{name}' in '{root}' are both the {split.ToName()} split; keep one.");
                splitFolders[split] = name;
                ReadClassFolders(fullRoot, dir, split, entries, notices);
            }
        }
        else if (anyClass)
        {
            splitFolders[DatasetSplit.All] = ".";
            ReadClassFolders(fullRoot, fullRoot, DatasetSplit.All, entries, notices);
        }
        else
        {
            throw new DatasetException(
                $"'{root}' has neither split folders (train/val/test) nor class folders " +
                $"({string.Join("/", EmotionClasses.Names)}).");
        }

        if (entries.Count == 0)
            throw new DatasetException($"No images ({string.Join(", ", ImageExtensions)}) found under '{root}'.");

        if (anySplit && options.CreateValidationWhenMissing
            && !splitFolders.ContainsKey(DatasetSplit.Val) && splitFolders.ContainsKey(DatasetSplit.Train))
        {
            entries = CreateValidationSplit(entries, options.ValidationFraction, options.ValidationSeed);
            splitFolders[DatasetSplit.Val] = "(from train)";
            notices.Add(new DatasetNotice(".", $"no validation split: moved {options.ValidationFraction:P0} of each " +
                $"train class into one (seed {options.ValidationSeed})"));
        }

        var ordered = entries.OrderBy(e => e.Split).ThenBy(e => e.RelativePath, StringComparer.Ordinal).ToList();
        return new DatasetIndex(fullRoot, anySplit, ordered, notices, splitFolders);
    }

    private static void ReadClassFolders(string root, string splitDir, DatasetSplit split,
        List<ImageEntry> entries, List<DatasetNotice> notices)
    {
        var seen = new Dictionary<int, string>();
        foreach (var dir in VisibleDirectories(splitDir))
        {
            var name = Path.GetFileName(dir);
            int label = EmotionClasses.IndexOfFolder(name);
            if (label < 0)
            {
                notices.Add(new DatasetNotice(Rel(root, dir), "unknown class folder, skipped"));
                continue;
            }
            if (seen.TryGetValue(label, out var other))
                throw new DatasetException($"Folders '{Rel(root, Path.Combine(splitDir, other))}' and " +
                    $"'{Rel(root, dir)}' are both class '{EmotionClasses.Names[label]}'; keep one.");
            seen[label] = name;

            int before = entries.Count;
            List<string> contents;
            try { contents = Directory.EnumerateFileSystemEntries(dir).Order(StringComparer.Ordinal).ToList(); }
            catch (Exception e) when (e is UnauthorizedAccessException or IOException)
            {
                notices.Add(new DatasetNotice(Rel(root, dir), $"cannot read the folder: {e.Message}"));
                continue;
            }
            foreach (var path in contents)
            {
                var fileName = Path.GetFileName(path);
                if (fileName.StartsWith('.')) continue;
                if (Directory.Exists(path))
                    notices.Add(new DatasetNotice(Rel(root, path), "folder inside a class folder, skipped"));
                else if (!IsImageFile(path))
                    notices.Add(new DatasetNotice(Rel(root, path),
                        $"not an image file (extension '{Path.GetExtension(path)}'), skipped"));
                else
                    entries.Add(new ImageEntry(path, Rel(root, path), label, split));
            }
            if (entries.Count == before)
                notices.Add(new DatasetNotice(Rel(root, dir), "empty class folder"));
        }
        for (int label = 0; label < EmotionClasses.Count; label++)
            if (!seen.ContainsKey(label))
                notices.Add(new DatasetNotice(Rel(root, splitDir),
                    $"no '{EmotionClasses.Names[label]}' class folder"));
    }

    /// <summary>
    /// The notebook's rule: per class, in class order, shuffle that class's train images with one generator seeded once,
    /// and move the first floor(n·fraction) to validation. Images are sorted by path first, so unlike the notebook
    /// (whose parallel loader returned records in completion order) the result is reproducible.
    /// </summary>
    internal static List<ImageEntry> CreateValidationSplit(List<ImageEntry> entries, double fraction, int seed)
    {
        var random = new Random(seed);
        var result = new List<ImageEntry>(entries.Count);
        result.AddRange(entries.Where(e => e.Split != DatasetSplit.Train));
        for (int label = 0; label < EmotionClasses.Count; label++)
        {
            var cls = entries.Where(e => e.Split == DatasetSplit.Train && e.Label == label)
                .OrderBy(e => e.RelativePath, StringComparer.Ordinal).ToArray();
            random.Shuffle(cls);
            int nVal = (int)Math.Floor(cls.Length * fraction);
            for (int i = 0; i < cls.Length; i++)
                result.Add(i < nVal ? cls[i] with { Split = DatasetSplit.Val } : cls[i]);
        }
        return result;
    }

    private static string[] VisibleDirectories(string dir) =>
        Directory.GetDirectories(dir).Where(d => !Path.GetFileName(d).StartsWith('.'))
            .Order(StringComparer.Ordinal).ToArray();

    private static string Rel(string root, string path) => FileTree.RelativePath(root, path);
}
