using FerMlNet.Core.Data;
using FerMlNet.Core.IO;
using FerMlNet.Preprocessing;

namespace FerMlNet.Core.Quality;

/// <summary>
/// Applies a reviewed decisions file to a dataset, into a new tree: kept images are copied to the same relative path,
/// relabelled ones into the new class's folder, removed ones left out. The source is only read. The manifest records
/// the source's content key and the decisions file's SHA-256, so the same inputs give a byte-identical manifest.
/// </summary>
public static class Relabeler
{
    /// <summary>Checks every decision against the dataset, then writes the new tree; returns the manifest.</summary>
    /// <exception cref="InvalidDataException">A decision names an image that is not in the dataset (nothing is written).</exception>
    public static RelabelManifest Apply(DatasetIndex index, string decisionsFile, string newRoot)
    {
        var decisions = RelabelDecisions.Read(decisionsFile);
        var entries = index.Entries.ToDictionary(e => e.RelativePath, StringComparer.Ordinal);
        foreach (var d in decisions)
            if (!entries.ContainsKey(d.Path))
                throw new InvalidDataException($"'{decisionsFile}' line {d.Line}: '{d.Path}' is not an image of '{index.Root}'.");
        var byPath = decisions.ToDictionary(d => d.Path, StringComparer.Ordinal);

        var files = index.Entries.Select(e => InputFile.ReadAllBytes(e.FullPath)).ToArray();
        var contentKey = DecodedDatasetCache.ComputeKey(index, files!);
        var tree = NewDatasetTree.Begin(newRoot);
        var changes = new List<RelabelChange>();
        var counts = new Dictionary<(DatasetSplit, int), int>();
        // Paths that keep their place are reserved first, so a relabelled file can never take one.
        var used = index.Entries.Where(e => byPath.GetValueOrDefault(e.RelativePath) is not { } d
                || d.Action == RelabelAction.Keep || (d.Action == RelabelAction.Relabel && d.NewLabel == e.Label))
            .Select(e => e.RelativePath).ToHashSet(StringComparer.Ordinal);
        for (int i = 0; i < index.Entries.Count; i++)
        {
            var e = index.Entries[i];
            var decision = byPath.GetValueOrDefault(e.RelativePath);
            if (decision?.Action == RelabelAction.Remove)
            {
                changes.Add(new RelabelChange(e.RelativePath, RelabelAction.Remove, EmotionClasses.Names[e.Label]));
                continue;
            }
            int label = decision?.Action == RelabelAction.Relabel ? decision.NewLabel : e.Label;
            var target = label == e.Label ? e.RelativePath : WithClassFolder(e.RelativePath, label, used);
            tree.WriteFile(target, files[i]);
            counts[(e.Split, label)] = counts.GetValueOrDefault((e.Split, label)) + 1;
            if (label != e.Label)
                changes.Add(new RelabelChange(e.RelativePath, RelabelAction.Relabel, EmotionClasses.Names[e.Label], EmotionClasses.Names[label], target));
        }
        var manifest = new RelabelManifest(RelabelManifest.RelabelTool,
            new SplitSource(Path.GetFileName(index.Root.TrimEnd('/')), contentKey, index.Entries.Count),
            FileHash.Sha256(decisionsFile),
            new DecisionCounts(decisions.Count(d => d.Action == RelabelAction.Keep), decisions.Count(d => d.Action == RelabelAction.Relabel),
                decisions.Count(d => d.Action == RelabelAction.Remove)),
            counts.Values.Sum(),
            counts.Keys.Select(k => k.Item1).Distinct().Order().ToDictionary(split => split.ToName(), split =>
                ClassMap.Of(c => counts.GetValueOrDefault((split, c)))),
            changes);
        tree.WriteFile("manifest.json", System.Text.Encoding.UTF8.GetBytes(SplitManifest.SerializeManifest(manifest)));
        tree.Commit();
        return manifest;
    }

    /// <summary>The same path with the class folder (the file's parent) replaced; a numeric suffix avoids clashes.</summary>
    private static string WithClassFolder(string relativePath, int label, HashSet<string> used)
    {
        var parts = relativePath.Split('/');
        var folder = string.Join('/', parts[..^2].Append(EmotionClasses.Names[label]));
        var name = Path.GetFileNameWithoutExtension(parts[^1]);
        var ext = Path.GetExtension(parts[^1]);
        var target = $"{folder}/{name}{ext}";
        for (int k = 2; !used.Add(target); k++) target = $"{folder}/{name}-{k}{ext}";
        return target;
    }
}
