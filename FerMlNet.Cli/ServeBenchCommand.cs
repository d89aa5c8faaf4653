using System.CommandLine;
using FerMlNet.Preprocessing;
using FerMlNet.Core;
using FerMlNet.Web;
using FerMlNet.Cli.Bench;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using SkiaSharp;
using Spectre.Console;

namespace FerMlNet.Cli;

/// <summary>
/// `fer bench serve`: frames per second and latency of the predict endpoint over loopback HTTP, with 640×480 camera-like
/// frames that each hold one dataset face. Starts the app in this process on a free loopback port unless --url
/// points at a running server. Bounded by --frames and --seconds.
/// </summary>
internal static class ServeBenchCommand
{
    public static Command Create()
    {
        var model = new Option<string?>("--model") { Description = $"Model to serve (default {FerWebApp.DefaultModel})." };
        var url = new Option<string?>("--url") { Description = "Benchmark a server already running there instead of starting one." };
        var frames = new Option<int>("--frames") { Description = "Frames to send at most.", DefaultValueFactory = _ => 600 };
        var seconds = new Option<int>("--seconds") { Description = "Seconds to run at most.", DefaultValueFactory = _ => 30 };
        var clients = new Option<string>("--clients") { Description = "Comma-separated client counts; one row each.", DefaultValueFactory = _ => "1,2" };
        var data = new Option<string>("--data") { Description = "Dataset whose test faces fill the frames.", DefaultValueFactory = _ => "datasets/fer4-mit" };
        var command = new Command("serve", "Webcam-like load on POST /api/v1/predict over loopback: frames/s, p50/p95 latency.")
        {
            model, url, frames, seconds, clients, data,
        };
        command.SetAction(parse => FerCommandLine.Guard(() =>
        {
            BenchCommand.PrintMachine();
            var counts = parse.GetValue(clients)!.Split(',').Select(c => int.TryParse(c, out int n) && n > 0 ? n
                : throw new UsageException($"--clients: '{c}' is not a positive number.")).ToArray();
            var jpegs = CameraFrames(parse.GetValue(data)!);
            WebApplication? app = null;
            Uri address;
            if (parse.GetValue(url) is { } given) address = new Uri(given);
            else
            {
                var args = new List<string> { "--urls", "http://127.0.0.1:0", "--rate-limit", "1000000", "--Fer:RateLimitBurst=1000000",
                                              "--Logging:LogLevel:Default=Warning" };
                if (parse.GetValue(model) is { } m) args.AddRange(["--model", m]);
                app = FerWebApp.Create(args.ToArray());
                app.Start();
                address = new Uri(app.Urls.Single());
            }
            var table = new Table().Border(TableBorder.Rounded)
                .AddColumns("detector px", "clients", "answered", "by status", "answered/s", "p50 ms", "p95 ms", "server ms", "faces");
            // 320: what the live page asks for (webcam faces are large); 640: the default for photos.
            foreach (int side in new[] { 320, 640 })
            foreach (int n in counts)
            {
                var r = ServeBenchmark.RunAsync(address, jpegs, parse.GetValue(frames), TimeSpan.FromSeconds(parse.GetValue(seconds)), n, side)
                    .GetAwaiter().GetResult();
                table.AddRow(side.ToString(), n.ToString(), r.Frames.ToString(),
                    string.Join(", ", r.ByStatus.Select(p => $"{p.Key}: {p.Value}")), $"{r.FramesPerSecond:F1}", $"{r.P50Ms:F1}",
                    $"{r.P95Ms:F1}", $"{r.ServerP50Ms:F1}", $"{r.FacesPerFrame:F2}");
            }
            AnsiConsole.Write(table);
            AnsiConsole.MarkupLine((app is null
                    ? $"Against {Markup.Escape(address.ToString())} with that server's own rate limit (the default is {new ServeOptions().RateLimitPerSecond}/s per client); "
                    : "Own server with the rate limit off; ") +
                "answered/s counts 200 answers only. " +
                $"640×480 JPEG frames (one face each, {jpegs.Count} distinct), loopback HTTP, {Environment.ProcessorCount} cores; " +
                                   "client and server share the machine. Goal: ≥ 25 frames/s and p95 ≤ 40 ms with 1 client at the live page's 320 px.");
            app?.StopAsync().GetAwaiter().GetResult();
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>One frame per class from the test split: a real face scaled to 220 px, centred on 640×480.</summary>
    private static List<byte[]> CameraFrames(string dataset)
    {
        var frames = new List<byte[]>();
        foreach (var cls in EmotionClasses.Names)
        {
            var dir = Path.Combine(dataset, "test", cls);
            if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"'{dir}' does not exist; --data needs a dataset with a test split.");
            foreach (var file in Directory.GetFiles(dir).Order(StringComparer.Ordinal).Take(2))
            {
                using var face = SKBitmap.Decode(file) ?? throw new InvalidDataException($"'{file}' is not a readable image.");
                using var frame = FaceFrames.Centred(face);
                frames.Add(FaceFrames.Jpeg(frame));
            }
        }
        return frames;
    }
}
