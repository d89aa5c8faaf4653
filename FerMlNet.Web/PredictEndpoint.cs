using System.Diagnostics;
using FerMlNet.Core;
using FerMlNet.Preprocessing;
using FerMlNet.Scoring;

namespace FerMlNet.Web;

/// <summary>
/// <c>POST /api/v1/predict</c>: an image (multipart field "image" or a raw JPEG/PNG body) in; every face with its box,
/// label, confidence and four probabilities out. Photos go through the face detector; an image of at most 64 px is a
/// face crop and is classified whole (the same photo path as <c>fer score --detect-faces</c>). The optional query
/// parameter <c>detectorSide</c> (160-1280, default 640) sets the size the face detector searches the image at:
/// the live page sends 320, because webcam faces are large and detection at 320 px takes a third of the time.
/// </summary>
internal static class PredictEndpoint
{
    /// <summary>HttpContext.Items key of the (faces, sad↔neutral faces) of an answered request.</summary>
    public const string FacesLogItem = "fermlnet.faces";

    public static async Task<IResult> HandleAsync(HttpContext context, ModelHost models, ServeOptions options, ServeMetrics metrics)
    {
        try
        {
            int? detectorSide = DetectorSide(context.Request);
            byte[] image = await ImageUpload.ReadAsync(context.Request, options, context.RequestAborted);
            var watch = Stopwatch.StartNew();
            using var lease = models.Acquire();
            var response = Predict(lease.Model, image, detectorSide, watch);
            int sadNeutral = metrics.RecordFaces(response.Faces);
            // For the request log line: how many faces, and how many sat on the sad↔neutral boundary.
            context.Items[FacesLogItem] = (response.Faces.Count, sadNeutral);
            return Results.Json(response);
        }
        catch (ApiError e)
        {
            return e.ToResult();
        }
    }

    private static int? DetectorSide(HttpRequest request)
    {
        if (!request.Query.TryGetValue("detectorSide", out var values)) return null;
        return int.TryParse(values.ToString(), out int side) && side is >= 160 and <= 1280
            ? side
            : throw new ApiError(400, "detectorSide must be a whole number of pixels from 160 to 1280.");
    }

    private static PredictResponse Predict(ServedModel model, byte[] image, int? detectorSide, Stopwatch watch)
    {
        SkiaSharp.SKBitmap photo;
        try
        {
            photo = FaceImageDecoder.DecodeBitmap(image);
        }
        catch (ImageDecodeException e)
        {
            throw new ApiError(400, "The image cannot be decoded: " + e.Reason);
        }
        using (photo)
        {
            var crops = model.Predictor.ExtractFaces(photo, detectorSide);
            var predictions = model.Predictor.PredictBatch(crops.Select(c => c.Pixels).ToList(), crops.Select(c => c.Face).ToList());
            var faces = predictions.Select(p => ToFace(p, photo.Width, photo.Height)).ToList();
            return new PredictResponse(faces, model.Name, Math.Round(watch.Elapsed.TotalMilliseconds, 2),
                new ImageSize(photo.Width, photo.Height));
        }
    }

    private static FaceResult ToFace(EmotionPrediction p, int width, int height)
    {
        var box = p.Face is { } f ? new Box(f.X, f.Y, f.Width, f.Height) : new Box(0, 0, width, height);
        var probabilities = EmotionClasses.Names.Select((name, i) => (name, i))
            .ToDictionary(x => x.name, x => MathF.Round(p.Probabilities[x.i], 5));
        return new FaceResult(box, p.Label, p.PredictedClass, MathF.Round(p.Confidence, 5), probabilities,
            p.Face is null ? "whole" : "detected");
    }
}
