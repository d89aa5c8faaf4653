// Embedding FerMlNet: load the shipped default model once, then classify every face of a photo.
//   dotnet run --project samples/PredictorSample -- path/to/photo.jpg
// A photo goes through the YuNet face detector; an image of at most 64 px is taken as one face crop.
using System.Globalization;
using FerMlNet.Preprocessing;
using FerMlNet.Scoring;

// ONNX Runtime collects usage telemetry unless told not to; this app says no before any model loads.
OnnxRuntimeTelemetry.Disable();

if (args.Length != 1)
{
    Console.Error.WriteLine("usage: PredictorSample IMAGE");
    return 1;
}

using var predictor = FerPredictor.LoadDefault(); // models/fer-default.zip in the app's folder; thread-safe, load once

IReadOnlyList<EmotionPrediction> faces;
try
{
    faces = predictor.PredictFaces(args[0]);
}
catch (ImageDecodeException e) // missing, unreadable, not an image, too small or too large: the reason, no stack trace
{
    Console.Error.WriteLine($"{args[0]}: {e.Message}");
    return 2;
}
if (faces.Count == 0) Console.WriteLine("no face found");
foreach (var face in faces)
{
    var where = face.Face is { } box ? $"face at {box.X:F0},{box.Y:F0} size {box.Width:F0}x{box.Height:F0}" : "whole image";
    var probabilities = string.Join(" ", face.Probabilities.Select(p => p.ToString("F7", CultureInfo.InvariantCulture)));
    // e.g. "face at 92,61 size 170x211: happy 0.9812 | happy neutral sad surprise = 0.9812345 0.0101234 ..."
    Console.WriteLine($"{where}: {face.Label} {face.Confidence.ToString("F4", CultureInfo.InvariantCulture)} | " +
                      $"happy neutral sad surprise = {probabilities}");
}
return 0;
