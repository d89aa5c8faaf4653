using FerMlNet.Core.Data;
using FerMlNet.Preprocessing;
using FerMlNet.Core.Reports;

namespace FerMlNet.Cli.Bench;

/// <summary>
/// Builds a dataset k times the size of a real one for the scale benchmark: copy 0 is every original file as it is;
/// copies 1..k−1 are each face decoded through the preprocessing contract and changed the way augmentation would
/// (a flip on odd copies, a shift of up to one pixel, a brightness offset), written as PNG into the same split and
/// class. The replicas are new images, not byte duplicates, so the audit's hashing and pair search do real work.
/// </summary>
internal static class ScaleDataset
{
    /// <summary>Writes the k× tree under <paramref name="target"/>; returns the number of images written.</summary>
    public static int Build(DatasetIndex source, string target, int k)
    {
        int written = 0;
        Parallel.ForEach(source.Entries, entry =>
        {
            var relative = entry.RelativePath;
            var destination = Path.Combine(target, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(entry.FullPath, destination, overwrite: true);
            Interlocked.Increment(ref written);
            byte[] pixels;
            try { pixels = FaceImageDecoder.DecodeFile(entry.FullPath); }
            catch (ImageDecodeException) { return; } // unreadable originals stay single: the tools must report them once per copy 0
            var stem = Path.Combine(Path.GetDirectoryName(destination)!, Path.GetFileNameWithoutExtension(relative));
            for (int copy = 1; copy < k; copy++)
            {
                File.WriteAllBytes($"{stem}_x{copy}.png", GrayImages.EncodePng(Variant(pixels, copy)));
                Interlocked.Increment(ref written);
            }
        });
        return written;
    }

    /// <summary>The copy-th variant of a 48×48 face: flip, shift (dx, dy ∈ {−1, 0, 1}) and brightness ±10.</summary>
    internal static byte[] Variant(byte[] pixels, int copy)
    {
        const int size = PreprocessingContract.ImageSize;
        bool flip = copy % 2 == 1;
        int dx = copy % 3 - 1, dy = copy / 3 % 3 - 1, brightness = copy * 7 % 21 - 10;
        var result = new byte[pixels.Length];
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
            {
                int sx = Math.Clamp((flip ? size - 1 - x : x) - dx, 0, size - 1);
                int sy = Math.Clamp(y - dy, 0, size - 1);
                result[y * size + x] = (byte)Math.Clamp(pixels[sy * size + sx] + brightness, 0, 255);
            }
        return result;
    }
}
