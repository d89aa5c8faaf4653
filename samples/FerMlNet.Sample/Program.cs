// Embedding FerMlNet in any .NET app: load a model once, then classify faces from any thread.
//   dotnet run --project samples/FerMlNet.Sample -- models/fer-default.zip path/to/photo.jpg
using FerMlNet.Scoring;

if (args.Length != 2)
{
    Console.Error.WriteLine("usage: FerMlNet.Sample MODEL(.zip|.onnx) IMAGE");
    return 1;
}

using var predictor = FerPredictor.Load(args[0], new FerPredictorOptions { UncertainThreshold = 0.7f });

// A photo: every face is found, cropped and classified (an image of at most 64 px is taken as a face crop).
foreach (var face in predictor.PredictFaces(args[1]))
{
    var box = face.Face is { } f ? $"face at ({f.X:F0},{f.Y:F0}) {f.Width:F0}×{f.Height:F0}" : "whole image";
    Console.WriteLine($"{box}: {face.Label} ({face.Confidence:P0}) — happy {face["happy"]:F2}, neutral {face["neutral"]:F2}, " +
                      $"sad {face["sad"]:F2}, surprise {face["surprise"]:F2}");
}
return 0;
