using FerMlNet.Preprocessing;
using SkiaSharp;

namespace FerMlNet.Core.Reports;

/// <summary>
/// 48×48 grey faces as images: PNG for report thumbnails and the faces written into new dataset trees, and Skia bitmaps
/// for anything that draws or resizes a face.
/// </summary>
public static class GrayImages
{
    /// <summary>PNG bytes of one 48×48 grey image.</summary>
    public static byte[] EncodePng(ReadOnlySpan<byte> pixels)
    {
        using var bitmap = FaceImageDecoder.ToBitmap(pixels);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>A <c>data:</c> URI of the PNG, for self-contained HTML reports.</summary>
    public static string DataUri(ReadOnlySpan<byte> pixels) =>
        "data:image/png;base64," + Convert.ToBase64String(EncodePng(pixels));

    /// <summary>
    /// A contact sheet: rows of 48×48 faces, scaled by <paramref name="scale"/>, with a gap between pairs. Used to
    /// look at sampled near pairs without a browser.
    /// </summary>
    public static byte[] ContactSheetPng(IReadOnlyList<IReadOnlyList<byte[]>> rows, int scale = 2)
    {
        const int size = PreprocessingContract.ImageSize;
        int columns = rows.Count == 0 ? 1 : Math.Max(1, rows.Max(r => r.Count));
        int cell = size * scale + 4;
        using var surface = SKSurface.Create(new SKImageInfo(columns * cell, Math.Max(1, rows.Count) * cell));
        surface.Canvas.Clear(SKColors.White);
        for (int r = 0; r < rows.Count; r++)
            for (int c = 0; c < rows[r].Count; c++)
            {
                using var bitmap = FaceImageDecoder.ToBitmap(rows[r][c]);
                var target = SKRect.Create(c * cell + 2, r * cell + 2, size * scale, size * scale);
                surface.Canvas.DrawBitmap(bitmap, target);
            }
        using var image = surface.Snapshot();
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }
}
