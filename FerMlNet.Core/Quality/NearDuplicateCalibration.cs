using FerMlNet.Core.Data;
using System.Text.Json.Nodes;
using FerMlNet.Preprocessing;
using FerMlNet.Core.Reports;

namespace FerMlNet.Core.Quality;

/// <summary>
/// Helps choose the near-duplicate threshold on a given dataset: counts distinct-picture pairs at each Hamming
/// distance and draws a seeded sample of pairs per distance on a contact sheet (one row per distance, pairs side by
/// side) for a person to judge "same face or not".
/// </summary>
public static class NearDuplicateCalibration
{
    /// <summary>Writes near-calibration.json and near-calibration-&lt;method&gt;.png into <paramref name="outDir"/>.</summary>
    public static JsonObject Write(DecodedDataset data, NearDuplicateMethod method, string outDir,
        int maxDistance = 12, int pairsPerDistance = 10, int seed = 42)
    {
        var audit = DatasetAudit.Run(data, new AuditOptions { NearMethod = method, NearThreshold = maxDistance, NearConfirmation = NearDuplicateConfirmation.None });
        var random = new Random(seed);
        var rows = new List<IReadOnlyList<byte[]>>();
        var perDistance = new JsonArray();
        for (int d = 0; d <= maxDistance; d++)
        {
            var atD = audit.NearPairs.Where(p => p.Distance == d).ToList();
            var sample = atD.OrderBy(_ => random.Next()).Take(pairsPerDistance).ToList();
            rows.Add(sample.SelectMany(p => new[] { data.ImagePixels(p.First).ToArray(), data.ImagePixels(p.Second).ToArray() }).ToList());
            perDistance.Add(new JsonObject
            {
                ["distance"] = d,
                ["pairs"] = atD.Count,
                ["sample"] = new JsonArray(sample.Select(p => (JsonNode)new JsonArray(
                    data.RelativePaths[p.First], data.RelativePaths[p.Second])).ToArray()),
            });
        }
        var name = method.ToString().ToLowerInvariant();
        IO.AtomicFile.WriteAllBytes(Path.Combine(outDir, $"near-calibration-{name}.png"), GrayImages.ContactSheetPng(rows));
        var json = new JsonObject { ["method"] = name, ["seed"] = seed, ["perDistance"] = perDistance };
        IO.AtomicFile.WriteAllText(Path.Combine(outDir, $"near-calibration-{name}.json"), json.ToJsonString(IO.ReportJson.Indented));
        return json;
    }
}
