using FerMlNet.Core.Data;

namespace FerMlNet.Core.Data;

/// <summary>
/// A dataset decoded through the preprocessing contract and kept as one contiguous uint8 block (N × 2,304 bytes):
/// 4× smaller than floats, and what training turns into batches. Images that could not be decoded are listed in
/// <see cref="Failures"/> and are not in the block.
/// </summary>
public sealed class DecodedDataset
{
    internal DecodedDataset(string root, byte[] pixels, int[] labels, DatasetSplit[] splits, string[] paths,
        IReadOnlyList<DatasetNotice> failures, string contentKey)
    {
        Root = root;
        Pixels = pixels;
        Labels = labels;
        Splits = splits;
        RelativePaths = paths;
        Failures = failures;
        ContentKey = contentKey;
    }

    /// <summary>Dataset root the images were read from.</summary>
    public string Root { get; }

    /// <summary>Grey pixels, image after image, each 48×48 row-major, 0-255.</summary>
    public byte[] Pixels { get; }

    /// <summary>Class index of each image.</summary>
    public int[] Labels { get; }

    /// <summary>Split of each image.</summary>
    public DatasetSplit[] Splits { get; }

    /// <summary>Path of each image relative to <see cref="Root"/>.</summary>
    public string[] RelativePaths { get; }

    /// <summary>Images that could not be decoded, each with its reason.</summary>
    public IReadOnlyList<DatasetNotice> Failures { get; }

    /// <summary>
    /// Identity of the source data: SHA-256 over every file's relative path, label, split and bytes (not the preprocessing
    /// version, so it names the same data across FerMlNet versions; manifests and runs record it).
    /// </summary>
    public string ContentKey { get; }

    /// <summary>Number of decoded images.</summary>
    public int Count => Labels.Length;

    /// <summary>The 2,304 bytes of image <paramref name="index"/>.</summary>
    public ReadOnlySpan<byte> ImagePixels(int index) =>
        Pixels.AsSpan(index * PreprocessingContract.PixelCount, PreprocessingContract.PixelCount);

    /// <summary>Indices of the images of one split, in dataset order.</summary>
    public int[] IndicesOf(DatasetSplit split) =>
        Enumerable.Range(0, Count).Where(i => Splits[i] == split).ToArray();
}
