using System.CommandLine;
using FerMlNet.Web;
using FerMlNet.Cli.Bench;
using Microsoft.AspNetCore.Builder;
using SkiaSharp;
using Spectre.Console;

namespace FerMlNet.Cli;

/// <summary>
/// `fer bench load`: the bounded abuse test of the API (FerMlNet.Cli.Bench.LoadTest) against the app started in this
/// process on a free loopback port: status counts, latency percentiles, memory at start / half-way / end, slowloris.
/// </summary>
internal static class LoadBenchCommand
{
    public static Command Create()
    {
        var requests = new Option<int>("--requests") { Description = "Requests to send at most.", DefaultValueFactory = _ => 10_000 };
        var clients = new Option<int>("--clients") { Description = "Concurrent clients.", DefaultValueFactory = _ => 16 };
        var seconds = new Option<int>("--seconds") { Description = "Seconds to run at most.", DefaultValueFactory = _ => 600 };
        var slow = new Option<int>("--slow-clients") { Description = "Slowloris connections held open meanwhile.", DefaultValueFactory = _ => 8 };
        var command = new Command("load", "Mixed valid/invalid requests from many clients plus slowloris connections: no 5xx, flat memory, latency.")
        {
            requests, clients, seconds, slow,
        };
        command.SetAction(parse => FerCommandLine.Guard(() =>
        {
            BenchCommand.PrintMachine();
            var app = FerWebApp.Create(["--urls", "http://127.0.0.1:0", "--rate-limit", "1000000", "--Fer:RateLimitBurst=1000000",
                                        "--Logging:LogLevel:Default=Warning"]);
            app.StartAsync().GetAwaiter().GetResult();
            var (frame, crop) = Samples();
            var r = LoadTest.RunAsync(new Uri(app.Urls.Single()), frame, crop, parse.GetValue(requests), parse.GetValue(clients),
                TimeSpan.FromSeconds(parse.GetValue(seconds)), parse.GetValue(slow)).GetAwaiter().GetResult();
            app.StopAsync().GetAwaiter().GetResult();
            var table = new Table().Border(TableBorder.Rounded).AddColumns("measure", "value");
            table.AddRow("requests answered", $"{r.Requests:N0} in {r.Seconds:F1} s ({r.Requests / r.Seconds:F0}/s)");
            table.AddRow("by status", string.Join(", ", r.ByStatus.OrderBy(p => p.Key).Select(p => $"{(p.Key == 0 ? "closed" : p.Key)}: {p.Value:N0}")));
            table.AddRow("5xx", r.ByStatus.Where(p => p.Key >= 500).Sum(p => p.Value).ToString());
            table.AddRow("valid or invalid requests without an answer", r.UnansweredValid.ToString());
            table.AddRow("latency p50 / p95 / p99", $"{r.P50Ms:F1} / {r.P95Ms:F1} / {r.P99Ms:F1} ms");
            table.AddRow("working set after warm-up, each 10%, end", string.Join(" / ", r.WorkingSetMb.Select(m => $"{m:F0} MB")));
            table.AddRow("slowloris connections closed by the server", $"{r.SlowClientsClosed} / {r.SlowClients}");
            AnsiConsole.Write(table);
            AnsiConsole.MarkupLine($"Mix per 10 requests: {Markup.Escape(string.Join(", ", LoadTest.Kinds))}; server and clients share {Environment.ProcessorCount} cores.");
            return r.ByStatus.Keys.Any(k => k >= 500) || r.UnansweredValid > 0 ? ExitCodes.DataError : ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>A 640×480 camera frame holding a test face, and a 48×48 test face, from the embedded data.</summary>
    private static (byte[] Frame, byte[] Crop) Samples()
    {
        var file = Directory.GetFiles(Path.Combine("datasets", "fer4-mit", "test", "happy")).Order(StringComparer.Ordinal).First();
        using var face = SKBitmap.Decode(file);
        using var frame = FaceFrames.Centred(face);
        return (FaceFrames.Jpeg(frame), File.ReadAllBytes(file));
    }
}
