using System.Security.Cryptography;
using FerMlNet.Core.Data;
using FerMlNet.Preprocessing;

namespace FerMlNet.Core.Quality;

/// <summary>
/// The data-quality audit: exact duplicates (identical decoded pixels), near duplicates (perceptual hash within a
/// Hamming threshold, confirmed by pixel correlation), cross-split leakage, conflicting labels, blank images. Linear in the number of images apart from
/// the near-pair search (see <see cref="HammingIndex"/>).
/// </summary>
public static class DatasetAudit
{
    /// <summary>Audits a decoded dataset.</summary>
    public static AuditResult Run(DecodedDataset data, AuditOptions? options = null)
    {
        options ??= new AuditOptions();
        int n = data.Count;

        var exactGroups = ExactGroups(data);
        var representative = Enumerable.Range(0, n).ToArray();
        foreach (var g in exactGroups)
            foreach (int i in g) representative[i] = g[0];
        var uniques = Enumerable.Range(0, n).Where(i => representative[i] == i).ToArray();

        var hashes = new ulong[uniques.Length];
        Parallel.For(0, uniques.Length, k => hashes[k] = Hash(data.ImagePixels(uniques[k]), options.NearMethod));
        var candidates = HammingIndex.NearPairs(hashes, options.NearThreshold).ToList();
        var correlations = new double[candidates.Count];
        Parallel.For(0, candidates.Count, k => correlations[k] =
            PixelCorrelation.Best(data.ImagePixels(uniques[candidates[k].I]), data.ImagePixels(uniques[candidates[k].J])));
        var hashPairs = candidates.Select((p, k) => new NearPair(uniques[p.I], uniques[p.J], p.Distance, correlations[k])).ToList();
        // Only confirmed pairs make groups: the hash finds candidates, the pixels decide (see AuditOptions.NearConfirmation).
        var nearPairs = hashPairs.Where(options.Confirms).ToList();

        // Near groups are made of distinct pictures; each member brings its exact copies along.
        var nearSets = new UnionFind(n);
        foreach (var p in nearPairs) nearSets.Union(p.First, p.Second);
        var copies = exactGroups.ToDictionary(g => g[0], g => g);
        var nearGroups = nearSets.Groups()
            .Select(g => g.SelectMany(r => copies.GetValueOrDefault(r, [r])).Order().ToArray()).ToList();

        var all = new UnionFind(n);
        foreach (var g in exactGroups.Concat(nearGroups))
            foreach (int i in g[1..]) all.Union(g[0], i);

        var stdDev = new double[n];
        Parallel.For(0, n, i => stdDev[i] = StdDev(data.ImagePixels(i)));
        var blank = Enumerable.Range(0, n).Where(i => stdDev[i] <= options.BlankMaxStdDev).ToArray();

        return new AuditResult(data, options, exactGroups, nearGroups, nearPairs, hashPairs, all.Groups(), blank, stdDev);
    }

    /// <summary>The hash <paramref name="method"/> of one 48×48 image.</summary>
    public static ulong Hash(ReadOnlySpan<byte> pixels, NearDuplicateMethod method) => method switch
    {
        NearDuplicateMethod.DHash => PerceptualHash.DHash(pixels),
        _ => PerceptualHash.PHash(pixels),
    };

    private static List<int[]> ExactGroups(DecodedDataset data)
    {
        var digests = new string[data.Count];
        Parallel.For(0, data.Count, i => digests[i] = Convert.ToHexString(SHA256.HashData(data.ImagePixels(i))));
        var groups = new List<int[]>();
        foreach (var g in Enumerable.Range(0, data.Count).GroupBy(i => digests[i]).Where(g => g.Count() > 1))
        {
            var members = g.Order().ToArray();
            // A digest match is confirmed byte by byte: "exact" must mean identical pixels, not a hash claim.
            if (members.All(i => data.ImagePixels(i).SequenceEqual(data.ImagePixels(members[0]))))
                groups.Add(members);
        }
        return groups.OrderBy(g => g[0]).ToList();
    }

    private static double StdDev(ReadOnlySpan<byte> pixels)
    {
        double sum = 0, sumSq = 0;
        foreach (byte p in pixels) { sum += p; sumSq += p * p; }
        double mean = sum / pixels.Length;
        return Math.Sqrt(Math.Max(0, sumSq / pixels.Length - mean * mean));
    }
}

/// <summary>
/// Two distinct pictures whose perceptual hashes differ in <paramref name="Distance"/> bits, and the best pixel
/// correlation of the two (<see cref="PixelCorrelation.Best"/>).
/// </summary>
public sealed record NearPair(int First, int Second, int Distance, double Correlation);
