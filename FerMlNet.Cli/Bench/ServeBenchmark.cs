using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using FerMlNet.Web;

namespace FerMlNet.Cli.Bench;

/// <summary>What <see cref="ServeBenchmark.RunAsync"/> measured.</summary>
/// <param name="Frames">Frames answered with 200 in the measured part.</param>
/// <param name="Seconds">Wall-clock seconds of the measured part.</param>
/// <param name="FramesPerSecond">Answered frames per wall-clock second, all clients together.</param>
/// <param name="P50Ms">Median round trip (send, server work, answer) seen by a client.</param>
/// <param name="P95Ms">95th percentile round trip.</param>
/// <param name="ServerP50Ms">Median server time (the answer's elapsedMs: decode, detection, classification).</param>
/// <param name="FacesPerFrame">Mean faces found per frame (1 expected: each frame holds one face).</param>
/// <param name="ByStatus">Answers of the measured part per HTTP status (200 = answered frames; 429 = refused by the rate limit).</param>
public sealed record ServeBenchmarkResult(int Frames, double Seconds, double FramesPerSecond,
    double P50Ms, double P95Ms, double ServerP50Ms, double FacesPerFrame, IReadOnlyDictionary<int, int> ByStatus)
{
    /// <summary>Answers other than 200 in the measured part (each is a failure of the benchmark).</summary>
    public int Errors => ByStatus.Where(p => p.Key != 200).Sum(p => p.Value);
}

/// <summary>
/// Drives <c>POST /api/v1/predict</c> like webcams do: each client sends a 640×480 JPEG frame, waits for the answer,
/// sends the next. Bounded by a frame count and a time limit, whichever comes first; stops by itself.
/// </summary>
public static class ServeBenchmark
{
    /// <summary>Runs <paramref name="clients"/> clients against <paramref name="baseAddress"/> after a short warm-up.</summary>
    /// <remarks>detectorSide is sent as the query parameter of that name (the live page sends 320); null for the server default.</remarks>
    public static async Task<ServeBenchmarkResult> RunAsync(Uri baseAddress, IReadOnlyList<byte[]> frames, int maxFrames,
        TimeSpan maxTime, int clients = 1, int? detectorSide = null, CancellationToken cancel = default)
    {
        string path = detectorSide is { } side ? $"/api/v1/predict?detectorSide={side}" : "/api/v1/predict";
        using var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        for (int i = 0; i < Math.Min(10, frames.Count * 2); i++) await SendAsync(http, path, frames[i % frames.Count], cancel);

        var roundTrips = new List<double>();
        var serverTimes = new List<double>();
        int sent = 0, faces = 0;
        var byStatus = new SortedDictionary<int, int>();
        var wall = Stopwatch.StartNew();
        async Task Client()
        {
            while (wall.Elapsed < maxTime && !cancel.IsCancellationRequested)
            {
                int n = Interlocked.Increment(ref sent);
                if (n > maxFrames) return;
                var (status, roundTrip, server, found) = await SendAsync(http, path, frames[n % frames.Count], cancel);
                lock (roundTrips)
                {
                    byStatus[status] = byStatus.GetValueOrDefault(status) + 1;
                    if (status != 200) continue;
                    roundTrips.Add(roundTrip);
                    serverTimes.Add(server);
                    faces += found;
                }
            }
        }
        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(Client, cancel)));
        double seconds = wall.Elapsed.TotalSeconds;
        var trips = roundTrips.Order().ToArray();
        var server = serverTimes.Order().ToArray();
        return new ServeBenchmarkResult(roundTrips.Count, seconds, roundTrips.Count / seconds,
            Percentiles.Of(trips, 0.50), Percentiles.Of(trips, 0.95), Percentiles.Of(server, 0.50),
            roundTrips.Count == 0 ? 0 : (double)faces / roundTrips.Count, byStatus);
    }

    private static async Task<(int Status, double RoundTripMs, double ServerMs, int Faces)> SendAsync(HttpClient http, string path, byte[] frame, CancellationToken cancel)
    {
        var watch = Stopwatch.StartNew();
        using var content = new ByteArrayContent(frame);
        content.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        using var response = await http.PostAsync(path, content, cancel);
        var body = await response.Content.ReadAsByteArrayAsync(cancel);
        double roundTrip = watch.Elapsed.TotalMilliseconds;
        if (response.StatusCode != System.Net.HttpStatusCode.OK) return ((int)response.StatusCode, roundTrip, 0, 0);
        using var json = JsonDocument.Parse(body);
        return (200, roundTrip, json.RootElement.GetProperty("elapsedMs").GetDouble(), json.RootElement.GetProperty("faces").GetArrayLength());
    }
}
