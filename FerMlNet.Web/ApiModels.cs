namespace FerMlNet.Web;

/// <summary>Answer of <c>POST /api/v1/predict</c> (docs/cli-contract.md, REST API).</summary>
/// <param name="Faces">Every face found, largest first; empty when the photo has none.</param>
/// <param name="Model">File name of the model that answered.</param>
/// <param name="ElapsedMs">Server time from the end of the upload to the answer (decode, detection, classification).</param>
/// <param name="Image">Size of the decoded image, so clients can scale the boxes.</param>
public sealed record PredictResponse(IReadOnlyList<FaceResult> Faces, string Model, double ElapsedMs, ImageSize Image);

/// <summary>One face: where it is in the image, the label ("uncertain" below the threshold) and the four probabilities.</summary>
/// <param name="Box">Where the face is; the whole image for a face crop.</param>
/// <param name="Label">The class, or "uncertain" when <paramref name="Confidence"/> is below the threshold.</param>
/// <param name="PredictedClass">The most probable class, even when the label is "uncertain".</param>
/// <param name="Confidence">The top probability.</param>
/// <param name="Probabilities">Probability of each class: happy, neutral, sad, surprise.</param>
/// <param name="Mode">"detected" when the face detector found it, "whole" when a small image was classified whole.</param>
public sealed record FaceResult(Box Box, string Label, string PredictedClass, float Confidence,
    IReadOnlyDictionary<string, float> Probabilities, string Mode);

/// <summary>A face box in the pixels of the uploaded image.</summary>
public sealed record Box(float X, float Y, float Width, float Height);

/// <summary>Width and height in pixels.</summary>
public sealed record ImageSize(int Width, int Height);
