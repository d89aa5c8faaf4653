using FerMlNet.Core;
using FerMlNet.Core.Data;
using FerMlNet.Core.IO;
using FerMlNet.Preprocessing;
using FerMlNet.Core.Reports;
using FerMlNet.Scoring.FaceDetection;

namespace FerMlNet.Lifecycle.Quality;

/// <summary>Options of <see cref="PhotoImporter"/>.</summary>
public sealed class ImportOptions
{
    /// <summary>Source class folder name (case-insensitive) → FerMlNet class index, e.g. happiness → happy.</summary>
    public Dictionary<string, int> Map { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Split folder of the target dataset the faces go into. Default: train.</summary>
    public DatasetSplit Split { get; set; } = DatasetSplit.Train;

    /// <summary>Prefix of every written file name, so imported faces stay recognisable. Default: "import-".</summary>
    public string Prefix { get; set; } = "import-";

    /// <summary>Add photos to a class only until it has as many images as the largest class. Default: false.</summary>
    public bool Balance { get; set; }

    /// <summary>Detect the largest face (true) or centre-crop the whole photo (false, the fallback). Default: true.</summary>
    public bool DetectFaces { get; set; } = true;

    /// <summary>Faces whose box is smaller than this (shorter side, original pixels) are rejected. Default: 48.</summary>
    public int MinFaceSize { get; set; } = PreprocessingContract.ImageSize;

    /// <summary>Seed of the order in which photos are taken (matters with <see cref="Balance"/>). Default: 42.</summary>
    public int Seed { get; set; } = 42;
}

/// <summary>
/// The notebook's "AffectNet migration": outside photos of any size and colour → largest face (YuNet) → square crop
/// with margin, eye-aligned → the preprocessing contract (gray, 48×48) → PNG named prefix + source name in
/// ROOT/&lt;split&gt;/&lt;class&gt;/. Nothing in the target is overwritten; every rejected photo is listed with its
/// reason; a JSON manifest and an HTML page of the crops are written at the dataset root.
/// </summary>
public static class PhotoImporter
{
    /// <summary>Imports; returns the manifest and its file name at the dataset root.</summary>
    internal static (ImportManifest Manifest, string FileName) Run(string source, string intoRoot, ImportOptions options, YuNetFaceDetector? detector,
        Action<int, int>? progress = null)
    {
        if (!Directory.Exists(source)) throw new DatasetException($"Source folder '{source}' does not exist.");
        if (options.Map.Count == 0) throw new ArgumentException("--map needs at least one SRC=DST pair.");
        var sourceRoot = Path.GetFullPath(source);
        var skipped = new List<DatasetNotice>();
        var photos = new List<(string Full, string Relative, int Label)>();
        foreach (var dir in Directory.GetDirectories(sourceRoot).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(dir);
            if (!options.Map.TryGetValue(name, out int label))
            {
                skipped.Add(new DatasetNotice(name, "class folder not in --map"));
                continue;
            }
            var unreadable = new List<(string Folder, string Reason)>();
            photos.AddRange(Core.IO.FileTree.Files(dir, unreadable)
                .Select(f => (f, FileTree.RelativePath(sourceRoot, f), label)));
            foreach (var (folder, reason) in unreadable)
                skipped.Add(new DatasetNotice(FileTree.RelativePath(sourceRoot, folder), $"cannot read the folder: {reason}"));
        }
        var random = new Random(options.Seed);
        photos = photos.Select(p => (p, random.Next())).OrderBy(x => x.Item2).Select(x => x.p).ToList();

        var target = Path.GetFullPath(intoRoot);
        var (counts, splitFolder) = ExistingCounts(target, options.Split);
        var before = counts.ToArray();
        int goal = options.Balance ? counts.Max() : int.MaxValue;
        var added = new List<ImportedFace>();
        var rejected = new List<RejectedPhoto>();
        var thumbnails = new List<string>();
        var crops = new List<byte[]>();
        for (int k = 0; k < photos.Count; k++)
        {
            var (full, relative, label) = photos[k];
            progress?.Invoke(k + 1, photos.Count);
            if (counts[label] >= goal)
            {
                rejected.Add(new RejectedPhoto(relative, $"not needed: {EmotionClasses.Names[label]} already has {goal} images (--balance)"));
                continue;
            }
            if (!DatasetReader.IsImageFile(full))
            {
                rejected.Add(new RejectedPhoto(relative, "not a .jpg, .jpeg or .png file"));
                continue;
            }
            var outcome = ExtractLargestFace(full, detector, options);
            if (outcome.Error is not null)
            {
                rejected.Add(new RejectedPhoto(relative, outcome.Error));
                continue;
            }
            var name = options.Prefix + Path.GetFileNameWithoutExtension(full) + ".png";
            var path = $"{splitFolder}/{EmotionClasses.Names[label]}/{name}";
            var file = Path.Combine(target, path);
            if (File.Exists(file))
            {
                rejected.Add(new RejectedPhoto(relative, $"'{path}' already exists (imported before?); left as it was"));
                continue;
            }
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            AtomicFile.WriteAllBytes(file, GrayImages.EncodePng(outcome.Pixels!));
            counts[label]++;
            added.Add(new ImportedFace(relative, path, EmotionClasses.Names[label], outcome.Face is { } f
                ? new FaceBox(MathF.Round(f.X), MathF.Round(f.Y), MathF.Round(f.Width), MathF.Round(f.Height), MathF.Round(f.Score, 3))
                : null));
            crops.Add(outcome.Pixels!);
            thumbnails.Add(HtmlReport.Thumbnail(outcome.Pixels, relative, EmotionClasses.Names[label], relative));
        }

        var manifest = new ImportManifest(ImportManifest.ImportTool, sourceRoot,
            options.Map.OrderBy(m => m.Key, StringComparer.Ordinal).ToDictionary(m => m.Key, m => EmotionClasses.Names[m.Value]),
            options.Split.ToName(), options.Prefix, options.Balance,
            options.DetectFaces ? $"yunet (largest face, {new FaceCropOptions()})" : "none: centre crop of the whole photo",
            Counts(before), Counts(counts), added, rejected, skipped);
        var stem = Path.Combine(target, $"import-{options.Prefix.TrimEnd('-', '_')}");
        var jsonPath = stem + ".json";
        for (int n = 2; File.Exists(jsonPath); n++) jsonPath = $"{stem}-{n}.json";
        AtomicFile.WriteAllText(jsonPath, Core.Quality.SplitManifest.SerializeManifest(manifest));
        var page = new HtmlReport($"Import into {Path.GetFileName(target)}");
        page.Paragraph($"{added.Count} faces added, {rejected.Count} photos rejected (reasons in {Path.GetFileName(jsonPath)}).");
        page.Raw($"<div class=\"group\">{string.Concat(thumbnails)}</div>");
        page.Table(["source", "reason"], rejected.Select(r => (IEnumerable<string>)[r.Source, r.Reason]));
        AtomicFile.WriteAllText(Path.ChangeExtension(jsonPath, ".html"), page.ToString());
        // A contact sheet of the crops, 16 a row, to check them without a browser.
        AtomicFile.WriteAllBytes(Path.ChangeExtension(jsonPath, ".png"), GrayImages.ContactSheetPng(
            crops.Chunk(16).Select(row => (IReadOnlyList<byte[]>)row).ToList()));
        return (manifest, Path.GetFileName(jsonPath));
    }

    private sealed record Outcome(byte[]? Pixels, DetectedFace? Face, string? Error);

    private static Outcome ExtractLargestFace(string file, YuNetFaceDetector? detector, ImportOptions options)
    {
        var (faces, error) = PhotoFaces.FromFile(file, options.DetectFaces ? detector : null);
        if (error is not null) return new Outcome(null, null, error);
        if (faces.Count == 0) return new Outcome(null, null, "no face found");
        var best = faces[0];
        if (best.Face is { } f && Math.Min(f.Width, f.Height) < options.MinFaceSize)
            return new Outcome(null, null, $"face too small ({Math.Min(f.Width, f.Height):F0} px; need {options.MinFaceSize})");
        return new Outcome(best.Pixels, best.Face, null);
    }

    /// <summary>
    /// Images per class already in the target split, and the folder name that split uses there ("training" stays
    /// "training", so the import never creates a second train folder). An empty or new target counts zero.
    /// </summary>
    private static (int[] Counts, string SplitFolder) ExistingCounts(string root, DatasetSplit split)
    {
        var counts = new int[EmotionClasses.Count];
        if (!Directory.Exists(root) || !Core.IO.FileTree.Files(root).Any(DatasetReader.IsImageFile))
            return (counts, split.ToName());
        var index = DatasetReader.Read(root, new DatasetReaderOptions { CreateValidationWhenMissing = false });
        if (!index.IsSplit) throw new DatasetException($"'{root}' is an unsplit dataset (ROOT/<class>); import needs ROOT/<split>/<class>.");
        foreach (var e in index.Entries.Where(e => e.Split == split)) counts[e.Label]++;
        return (counts, index.SplitFolders.GetValueOrDefault(split, split.ToName()));
    }

    private static Dictionary<string, int> Counts(int[] counts) =>
        ClassMap.Of(c => counts[c]);
}
