using SkiaSharp;

namespace FerMlNet.Cli.Bench;

/// <summary>
/// Camera-like test frames made from dataset faces: each 48×48 face is scaled up (bicubic) and placed on a plain
/// mid-grey background at its own position, the way a webcam frame holds a face. Used by the serve benchmark and the
/// browser test's fake webcam; the face detector finds faces drawn this way (tested).
/// </summary>
public static class FaceFrames
{
    /// <summary>Background grey level: mid-grey, so the face edge is visible to the detector.</summary>
    public const byte Background = 110;

    /// <summary>A frame of <paramref name="width"/>×<paramref name="height"/> with each face at its box (left, top, side).</summary>
    public static SKBitmap Compose(int width, int height, IReadOnlyList<(SKBitmap Face, int Left, int Top, int Side)> faces)
    {
        var frame = new SKBitmap(width, height, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var canvas = new SKCanvas(frame);
        canvas.Clear(new SKColor(Background, Background, Background));
        using var paint = new SKPaint { FilterQuality = SKFilterQuality.High, IsAntialias = true };
        foreach (var (face, left, top, side) in faces)
            canvas.DrawBitmap(face, new SKRect(left, top, left + side, top + side), paint);
        return frame;
    }

    /// <summary>One face centred in a 640×480 frame at 220 px, the size of a face a webcam sees at arm's length.</summary>
    public static SKBitmap Centred(SKBitmap face, int width = 640, int height = 480, int side = 220) =>
        Compose(width, height, [(face, (width - side) / 2, (height - side) / 2, side)]);

    /// <summary>Encodes a frame as JPEG (quality 85, like a browser's canvas.toBlob).</summary>
    public static byte[] Jpeg(SKBitmap frame, int quality = 85)
    {
        using var data = frame.Encode(SKEncodedImageFormat.Jpeg, quality);
        return data.ToArray();
    }
}
