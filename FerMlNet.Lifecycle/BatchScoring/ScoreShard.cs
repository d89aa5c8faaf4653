using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace FerMlNet.Lifecycle.BatchScoring;

/// <summary>
/// One of <see cref="Count"/> disjoint parts of a score job's input (<c>fer score --shard I/N</c>), for running the
/// job as N independent workers (a Kubernetes indexed job, a Slurm array, N machines). An input file belongs to the
/// shard its relative path hashes to, so the split is deterministic, needs no coordination and does not move files
/// between shards when others are added; every file is in exactly one shard, and <c>fer score --merge</c> checks it.
/// </summary>
/// <param name="Index">This shard, 0 … Count − 1 (a Kubernetes completion index as it comes).</param>
/// <param name="Count">How many shards the input is cut into.</param>
public readonly record struct ScoreShard(int Index, int Count)
{
    /// <summary>Parses "I/N" (0 ≤ I &lt; N).</summary>
    /// <exception cref="FormatException">Not of that form; the message says what is expected.</exception>
    public static ScoreShard Parse(string text)
    {
        var parts = text.Split('/');
        if (parts.Length == 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int index)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int count) && count >= 1 && index < count)
            return new ScoreShard(index, count);
        throw new FormatException($"'{text}' is not a shard: give I/N with N ≥ 1 and 0 ≤ I < N (e.g. 0/4 … 3/4).");
    }

    /// <summary>The shard a relative input path belongs to when the input is cut into <paramref name="count"/>.</summary>
    public static int Of(string relativePath, int count)
    {
        // SHA-256, not string.GetHashCode: the same on every machine, runtime and process.
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(relativePath.Replace('\\', '/')), hash);
        return (int)(BinaryPrimitives.ReadUInt64LittleEndian(hash) % (ulong)count);
    }

    /// <summary>Whether the input file at <paramref name="relativePath"/> is this shard's.</summary>
    public bool Contains(string relativePath) => Of(relativePath, Count) == Index;

    /// <inheritdoc/>
    public override string ToString() => $"{Index}/{Count}";
}
