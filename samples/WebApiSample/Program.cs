// POST an image to /faces and get every face's emotion back as JSON:
//   dotnet run --project samples/WebApiSample -- --urls http://127.0.0.1:5080
//   curl --data-binary @photo.jpg http://127.0.0.1:5080/faces
//
// One FerPredictor serves every request: its ONNX Runtime session is thread-safe, so the singleton is the pool.
// (Microsoft.Extensions.ML's PredictionEnginePool is the usual answer for ML.NET's PredictionEngine, which is not
// thread-safe; FerPredictor does not need it, and that package is not used here.)
using FerMlNet.Preprocessing;
using FerMlNet.Scoring;

// ONNX Runtime collects usage telemetry unless told not to; this app says no before any model loads.
OnnxRuntimeTelemetry.Disable();

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddSingleton(_ => FerPredictor.LoadDefault());
var app = builder.Build();
app.Services.GetRequiredService<FerPredictor>(); // load at start: a missing model fails now, not at the first request

app.MapPost("/faces", async (HttpRequest request, FerPredictor predictor) =>
{
    using var body = new MemoryStream();
    await request.Body.CopyToAsync(body);
    try
    {
        var faces = predictor.PredictFaces(body.ToArray());
        return Results.Ok(faces.Select(f => new
        {
            f.Label,
            f.Confidence,
            f.Probabilities, // happy, neutral, sad, surprise
            Box = f.Face is { } box ? new { box.X, box.Y, box.Width, box.Height } : null,
        }));
    }
    catch (ImageDecodeException e) // not an image, or one FerMlNet refuses (too small, too large): say why
    {
        return Results.Problem(e.Message, statusCode: StatusCodes.Status400BadRequest);
    }
});

app.Run();
