namespace FerMlNet.Web;

/// <summary>
/// The web host's entry point: <c>dotnet run --project FerMlNet.Web -- --model models/fer-default.zip</c> (or
/// <c>./fer serve</c>) starts the app on http://127.0.0.1:5080. Public so tests can host it with WebApplicationFactory.
/// </summary>
public sealed class Program
{
    /// <summary>Runs the app until Ctrl+C.</summary>
    public static Task Main(string[] args)
    {
        Core.Native.GlibcMalloc.LimitArenas(2); // first thing: arenas made before the cap stay
        Scoring.OnnxRuntimeTelemetry.Disable(); // before the model loads: ONNX Runtime reads the switch once
        return FerWebApp.Create(args).RunAsync();
    }
}
