namespace FerMlNet.Web;

/// <summary>
/// Settings of the web app and REST API. Bound from the configuration section "Fer" (appsettings, environment
/// variables such as <c>Fer__MaxRequestBytes</c>, or the command-line switches of <c>fer serve</c>).
/// </summary>
public sealed class ServeOptions
{
    /// <summary>Configuration section the options are read from.</summary>
    public const string Section = "Fer";

    /// <summary>
    /// The model to serve: a FerMlNet model.zip or .onnx. Default: the shipped <c>models/fer-default.zip</c>, found
    /// from the working directory or the application folder upwards. Replacing the file swaps the model live.
    /// </summary>
    public string? ModelPath { get; set; }

    /// <summary>
    /// A deployment calibration (<c>fer calibrate-deployment</c>) for the served model: its class offsets adjust every
    /// answer. It names the model file it was fitted for by SHA-256: a server whose model is another refuses to start,
    /// and a live swap to another model file serves that model without the offsets (logged), since they were fitted
    /// for the old one. Default: none.
    /// </summary>
    public string? DeploymentPath { get; set; }

    /// <summary>Largest request body accepted, in bytes; larger requests get 413. Default: 8 MiB (a 12 Mpx JPEG).</summary>
    public long MaxRequestBytes { get; set; } = 8L * 1024 * 1024;

    /// <summary>Largest image side accepted, read from the image header before any pixel is decoded; larger → 413. Default: 4096.</summary>
    public int MaxImageSide { get; set; } = 4096;

    /// <summary>Largest image area accepted (pixels), checked from the header like <see cref="MaxImageSide"/>. Default: 16,777,216 (16 Mpx).</summary>
    public long MaxImagePixels { get; set; } = 4096L * 4096;

    /// <summary>
    /// Requests per second each client address may sustain on the API (token bucket); more get 429. Default: 40,
    /// above a webcam's 25-30 frames per second.
    /// </summary>
    public int RateLimitPerSecond { get; set; } = 40;

    /// <summary>Burst a client may send above the sustained rate. Default: 80.</summary>
    public int RateLimitBurst { get; set; } = 80;

    /// <summary>Faces whose top probability is below this are answered "uncertain". Default: 0.7 (the notebook's production setting).</summary>
    public float UncertainThreshold { get; set; } = FerModelConventions.DefaultUncertainThreshold;

    /// <summary>ONNX Runtime intra-op threads per inference; 0 lets ONNX Runtime choose. Default: 0.</summary>
    public int IntraOpThreads { get; set; }

    /// <summary>How long the model file must be quiet after a change before it is reloaded. Default: 500 ms.</summary>
    public int ReloadDebounceMs { get; set; } = 500;
}
