using System.Text.Json;
using System.Text.Json.Serialization;
using FerMlNet.Core.Data;
using FerMlNet.Core.IO;
using FerMlNet.Preprocessing;

namespace FerMlNet.Core.Quality;

/// <summary>
/// manifest.json of `fer data split`: where every file of the new tree came from, what was dropped or set aside and
/// why, and the settings that rebuild it. It holds no time stamp and no absolute path, so the same seed on the same
/// data gives a byte-identical file (model cards record its SHA-256); the source is identified by its content key
/// (every file's bytes, path, label and split). It carries no schema version: its bytes are hashed into the cards,
/// and this layout is the one every manifest so far has had. Read with unknown keys refused.
/// </summary>
public sealed record SplitManifest
{
    /// <summary>The file's name at the new tree's root.</summary>
    public const string FileName = "manifest.json";

    /// <summary>The <see cref="Tool"/> of a split manifest (relabel and import write manifests of their own).</summary>
    public const string SplitTool = "fer data split";

    /// <summary>The command that wrote the file.</summary>
    public required string Tool { get; init; }

    /// <summary>The dataset the split was made from.</summary>
    public required SplitSource Source { get; init; }

    /// <summary>The preprocessing contract's version at the time (<see cref="PreprocessingContract.Version"/>).</summary>
    public required string Preprocessing { get; init; }

    /// <summary>The shuffle seed.</summary>
    public required int Seed { get; init; }

    /// <summary>Train, validation and test shares asked for.</summary>
    public required double[] Ratios { get; init; }

    /// <summary>Whether every copy of a duplicate group was kept (in one split) instead of one.</summary>
    public required bool KeepDuplicates { get; init; }

    /// <summary>The near-duplicate hash ("phash").</summary>
    public required string NearMethod { get; init; }

    /// <summary>The largest hash distance of a near-duplicate candidate pair.</summary>
    public required int NearThreshold { get; init; }

    /// <summary>Pixel standard deviation at or below which an image counts as blank.</summary>
    public required double BlankMaxStdDev { get; init; }

    /// <summary>Images in the new tree.</summary>
    public required int Images { get; init; }

    /// <summary>Images per split and class.</summary>
    public required Dictionary<string, Dictionary<string, int>> Counts { get; init; }

    /// <summary>Each class's share in each split (rounded to 4 places).</summary>
    public required Dictionary<string, Dictionary<string, double>> Shares { get; init; }

    /// <summary>Images left out and why (conflicting labels in a duplicate group, blank, unreadable).</summary>
    public required IReadOnlyList<SetAsideImage> SetAside { get; init; }

    /// <summary>Redundant copies dropped, each with the copy kept.</summary>
    public required IReadOnlyList<DroppedCopy> DroppedCopies { get; init; }

    /// <summary>Every file of the new tree.</summary>
    public required IReadOnlyList<SplitFile> Files { get; init; }

    /// <summary>"correlation" when near pairs were confirmed by their pixels; absent for a split by the hash alone.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? NearConfirmation { get; init; }

    /// <summary>The pixel correlation a confirmed near pair reached at least; absent for a split by the hash alone.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? NearMinCorrelation { get; init; }

    // The default encoder, not ReportJson's relaxed one: these bytes are hashed into model cards (dataManifestSha256).
    private static readonly JsonSerializerOptions WriteOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
    };

    private static readonly JsonSerializerOptions ReadOptions = StrictJson.Options(WriteOptions);

    /// <summary>The manifest of a planned split.</summary>
    public static SplitManifest Of(SplitPlan plan, AuditResult audit, SplitOptions options)
    {
        DatasetSplit[] splits = [DatasetSplit.Train, DatasetSplit.Val, DatasetSplit.Test];
        int Count(DatasetSplit split, int c) => plan.Assignments.Count(a => a.Split == split && a.Label == c);
        double Share(int c, DatasetSplit split) => plan.Assignments.Count(a => a.Label == c) is var total and > 0
            ? Math.Round((double)Count(split, c) / total, 4) : 0;
        bool confirmed = audit.Options.NearConfirmation == NearDuplicateConfirmation.Correlation;
        return new SplitManifest
        {
            Tool = SplitTool,
            Source = new SplitSource(Path.GetFileName(audit.Data.Root.TrimEnd('/')), audit.Data.ContentKey,
                audit.Data.Count + audit.Data.Failures.Count),
            Preprocessing = PreprocessingContract.Version,
            Seed = options.Seed,
            Ratios = [.. options.Ratios],
            KeepDuplicates = options.KeepDuplicates,
            NearMethod = audit.Options.NearMethod.ToString().ToLowerInvariant(),
            NearThreshold = audit.Options.NearThreshold,
            BlankMaxStdDev = audit.Options.BlankMaxStdDev,
            Images = plan.Assignments.Count,
            Counts = splits.ToDictionary(s => s.ToName(), s => ClassMap.Of(c => Count(s, c))),
            Shares = ClassMap.Of(c => splits.ToDictionary(s => s.ToName(), s => Share(c, s))),
            SetAside = plan.SetAside,
            DroppedCopies = [.. plan.DroppedCopies.Select(d => new DroppedCopy(d.Source, d.KeptAs))],
            Files = [.. plan.Assignments.Select(a => new SplitFile(a.Target, a.Source, EmotionClasses.Names[a.Label], a.Split.ToName(), a.Group))],
            // Recorded since 2026-12-05; a manifest without these keys was made by the hash alone, so a split made with
            // --near-confirm none stays byte-identical to those made before.
            NearConfirmation = confirmed ? "correlation" : null,
            NearMinCorrelation = confirmed ? audit.Options.NearMinCorrelation : null,
        };
    }

    /// <summary>Copies the planned files (byte for byte; the source is only read) and writes the manifest.</summary>
    public static SplitManifest WriteTree(SplitPlan plan, AuditResult audit, SplitOptions options, string newRoot,
        Action<int, int>? progress = null)
    {
        var tree = NewDatasetTree.Begin(newRoot);
        var sourceRoot = audit.Data.Root;
        for (int k = 0; k < plan.Assignments.Count; k++)
        {
            var a = plan.Assignments[k];
            tree.CopyFile(Path.Combine(sourceRoot, a.Source), a.Target);
            if (progress is not null && (k % 512 == 0 || k == plan.Assignments.Count - 1)) progress(k + 1, plan.Assignments.Count);
        }
        var manifest = Of(plan, audit, options);
        tree.WriteFile(FileName, System.Text.Encoding.UTF8.GetBytes(manifest.Serialize()));
        tree.Commit();
        return manifest;
    }

    /// <summary>Indented UTF-8 JSON with a final newline: the exact bytes of manifest.json.</summary>
    public string Serialize() => JsonSerializer.Serialize(this, WriteOptions) + "\n";

    /// <summary>Another tool's manifest (<see cref="RelabelManifest"/>, the import's) in the same form: default
    /// encoder, camelCase, indented, a final newline.</summary>
    public static string SerializeManifest<T>(T manifest) => JsonSerializer.Serialize(manifest, WriteOptions) + "\n";

    /// <summary>Reads the manifest.json of a `fer data split`.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">Not a split manifest (another tool's, or unreadable); the message names the file.</exception>
    public static SplitManifest Load(string path)
    {
        var manifest = StrictJson.Load<SplitManifest>(path, "manifest.json of `fer data split`", ReadOptions, _ => 1, 1);
        return manifest.Tool == SplitTool
            ? manifest
            : throw new InvalidDataException($"'{path}' is the manifest of `{manifest.Tool}`, not of `{SplitTool}`.");
    }
}

/// <summary>The dataset a split was made from.</summary>
/// <param name="Name">Its folder name.</param>
/// <param name="ContentKey">Its content key (every file's bytes, path, label and split).</param>
/// <param name="Images">Its images, readable or not.</param>
public sealed record SplitSource(string Name, string ContentKey, int Images);

/// <summary>A redundant copy the split dropped.</summary>
/// <param name="Source">The dropped copy, relative to the source root.</param>
/// <param name="KeptAs">The kept copy's path in the new tree.</param>
public sealed record DroppedCopy(string Source, string KeptAs);

/// <summary>A file of the new tree.</summary>
/// <param name="Path">Its path in the new tree.</param>
/// <param name="Source">Its path in the source.</param>
/// <param name="Label">Its class name.</param>
/// <param name="Split">Its split name.</param>
/// <param name="Group">Its duplicate group in the audit, or -1 for a unique picture.</param>
public sealed record SplitFile(string Path, string Source, string Label, string Split, int Group);
