namespace FerMlNet.Scoring.FaceDetection;

/// <summary>A face found in a photo, in the photo's pixel coordinates.</summary>
/// <param name="X">Left edge.</param>
/// <param name="Y">Top edge.</param>
/// <param name="Width">Box width.</param>
/// <param name="Height">Box height.</param>
/// <param name="Score">Detector confidence, 0-1.</param>
/// <param name="Landmarks">
/// Five points (x, y): the subject's right eye, left eye, nose tip, right and left mouth corners (the subject's right
/// is on the image's left).
/// </param>
public sealed record DetectedFace(float X, float Y, float Width, float Height, float Score, (float X, float Y)[] Landmarks)
{
    /// <summary>Box area in pixels.</summary>
    public float Area => Width * Height;

    /// <summary>Intersection over union with another box.</summary>
    public float IoU(DetectedFace other)
    {
        float x0 = Math.Max(X, other.X), y0 = Math.Max(Y, other.Y);
        float x1 = Math.Min(X + Width, other.X + other.Width), y1 = Math.Min(Y + Height, other.Y + other.Height);
        float inter = Math.Max(0, x1 - x0) * Math.Max(0, y1 - y0);
        return inter <= 0 ? 0 : inter / (Area + other.Area - inter);
    }
}
