using FerMlNet.Preprocessing;
using SkiaSharp;

namespace FerMlNet.Scoring.FaceDetection;

/// <summary>A face ready for the classifier: where it was (null when the whole image was used) and its 48×48 pixels.</summary>
public sealed record FaceCrop(DetectedFace? Face, byte[] Pixels);

/// <summary>
/// The photo path shared by scoring, import, evaluation and the web app: small images are already face crops and
/// are used whole; larger photos go through the detector, and each face is cropped and preprocessed. Without a
/// detector, the whole image is centre-cropped by the contract (the documented fallback).
/// </summary>
internal static class PhotoFaces
{
    /// <summary>
    /// Images whose longer side is at most this are taken as face crops and never sent to the detector: it does
    /// not find faces that fill a 48×48 frame reliably (models/face-detection-yunet/README.md). Default: 64.
    /// </summary>
    public const int WholeImageMaxSide = 64;

    /// <summary>
    /// Every face of the photo, largest first; empty when a detector ran and found none. <paramref name="detectorSide"/>
    /// overrides the detector's input size for this photo (see <see cref="YuNetFaceDetector.Detect"/>).
    /// </summary>
    public static IReadOnlyList<FaceCrop> Extract(SKBitmap photo, YuNetFaceDetector? detector, FaceCropOptions? crop = null,
        int? detectorSide = null)
    {
        if (detector is null || Math.Max(photo.Width, photo.Height) <= WholeImageMaxSide)
            return [new FaceCrop(null, FaceImageDecoder.FromBitmap(photo))];
        return detector.Detect(photo, detectorSide).OrderByDescending(f => f.Area)
            .Select(f => new FaceCrop(f, FaceCropper.Crop(photo, f, crop))).ToList();
    }

    /// <summary>
    /// Reads and decodes a photo file and extracts its faces; an unreadable or undecodable file gives no crops and
    /// the reason instead of an exception, so batch jobs record it and go on.
    /// </summary>
    public static (IReadOnlyList<FaceCrop> Crops, string? Error) FromFile(string path, YuNetFaceDetector? detector, FaceCropOptions? crop = null)
    {
        try
        {
            using var photo = FaceImageDecoder.DecodeBitmap(FaceImageDecoder.ReadFile(path));
            return (Extract(photo, detector, crop), null);
        }
        catch (ImageDecodeException e) { return ([], e.Reason); }
    }
}
