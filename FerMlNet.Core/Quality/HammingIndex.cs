namespace FerMlNet.Core.Quality;

/// <summary>
/// Finds every pair of 64-bit hashes within a Hamming distance by multi-index hashing (Norouzi et al., 2012): the
/// hash is cut into four 16-bit blocks, and by the pigeonhole principle two hashes within distance t agree to within
/// ⌊t/4⌋ bits on at least one block. Each hash therefore only meets the hashes in the buckets of its blocks'
/// small Hamming balls, not all n — n·k work instead of n², where k is the bucket traffic (tiny for 20k hashes in
/// 65,536 buckets; for 1M it stays a few thousand comparisons per hash and runs in parallel).
/// </summary>
public static class HammingIndex
{
    private const int Blocks = 4;
    private const int BlockBits = 16;

    /// <summary>
    /// Every pair (i, j), i &lt; j, with Distance(hashes[i], hashes[j]) ≤ <paramref name="maxDistance"/>, each once,
    /// ordered by i then j.
    /// </summary>
    public static List<(int I, int J, int Distance)> NearPairs(IReadOnlyList<ulong> hashes, int maxDistance)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxDistance);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxDistance, 15);
        int radius = maxDistance / Blocks;
        var neighbourMasks = MasksWithin(radius);
        var buckets = BuildBuckets(hashes);

        var perItem = new List<(int, int, int)>[hashes.Count];
        Parallel.For(0, hashes.Count, i =>
        {
            var found = new List<(int, int, int)>();
            var seen = new HashSet<int>();
            ulong h = hashes[i];
            for (int b = 0; b < Blocks; b++)
            {
                int key = Block(h, b);
                foreach (var mask in neighbourMasks)
                {
                    if (!buckets[b].TryGetValue(key ^ mask, out var members)) continue;
                    foreach (int j in members)
                    {
                        if (j <= i || !seen.Add(j)) continue;
                        int d = PerceptualHash.Distance(h, hashes[j]);
                        if (d <= maxDistance) found.Add((i, j, d));
                    }
                }
            }
            found.Sort((x, y) => x.Item2.CompareTo(y.Item2));
            perItem[i] = found;
        });
        return perItem.SelectMany(p => p).ToList();
    }

    private static int Block(ulong hash, int block) => (int)((hash >> (block * BlockBits)) & 0xFFFF);

    private static Dictionary<int, List<int>>[] BuildBuckets(IReadOnlyList<ulong> hashes)
    {
        var buckets = new Dictionary<int, List<int>>[Blocks];
        for (int b = 0; b < Blocks; b++)
        {
            buckets[b] = new Dictionary<int, List<int>>();
            for (int i = 0; i < hashes.Count; i++)
            {
                int key = Block(hashes[i], b);
                if (!buckets[b].TryGetValue(key, out var list)) buckets[b][key] = list = [];
                list.Add(i);
            }
        }
        return buckets;
    }

    /// <summary>All 16-bit masks with at most <paramref name="radius"/> bits set.</summary>
    private static List<int> MasksWithin(int radius) =>
        Enumerable.Range(0, 1 << BlockBits)
            .Where(m => System.Numerics.BitOperations.PopCount((uint)m) <= radius).ToList();
}
