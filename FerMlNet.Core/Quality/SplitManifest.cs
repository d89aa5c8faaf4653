using System.Text.Json;
using System.Text.Json.Nodes;
using FerMlNet.Core.Data;
using FerMlNet.Core.IO;
using FerMlNet.Preprocessing;

namespace FerMlNet.Core.Quality;

/// <summary>
/// Writes a <see cref="SplitPlan"/> as a new dataset tree with manifest.json. The manifest holds no time stamp and no
/// absolute path, so the same seed on the same data gives a byte-identical file; the source is identified by its
/// content key (every file's bytes, path, label and split).
/// </summary>
public static class SplitManifest
{
    /// <summary>Copies the planned files (byte for byte; the source is only read) and writes the manifest.</summary>
    public static JsonObject WriteTree(SplitPlan plan, AuditResult audit, SplitOptions options, string newRoot,
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
        var manifest = ToJson(plan, audit, options);
        tree.WriteFile("manifest.json", System.Text.Encoding.UTF8.GetBytes(Serialize(manifest)));
        tree.Commit();
        return manifest;
    }

    /// <summary>The manifest as JSON.</summary>
    public static JsonObject ToJson(SplitPlan plan, AuditResult audit, SplitOptions options)
    {
        var counts = new JsonObject();
        var shares = new JsonObject();
        foreach (var split in new[] { DatasetSplit.Train, DatasetSplit.Val, DatasetSplit.Test })
        {
            var perClass = new JsonObject();
            for (int c = 0; c < EmotionClasses.Count; c++)
                perClass[EmotionClasses.Names[c]] = plan.Assignments.Count(a => a.Split == split && a.Label == c);
            counts[split.ToName()] = perClass;
        }
        for (int c = 0; c < EmotionClasses.Count; c++)
        {
            int total = plan.Assignments.Count(a => a.Label == c);
            var perSplit = new JsonObject();
            foreach (var split in new[] { DatasetSplit.Train, DatasetSplit.Val, DatasetSplit.Test })
                perSplit[split.ToName()] = total == 0 ? 0 : Math.Round((double)plan.Assignments.Count(a => a.Label == c && a.Split == split) / total, 4);
            shares[EmotionClasses.Names[c]] = perSplit;
        }
        var manifest = new JsonObject
        {
            ["tool"] = "fer data split",
            ["source"] = new JsonObject
            {
                ["name"] = Path.GetFileName(audit.Data.Root.TrimEnd('/')),
                ["contentKey"] = audit.Data.ContentKey,
                ["images"] = audit.Data.Count + audit.Data.Failures.Count,
            },
            ["preprocessing"] = PreprocessingContract.Version,
            ["seed"] = options.Seed,
            ["ratios"] = new JsonArray(options.Ratios.Select(r => (JsonNode)r).ToArray()),
            ["keepDuplicates"] = options.KeepDuplicates,
            ["nearMethod"] = audit.Options.NearMethod.ToString().ToLowerInvariant(),
            ["nearThreshold"] = audit.Options.NearThreshold,
            ["blankMaxStdDev"] = audit.Options.BlankMaxStdDev,
            ["images"] = plan.Assignments.Count,
            ["counts"] = counts,
            ["shares"] = shares,
            ["setAside"] = new JsonArray(plan.SetAside.Select(s => (JsonNode)new JsonObject
                { ["source"] = s.Source, ["reason"] = s.Reason }).ToArray()),
            ["droppedCopies"] = new JsonArray(plan.DroppedCopies.Select(d => (JsonNode)new JsonObject
                { ["source"] = d.Source, ["keptAs"] = d.KeptAs }).ToArray()),
            ["files"] = new JsonArray(plan.Assignments.Select(a => (JsonNode)new JsonObject
            {
                ["path"] = a.Target, ["source"] = a.Source, ["label"] = EmotionClasses.Names[a.Label],
                ["split"] = a.Split.ToName(), ["group"] = a.Group,
            }).ToArray()),
        };
        // The pixel confirmation of near pairs (since 2026-12-05) is recorded; a manifest without these keys was made by
        // the hash alone, so a split made with --near-confirm none stays byte-identical to those made before.
        if (audit.Options.NearConfirmation == NearDuplicateConfirmation.Correlation)
        {
            manifest["nearConfirmation"] = "correlation";
            manifest["nearMinCorrelation"] = audit.Options.NearMinCorrelation;
        }
        return manifest;
    }

    /// <summary>Indented UTF-8 JSON with a final newline: the exact bytes of manifest.json.</summary>
    // The default encoder, not ReportJson's relaxed one: these bytes are hashed into model cards (dataManifestSha256).
    public static string Serialize(JsonObject manifest) =>
        manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
}
