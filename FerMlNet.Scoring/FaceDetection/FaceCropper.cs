using FerMlNet.Preprocessing;
using SkiaSharp;

namespace FerMlNet.Scoring.FaceDetection;

/// <summary>Options of <see cref="FaceCropper"/>.</summary>
public sealed class FaceCropOptions
{
    /// <summary>
    /// Extra room around the detector's box, as a fraction of its larger side added on each side. Default: 0 — measured
    /// with `fer data framing datasets/fer4-mit`: YuNet's box on the training faces is as wide as the face itself
    /// (median 100.6% of the side over 1,875 detected faces), so a square of exactly the box frames a photo face as
    /// FER-2013 frames its faces. (Until 2026-11-29 it was 0.1, a guess that made photo faces 20% smaller than training faces.)
    /// </summary>
    public float Margin { get; set; }

    /// <summary>
    /// Moves the crop's centre below the box centre by this fraction of the box's larger side (negative: above).
    /// Default: 0.
    /// </summary>
    public float VerticalShift { get; set; }

    /// <summary>
    /// Unsharp masking of the finished 48×48 crop (<see cref="GrayBlur.Detail"/>: positive sharpens, negative
    /// softens), so faces resampled from photos have the training faces' fine detail. Default: 0 (none).
    /// </summary>
    public float Detail { get; set; }

    /// <summary>Rotate so the eyes are level (from the detector's landmarks). Default: true.</summary>
    public bool AlignEyes { get; set; } = true;

    /// <summary>The settings as one line for reports: "margin 0, vertical shift 0, detail 0, eye-aligned".</summary>
    public override string ToString() => FormattableString.Invariant(
        $"margin {Margin}, vertical shift {VerticalShift}, detail {Detail}, {(AlignEyes ? "eye-aligned" : "not rotated")}");
}

/// <summary>
/// Cuts a detected face out of a photo as a square around the box (with margin, optionally eye-aligned), then applies
/// the one preprocessing contract (resize, gray) so the crop is exactly what training saw.
/// </summary>
internal static class FaceCropper
{
    /// <summary>The square crop as a bitmap of at most 192×192 (enough for a 48×48 result, cheap to draw).</summary>
    public static SKBitmap CropBitmap(SKBitmap photo, DetectedFace face, FaceCropOptions? options = null)
    {
        options ??= new FaceCropOptions();
        // The square stays inside the photo where it can (shifted, or shrunk to the photo's shorter side): a
        // border of padding would be a feature no training face has. What rotation still uncovers repeats the edge.
        float boxSide = Math.Max(face.Width, face.Height);
        float side = Math.Min(boxSide * (1 + 2 * options.Margin), Math.Min(photo.Width, photo.Height));
        float cx = Math.Clamp(face.X + face.Width / 2, side / 2, photo.Width - side / 2);
        float cy = Math.Clamp(face.Y + face.Height / 2 + options.VerticalShift * boxSide, side / 2, photo.Height - side / 2);
        float angle = 0;
        if (options.AlignEyes && face.Landmarks.Length >= 2)
        {
            var (rx, ry) = face.Landmarks[0];
            var (lx, ly) = face.Landmarks[1];
            angle = MathF.Atan2(ly - ry, lx - rx) * 180 / MathF.PI;
        }
        int target = (int)Math.Clamp(MathF.Round(side), PreprocessingContract.ImageSize, 192);
        var crop = new SKBitmap(new SKImageInfo(target, target, SKColorType.Bgra8888, SKAlphaType.Premul));
        using var canvas = new SKCanvas(crop);
        canvas.Translate(target / 2f, target / 2f);
        canvas.Scale(target / side);
        canvas.RotateDegrees(-angle);
        canvas.Translate(-cx, -cy);
        using var shader = SKShader.CreateBitmap(photo, SKShaderTileMode.Clamp, SKShaderTileMode.Clamp);
        using var paint = new SKPaint { FilterQuality = SKFilterQuality.High, IsAntialias = true, Shader = shader };
        canvas.DrawRect(-photo.Width, -photo.Height, 3f * photo.Width, 3f * photo.Height, paint);
        canvas.Flush();
        return crop;
    }

    /// <summary>The face as 48×48 grey bytes through the preprocessing contract.</summary>
    public static byte[] Crop(SKBitmap photo, DetectedFace face, FaceCropOptions? options = null)
    {
        using var crop = CropBitmap(photo, face, options);
        var pixels = FaceImageDecoder.FromBitmap(crop);
        float detail = (options ?? new FaceCropOptions()).Detail;
        return detail != 0 ? GrayBlur.Detail(pixels, detail) : pixels;
    }
}
