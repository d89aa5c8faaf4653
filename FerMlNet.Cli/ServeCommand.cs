using System.CommandLine;
using FerMlNet.Web;

namespace FerMlNet.Cli;

/// <summary>`fer serve`: the web app and REST API (FerMlNet.Web) in this process, until Ctrl+C.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var model = new Option<string?>("--model") { Description = $"model.zip or .onnx to serve (default {FerWebApp.DefaultModel}); replacing the file swaps it live." };
        var deployment = new Option<string?>("--deployment") { Description = "A deployment calibration (fer calibrate-deployment) for the served model: its class offsets adjust every answer." };
        var urls = new Option<string>("--urls") { Description = "Where to listen; loopback by default.", DefaultValueFactory = _ => FerWebApp.DefaultUrls };
        var threshold = new Option<float>("--threshold") { Description = "Below this confidence a face is 'uncertain'.", DefaultValueFactory = _ => FerModelConventions.DefaultUncertainThreshold };
        var rateLimit = new Option<int>("--rate-limit") { Description = "Requests per second per client address (token bucket; burst twice that).", DefaultValueFactory = _ => 40 };
        var serve = new Command("serve", "Web app (webcam, photo, batch pages) and REST API: POST /api/v1/predict, GET /healthz, GET /api/v1/metrics.")
        {
            model, urls, threshold, rateLimit, deployment,
        };
        serve.SetAction(parse => FerCommandLine.Guard(() =>
        {
            int rate = parse.GetValue(rateLimit);
            if (rate < 1) throw new UsageException("--rate-limit must be at least 1.");
            var args = new List<string>
            {
                "--urls", parse.GetValue(urls)!, "--threshold", parse.GetValue(threshold).ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--rate-limit", rate.ToString(), $"--Fer:RateLimitBurst={2 * rate}",
            };
            if (parse.GetValue(model) is { } path) args.AddRange(["--model", path]);
            if (parse.GetValue(deployment) is { } file) args.AddRange(["--deployment", file]);
            FerWebApp.Create(args.ToArray()).Run();
            return ExitCodes.Success;
        }));
        return serve;
    }
}
