using FerMlNet.Preprocessing;
using SkiaSharp;

namespace FerMlNet.Scoring.FaceDetection;

/// <summary>
/// Where the detector's box sits inside the training faces, and so how photos must be cropped to look like them.
/// Every 48×48 face is enlarged 3× onto a mid-grey canvas twice its size (YuNet does not find faces that fill the
/// frame) and detected; the box is then expressed in the face's own coordinates.
/// </summary>
/// <param name="Faces">Faces measured.</param>
/// <param name="Detected">Faces in which the detector found a face; the statistics are over these.</param>
/// <param name="BoxSide">Median of the box's larger side as a fraction of the face side.</param>
/// <param name="CentreX">Median box centre, horizontally, in 0..1 of the face.</param>
/// <param name="CentreY">Median box centre, vertically, in 0..1 of the face.</param>
/// <param name="BoxSideP10">10th percentile of <paramref name="BoxSide"/>'s samples.</param>
/// <param name="BoxSideP90">90th percentile of <paramref name="BoxSide"/>'s samples.</param>
internal sealed record FaceFraming(int Faces, int Detected, double BoxSide, double CentreX, double CentreY, double BoxSideP10, double BoxSideP90)
{
    private const int Enlarge = 3;
    private const int FaceSide = PreprocessingContract.ImageSize * Enlarge;
    private const int CanvasSide = 2 * FaceSide;

    /// <summary>Where the enlarged face starts on the canvas (both axes), in canvas pixels.</summary>
    internal const float FaceOffset = (CanvasSide - FaceSide) / 2f;

    /// <summary>
    /// The <see cref="FaceCropOptions.Margin"/> whose square crop (larger box side × (1 + 2·margin)) is as wide as
    /// a training face: (1 / <see cref="BoxSide"/> − 1) / 2.
    /// </summary>
    public double ImpliedMargin => (1 / BoxSide - 1) / 2;

    /// <summary>
    /// The <see cref="FaceCropOptions.VerticalShift"/> that puts the box where training faces have it: how far the
    /// crop's centre lies below the box centre, as a fraction of the box side ((0.5 − <see cref="CentreY"/>) /
    /// <see cref="BoxSide"/>; negative: above).
    /// </summary>
    public double ImpliedVerticalShift => (0.5 - CentreY) / BoxSide;

    /// <summary>Detects every face and returns the medians (box side as a fraction of the face side, centre in 0..1).</summary>
    public static FaceFraming Measure(IEnumerable<byte[]> faces, YuNetFaceDetector detector)
    {
        var sides = new List<double>();
        var xs = new List<double>();
        var ys = new List<double>();
        int total = 0;
        foreach (var pixels in faces)
        {
            total++;
            using var canvas = OnCanvas(pixels);
            var box = detector.Detect(canvas, CanvasSide).MaxBy(f => f.Score);
            if (box is null) continue;
            sides.Add(Math.Max(box.Width, box.Height) / FaceSide);
            xs.Add((box.X + box.Width / 2 - FaceOffset) / FaceSide);
            ys.Add((box.Y + box.Height / 2 - FaceOffset) / FaceSide);
        }
        if (sides.Count == 0) return new FaceFraming(total, 0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);
        sides.Sort();
        return new FaceFraming(total, sides.Count, Medians.Of(sides), Medians.Of(xs), Medians.Of(ys),
            sides[(int)(0.1 * (sides.Count - 1))], sides[(int)(0.9 * (sides.Count - 1))]);
    }

    /// <summary>The face enlarged 3× in the middle of a mid-grey canvas twice its size; the face starts at <see cref="FaceOffset"/>.</summary>
    internal static SKBitmap OnCanvas(byte[] pixels)
    {
        using var face = FaceImageDecoder.ToBitmap(pixels);
        var canvasBitmap = new SKBitmap(new SKImageInfo(CanvasSide, CanvasSide, SKColorType.Bgra8888, SKAlphaType.Premul));
        using var canvas = new SKCanvas(canvasBitmap);
        canvas.Clear(new SKColor(128, 128, 128));
        using var paint = new SKPaint { FilterQuality = SKFilterQuality.High };
        canvas.DrawBitmap(face, new SKRect(FaceOffset, FaceOffset, FaceOffset + FaceSide, FaceOffset + FaceSide), paint);
        canvas.Flush();
        return canvasBitmap;
    }
}
