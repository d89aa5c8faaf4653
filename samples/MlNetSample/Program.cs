// FerMlNet's model.zip as any ML.NET model: no FerMlNet code runs, only ML.NET's own transforms and ONNX Runtime.
//   dotnet run --project samples/MlNetSample -- path/to/face.jpg
// The whole image is classified (decode, IsoCrop to 48×48, grey, ÷255, the network); for photos with several
// faces use FerPredictor.PredictFaces, which finds the faces first.
using System.Globalization;
using FerMlNet.Scoring;
using Microsoft.ML;
using Microsoft.ML.Data;

// ONNX Runtime collects usage telemetry unless told not to; this app says no before any model loads.
OnnxRuntimeTelemetry.Disable();

if (args.Length != 1)
{
    Console.Error.WriteLine("usage: MlNetSample IMAGE");
    return 1;
}

if (!File.Exists(args[0]))
{
    Console.Error.WriteLine($"{args[0]}: the file does not exist");
    return 2;
}

var mlContext = new MLContext();
// Disposed at the end: ML.NET keeps the model's ONNX network in a temporary file until the model is disposed.
using var model = (TransformerChain<ITransformer>)mlContext.Model.Load(ShippedModels.DefaultModel, out _);
// A PredictionEngine is not thread-safe: make one per thread, or pool them (see samples/WebApiSample).
using var engine = mlContext.Model.CreatePredictionEngine<FerImageInput, FerPrediction>(model);

FerPrediction prediction = engine.Predict(new FerImageInput { ImagePath = Path.GetFullPath(args[0]) });
var probabilities = string.Join(" ", prediction.Score.Select(p => p.ToString("F7", CultureInfo.InvariantCulture)));
Console.WriteLine($"{prediction.PredictedLabel} | happy neutral sad surprise = {probabilities}");
return 0;
