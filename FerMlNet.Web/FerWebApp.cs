using System.Diagnostics;
using System.Threading.RateLimiting;
using FerMlNet.Preprocessing;
using FerMlNet.Core.IO;
using FerMlNet.Scoring;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;

namespace FerMlNet.Web;

/// <summary>
/// Builds the FerMlNet web application: the webcam, photo and batch pages (static files served by the app itself),
/// <c>POST /api/v1/predict</c>, <c>GET /healthz</c>, <c>GET /api/v1/metrics</c> and <c>GET /api/v1/model</c>.
/// Kestrel binds <see cref="DefaultUrls"/> (loopback) unless <c>--urls</c> says otherwise.
/// </summary>
public static class FerWebApp
{
    /// <summary>Where the app listens when no <c>--urls</c> is given: loopback only.</summary>
    public const string DefaultUrls = "http://127.0.0.1:5080";

    /// <summary>The model served when none is given, found from the working directory or the program's folder upwards.</summary>
    public const string DefaultModel = ShippedModels.DefaultModelRelativePath;

    private const string RateLimitPolicy = "per-client";

    /// <summary>Longest request target (path and query) the app answers; longer ones get 414.</summary>
    public const int MaxRequestTargetLength = 8 * 1024;

    /// <summary>Largest header block (names and values) the app answers; larger ones get 431.</summary>
    public const int MaxRequestHeaderBytes = 32 * 1024;

    /// <summary>Command-line switches of the app besides ASP.NET's own (<c>--urls</c>, <c>--environment</c>).</summary>
    public static readonly IReadOnlyDictionary<string, string> Switches = new Dictionary<string, string>
    {
        ["--model"] = $"{ServeOptions.Section}:{nameof(ServeOptions.ModelPath)}",
        ["--threshold"] = $"{ServeOptions.Section}:{nameof(ServeOptions.UncertainThreshold)}",
        ["--deployment"] = $"{ServeOptions.Section}:{nameof(ServeOptions.DeploymentPath)}",
        ["--rate-limit"] = $"{ServeOptions.Section}:{nameof(ServeOptions.RateLimitPerSecond)}",
        // ASP.NET's host filtering: behind a proxy, answer only requests for these host names (semicolon-separated;
        // default "*", any host). A request for another host gets 400.
        ["--allowed-hosts"] = "AllowedHosts",
    };

    /// <summary>Builds the app from command-line arguments (<c>--model</c>, <c>--urls</c>, <c>--threshold</c>, <c>--rate-limit</c>, <c>--deployment</c>).</summary>
    /// <exception cref="FileNotFoundException">No model was given and the default model is not there, or the given one is missing.</exception>
    /// <exception cref="InvalidDataException">The model file is not a FerMlNet model.</exception>
    public static WebApplication Create(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Configuration.AddCommandLine(args, Switches.ToDictionary());
        if (string.IsNullOrEmpty(builder.Configuration["urls"])) builder.WebHost.UseUrls(DefaultUrls);
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
        // ASP.NET's per-request lines would log every webcam frame; this app writes its own one-line request log.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);

        // Options are read when the container builds, so test hosts can set them after this method ran.
        builder.Services.AddOptions<ServeOptions>().BindConfiguration(ServeOptions.Section);
        builder.Services.AddSingleton(sp => sp.GetRequiredService<IOptions<ServeOptions>>().Value);
        builder.Services.AddOptions<KestrelServerOptions>().Configure<IOptions<ServeOptions>>((kestrel, serve) =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = serve.Value.MaxRequestBytes;
            // Kestrel answers requests over its own limits with an empty body, so its limits sit above the app's:
            // the app refuses an over-long target or header block itself (414, 431) with a problem-details body.
            kestrel.Limits.MaxRequestLineSize = 4 * MaxRequestTargetLength;
            kestrel.Limits.MaxRequestHeadersTotalSize = 4 * MaxRequestHeaderBytes;
            // Slowloris: headers must arrive within 10 s and a body at 1 KB/s after a 5 s grace, or the
            // connection is closed; other clients are not held up by a slow one.
            kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(10);
            kestrel.Limits.MinRequestBodyDataRate = new MinDataRate(1024, TimeSpan.FromSeconds(5));
            kestrel.Limits.MaxConcurrentConnections = 512;
        });
        builder.Services.AddSingleton<ServeMetrics>();
        builder.Services.AddSingleton(sp => new ModelHost(ResolveModel(sp.GetRequiredService<ServeOptions>()),
            sp.GetRequiredService<ServeOptions>(), sp.GetRequiredService<ILogger<ModelHost>>()));
        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = (context, cancel) =>
            {
                // Tell the client when a token is back, so a well-behaved one (the live page) waits instead of retrying.
                var seconds = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retry) ? Math.Max(1, (int)Math.Ceiling(retry.TotalSeconds)) : 1;
                context.HttpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return new ValueTask(ApiError.WriteAsync(context.HttpContext, 429, "Too many requests from this client; slow down."));
            };
            limiter.AddPolicy(RateLimitPolicy, context =>
            {
                var serve = context.RequestServices.GetRequiredService<ServeOptions>();
                return RateLimitPartition.GetTokenBucketLimiter(context.Connection.RemoteIpAddress?.ToString() ?? "local",
                    _ => new TokenBucketRateLimiterOptions
                    {
                        TokenLimit = Math.Max(1, serve.RateLimitBurst),
                        TokensPerPeriod = Math.Max(1, serve.RateLimitPerSecond),
                        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                        QueueLimit = 0,
                    });
            });
        });

        var app = builder.Build();
        app.Services.GetRequiredService<ModelHost>(); // load now: a bad model stops start-up with its reason
        Configure(app);
        return app;
    }

    private static void Configure(WebApplication app)
    {
        var metrics = app.Services.GetRequiredService<ServeMetrics>();
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("FerMlNet.Web.Requests");
        app.Use(async (context, next) =>
        {
            var watch = Stopwatch.StartNew();
            SetSecurityHeaders(context.Response.Headers);
            try { await next(context); }
            finally { RecordRequest(context, watch.Elapsed.TotalMilliseconds, metrics, log); }
        });
        app.UseExceptionHandler(error => error.Run(context =>
            ApiError.WriteAsync(context, 500, "Internal error; the server log has the details.")));
        // Answers that would leave with an empty body (no route: 404, wrong method: 405) get problem details too.
        app.UseStatusCodePages(context => ApiError.WriteAsync(context.HttpContext, context.HttpContext.Response.StatusCode,
            DescribeStatus(context.HttpContext)));
        app.Use((context, next) => RequestSizeProblem(context.Request) is { } problem
            ? ApiError.WriteAsync(context, problem.Status, problem.Message)
            : next(context));

        var assets = new PhysicalFileProvider(Path.Combine(AppContext.BaseDirectory, "wwwroot"));
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = assets });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = assets,
            OnPrepareResponse = file => file.Context.Response.Headers.CacheControl = "no-cache",
        });
        app.UseRateLimiter();

        app.MapGet("/healthz", (ModelHost models) => Results.Json(new
        {
            status = "ok",
            model = models.Current.Name,
            sha256 = models.Current.Sha256,
            loadedAt = models.Current.LoadedAt,
            device = models.Current.Predictor.DeviceNote,
            deployment = models.Current.Deployment,
        }));
        app.MapGet("/api/v1/model", (ModelHost models, ServeOptions options) => Results.Json(new
        {
            name = models.Current.Name,
            classes = EmotionClasses.Names,
            threshold = models.Current.Predictor.UncertainThreshold,
            maxRequestBytes = options.MaxRequestBytes,
            maxImageSide = options.MaxImageSide,
        }));
        app.MapGet("/api/v1/metrics", (ServeMetrics m, ModelHost models) => Results.Json(m.Snapshot(models)));
        app.MapPost("/api/v1/predict", PredictEndpoint.HandleAsync).RequireRateLimiting(RateLimitPolicy);
    }

    /// <summary>The message of an error answer that no endpoint wrote.</summary>
    private static string DescribeStatus(HttpContext context) => context.Response.StatusCode switch
    {
        404 => $"Nothing at '{context.Request.Path}'. The API is POST /api/v1/predict, GET /api/v1/model, GET /api/v1/metrics and GET /healthz.",
        405 => $"'{context.Request.Path}' does not take {context.Request.Method}.",
        _ => $"HTTP {context.Response.StatusCode}.",
    };

    /// <summary>414 or 431 when the request line or the headers are over the app's limits (see <see cref="MaxRequestTargetLength"/>).</summary>
    private static ApiError? RequestSizeProblem(HttpRequest request)
    {
        int target = request.Path.Value?.Length ?? 0;
        target += request.QueryString.Value?.Length ?? 0;
        if (target > MaxRequestTargetLength)
            return new ApiError(414, $"The request target is {target:N0} characters; the limit is {MaxRequestTargetLength:N0}.");
        long headerBytes = request.Headers.Sum(h => h.Key.Length + 4L + h.Value.Sum(v => (long)(v?.Length ?? 0)));
        return headerBytes > MaxRequestHeaderBytes
            ? new ApiError(431, $"The request headers are {headerBytes:N0} bytes; the limit is {MaxRequestHeaderBytes:N0}.")
            : null;
    }

    private static void RecordRequest(HttpContext context, double elapsedMs, ServeMetrics metrics, ILogger log)
    {
        var path = context.Request.Path;
        if (!path.StartsWithSegments("/api")) return;
        int status = context.Response.StatusCode;
        if (path.StartsWithSegments("/api/v1/predict")) metrics.RecordRequest(status, elapsedMs);
        // Structured, and never the image: method, path, status, time, body size and client address.
        var level = status >= 500 ? LogLevel.Error : status >= 400 ? LogLevel.Information : LogLevel.Debug;
        var (faces, sadNeutral) = context.Items[PredictEndpoint.FacesLogItem] as (int, int)? ?? (0, 0);
        log.Log(level, "{Method} {Path} {Status} {ElapsedMs:F1} ms {RequestBytes} B from {Client}; {Faces} faces, {SadNeutral} on the sad-neutral boundary",
            context.Request.Method, path.Value, status, elapsedMs, context.Request.ContentLength ?? 0,
            context.Connection.RemoteIpAddress, faces, sadNeutral);
    }

    private static void SetSecurityHeaders(IHeaderDictionary headers)
    {
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers.ContentSecurityPolicy = "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob: mediastream:; " +
                                        "style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'";
    }

    private static string ResolveModel(ServeOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.ModelPath))
            return File.Exists(options.ModelPath)
                ? Path.GetFullPath(options.ModelPath)
                : throw new FileNotFoundException($"Model '{options.ModelPath}' does not exist.", options.ModelPath);
        // The repository around the working folder first (where `fer publish` writes), then the copy beside the program.
        return RepositoryFiles.Find(DefaultModel)
            ?? throw new FileNotFoundException($"No --model given and the default model '{DefaultModel}' is not there.");
    }
}
