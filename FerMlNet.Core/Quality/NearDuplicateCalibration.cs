using FerMlNet.Core.Data;
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
    public static NearCalibrationFile Write(DecodedDataset data, NearDuplicateMethod method, string outDir,
        int maxDistance = 12, int pairsPerDistance = 10, int seed = 42)
    {
        var audit = DatasetAudit.Run(data, new AuditOptions { NearMethod = method, NearThreshold = maxDistance, NearConfirmation = NearDuplicateConfirmation.None });
        var random = new Random(seed);
        var rows = new List<IReadOnlyList<byte[]>>();
        var perDistance = new List<DistanceSample>();
        for (int d = 0; d <= maxDistance; d++)
        {
            var atD = audit.NearPairs.Where(p => p.Distance == d).ToList();
            var sample = atD.OrderBy(_ => random.Next()).Take(pairsPerDistance).ToList();
            rows.Add(sample.SelectMany(p => new[] { data.ImagePixels(p.First).ToArray(), data.ImagePixels(p.Second).ToArray() }).ToList());
            perDistance.Add(new DistanceSample(d, atD.Count,
                [.. sample.Select(p => (IReadOnlyList<string>)[data.RelativePaths[p.First], data.RelativePaths[p.Second]])]));
        }
        var name = method.ToString().ToLowerInvariant();
        IO.AtomicFile.WriteAllBytes(Path.Combine(outDir, $"near-calibration-{name}.png"), GrayImages.ContactSheetPng(rows));
        var file = new NearCalibrationFile(name, seed, perDistance);
        IO.AtomicFile.WriteAllText(Path.Combine(outDir, $"near-calibration-{name}.json"),
            System.Text.Json.JsonSerializer.Serialize(file, IO.ReportJson.IndentedCamelCase));
        return file;
    }
}

/// <summary>near-calibration-METHOD.json of <c>fer data audit --calibrate</c>.</summary>
/// <param name="Method">The perceptual hash ("phash" or "dhash").</param>
/// <param name="Seed">The seed of the drawn samples.</param>
/// <param name="PerDistance">Per Hamming distance from 0: its pairs and the sample drawn on the contact sheet.</param>
public sealed record NearCalibrationFile(string Method, int Seed, IReadOnlyList<DistanceSample> PerDistance);

/// <summary>The pairs at one Hamming distance.</summary>
/// <param name="Distance">The distance.</param>
/// <param name="Pairs">Distinct-picture pairs at it.</param>
/// <param name="Sample">The pairs drawn (relative paths), one row of the contact sheet.</param>
public sealed record DistanceSample(int Distance, int Pairs, IReadOnlyList<IReadOnlyList<string>> Sample);
