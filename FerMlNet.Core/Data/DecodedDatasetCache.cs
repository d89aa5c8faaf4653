using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using FerMlNet.Preprocessing;
using FerMlNet.Core.Data;
using FerMlNet.Core.IO;

namespace FerMlNet.Core.Data;

/// <summary>
/// Decodes a <see cref="DatasetIndex"/> through the fast path, with a binary cache so the second load is quick.
/// The cache key hashes every file's bytes together with its path, label and split, and the preprocessing
/// <see cref="PreprocessingContract.Version"/>: any change to the data or to the contract gives a new key, so a stale
/// cache can never be read. Cache files live in <c>$FER_CACHE_DIR</c> (default <c>~/.cache/fermlnet</c>); older
/// cache files of the same dataset root are removed when a new one is written.
/// </summary>
public static class DecodedDatasetCache
{
    private static readonly byte[] Magic = "FERDC001"u8.ToArray();

    /// <summary>
    /// Changes when the decoder's accept/reject rules change without changing any decoded pixel (so the contract
    /// version stays): 2 = truncated files are rejected.
    /// </summary>
    private const string DecoderRevision = "decoder-2";

    /// <summary>Default cache folder.</summary>
    public static string DefaultDirectory =>
        Environment.GetEnvironmentVariable("FER_CACHE_DIR") is { Length: > 0 } dir
            ? dir
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "fermlnet");

    /// <summary>
    /// Loads the decoded dataset from the cache when its key matches, else decodes every image (in parallel) and
    /// writes the cache atomically. <paramref name="progress"/> receives (done, total) while decoding.
    /// </summary>
    public static DecodedDataset Load(DatasetIndex index, string? cacheDirectory = null,
        Action<int, int>? progress = null, bool useCache = true)
    {
        var (files, readErrors) = ReadAllFiles(index);
        var key = ComputeKey(index, files);
        // The cache file also depends on how pixels are made; the data's identity (ContentKey) does not.
        var cacheKey = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
            $"{key};{PreprocessingContract.Version};{DecoderRevision}")));
        cacheDirectory ??= DefaultDirectory;
        var rootTag = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(index.Root)))[..12];
        var cachePath = Path.Combine(cacheDirectory, $"{rootTag}-{cacheKey[..32]}.ferdc");
        if (useCache && File.Exists(cachePath) && TryRead(cachePath, cacheKey, key, index.Root) is { } cached)
            return cached;

        var decoded = Decode(index, files, readErrors, key, progress);
        if (useCache)
        {
            try
            {
                AtomicFile.Write(cachePath, s => WriteTo(s, decoded, cacheKey));
                foreach (var old in Directory.GetFiles(cacheDirectory, $"{rootTag}-*.ferdc"))
                    if (old != cachePath) File.Delete(old);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A read-only home must not stop training: the data is decoded, only the next load is slower.
                Console.Error.WriteLine($"warning: could not write the decode cache '{cachePath}': {e.Message}");
            }
        }
        return decoded;
    }

    /// <summary>Every entry's bytes through <see cref="InputFile"/>, or (null and) the reason it could not be read.</summary>
    private static (byte[]?[] Files, string?[] Errors) ReadAllFiles(DatasetIndex index)
    {
        var files = new byte[]?[index.Entries.Count];
        var errors = new string?[files.Length];
        Parallel.For(0, files.Length, i =>
        {
            try { files[i] = InputFile.ReadAllBytes(index.Entries[i].FullPath); }
            catch (InputFileException e) { errors[i] = e.Message; }
        });
        return (files, errors);
    }

    internal static string ComputeKey(DatasetIndex index, byte[]?[] files)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> header = stackalloc byte[10];
        for (int i = 0; i < files.Length; i++)
        {
            var e = index.Entries[i];
            hash.AppendData(Encoding.UTF8.GetBytes(e.RelativePath));
            header[0] = (byte)e.Label;
            header[1] = (byte)e.Split;
            BinaryPrimitives.WriteInt64LittleEndian(header[2..], files[i]?.LongLength ?? -1);
            hash.AppendData(header);
            if (files[i] is { } bytes) hash.AppendData(bytes);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static DecodedDataset Decode(DatasetIndex index, byte[]?[] files, string?[] readErrors, string key, Action<int, int>? progress)
    {
        int n = files.Length;
        var pixels = new byte[n][];
        var errors = new string?[n];
        int done = 0;
        Parallel.For(0, n, i =>
        {
            try
            {
                pixels[i] = files[i] is { } bytes
                    ? FaceImageDecoder.Decode(bytes)
                    : throw new ImageDecodeException(readErrors[i] ?? "cannot read the file");
            }
            catch (ImageDecodeException e) { errors[i] = e.Reason; }
            int d = Interlocked.Increment(ref done);
            if (progress is not null && (d % 256 == 0 || d == n)) progress(d, n);
        });

        var ok = Enumerable.Range(0, n).Where(i => errors[i] is null).ToArray();
        var block = new byte[ok.Length * PreprocessingContract.PixelCount];
        for (int j = 0; j < ok.Length; j++)
            pixels[ok[j]].CopyTo(block, j * PreprocessingContract.PixelCount);
        var failures = Enumerable.Range(0, n).Where(i => errors[i] is not null)
            .Select(i => new DatasetNotice(index.Entries[i].RelativePath, errors[i]!)).ToList();
        return new DecodedDataset(index.Root, block,
            ok.Select(i => index.Entries[i].Label).ToArray(),
            ok.Select(i => index.Entries[i].Split).ToArray(),
            ok.Select(i => index.Entries[i].RelativePath).ToArray(), failures, key);
    }

    private static void WriteTo(Stream stream, DecodedDataset d, string cacheKey)
    {
        using var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        w.Write(Magic);
        w.Write(cacheKey);
        w.Write(d.Count);
        for (int i = 0; i < d.Count; i++)
        {
            w.Write(d.RelativePaths[i]);
            w.Write((byte)d.Labels[i]);
            w.Write((byte)d.Splits[i]);
        }
        w.Write(d.Failures.Count);
        foreach (var f in d.Failures) { w.Write(f.Path); w.Write(f.Reason); }
        w.Write(d.Pixels);
    }

    private static DecodedDataset? TryRead(string path, string cacheKey, string key, string root)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
            using var r = new BinaryReader(stream, Encoding.UTF8);
            if (!r.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic) || r.ReadString() != cacheKey) return null;
            int n = r.ReadInt32();
            var paths = new string[n];
            var labels = new int[n];
            var splits = new DatasetSplit[n];
            for (int i = 0; i < n; i++)
            {
                paths[i] = r.ReadString();
                labels[i] = r.ReadByte();
                splits[i] = (DatasetSplit)r.ReadByte();
            }
            int nf = r.ReadInt32();
            var failures = new List<DatasetNotice>(nf);
            for (int i = 0; i < nf; i++) failures.Add(new DatasetNotice(r.ReadString(), r.ReadString()));
            var pixels = r.ReadBytes(n * PreprocessingContract.PixelCount);
            if (pixels.Length != n * PreprocessingContract.PixelCount) return null; // truncated: decode again
            return new DecodedDataset(root, pixels, labels, splits, paths, failures, key);
        }
        catch (Exception e) when (e is IOException or EndOfStreamException or FormatException)
        {
            return null;
        }
    }
}
