using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using FerMlNet.Web;

namespace FerMlNet.Cli.Bench;

/// <summary>What <see cref="LoadTest.RunAsync"/> saw.</summary>
/// <param name="Requests">Requests answered.</param>
/// <param name="ByStatus">Answers per HTTP status (0 = no answer: connection failure or timeout).</param>
/// <param name="Seconds">Wall-clock seconds.</param>
/// <param name="P50Ms">Median latency over all requests.</param>
/// <param name="P95Ms">95th percentile latency.</param>
/// <param name="P99Ms">99th percentile latency.</param>
/// <param name="WorkingSetMb">Process memory (MB) after warm-up, after each tenth of the requests, and at the end: flat is the goal.</param>
/// <param name="SlowClientsClosed">Slowloris connections the server closed before they finished their headers.</param>
/// <param name="SlowClients">Slowloris connections opened.</param>
/// <param name="UnansweredValid">Requests other than the oversize one that got no HTTP answer (must be 0).</param>
public sealed record LoadResult(int Requests, IReadOnlyDictionary<int, int> ByStatus, double Seconds, double P50Ms, double P95Ms,
    double P99Ms, double[] WorkingSetMb, int SlowClientsClosed, int SlowClients, int UnansweredValid);

/// <summary>
/// A bounded abuse test of the API over loopback: <c>clients</c> concurrent clients send a mix of valid frames and
/// face crops and invalid requests (wrong content type, random bytes, a truncated JPEG, a header-only 60,000-px PNG, a
/// multipart body without the image field, an oversize body), while slowloris connections trickle their headers one
/// byte at a time. Stops after <c>requests</c> or <c>maxTime</c>. Memory is the process's working set: run it with
/// the server in the same process, or read the server's own in /api/v1/metrics.
/// </summary>
public static class LoadTest
{
    /// <summary>The request kinds, in the order they rotate.</summary>
    public static readonly string[] Kinds = ["frame", "crop", "text", "random", "truncated", "bomb", "multipart-no-image", "frame", "crop", "oversize"];

    /// <summary>Runs the load; <paramref name="frame"/> is a camera JPEG with a face, <paramref name="crop"/> a 48×48 face.</summary>
    public static async Task<LoadResult> RunAsync(Uri baseAddress, byte[] frame, byte[] crop, int requests, int clients,
        TimeSpan maxTime, int slowClients = 4, long oversizeBytes = 9L * 1024 * 1024, CancellationToken cancel = default)
    {
        using var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        var oversize = new byte[oversizeBytes];
        oversize[0] = 0xFF; oversize[1] = 0xD8; oversize[2] = 0xFF;
        for (int i = 0; i < 5; i++) await SendAsync(http, "frame", frame, crop, oversize, cancel);
        var memory = new List<double> { WorkingSetMb() };

        var slow = await Task.WhenAll(Enumerable.Range(0, slowClients).Select(_ => OpenSlowClientAsync(baseAddress, cancel)));
        var latencies = new List<double>();
        var byStatus = new Dictionary<int, int>();
        int next = 0, unanswered = 0;
        var wall = Stopwatch.StartNew();
        async Task Client()
        {
            while (wall.Elapsed < maxTime && !cancel.IsCancellationRequested)
            {
                int n = Interlocked.Increment(ref next);
                if (n > requests) return;
                if (requests >= 10 && n % (requests / 10) == 0 && n < requests) lock (memory) memory.Add(WorkingSetMb());
                var watch = Stopwatch.StartNew();
                string kind = Kinds[n % Kinds.Length];
                int status = await SendAsync(http, kind, frame, crop, oversize, cancel);
                lock (latencies)
                {
                    // Refusing an oversize upload may close the connection before the client finished sending it.
                    if (status == 0 && kind != "oversize") unanswered++;
                    latencies.Add(watch.Elapsed.TotalMilliseconds);
                    byStatus[status] = byStatus.GetValueOrDefault(status) + 1;
                }
            }
        }
        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(Client, cancel)));
        double seconds = wall.Elapsed.TotalSeconds;
        memory.Add(WorkingSetMb());
        int closed = 0;
        foreach (var socket in slow)
        {
            if (await TrickleUntilClosedAsync(socket, TimeSpan.FromSeconds(15), cancel)) closed++;
            socket.Dispose();
        }
        var sorted = latencies.Order().ToArray();
        return new LoadResult(sorted.Length, byStatus, seconds, Percentiles.Of(sorted, 0.5), Percentiles.Of(sorted, 0.95), Percentiles.Of(sorted, 0.99), memory.ToArray(), closed, slowClients, unanswered);
    }

    private static async Task<int> SendAsync(HttpClient http, string kind, byte[] frame, byte[] crop, byte[] oversize, CancellationToken cancel)
    {
        HttpContent content = kind switch
        {
            "frame" => Body(frame, "image/jpeg"),
            "crop" => Body(crop, "image/jpeg"),
            "text" => Body("not an image"u8.ToArray(), "text/plain"),
            "random" => Body(RandomBytes(2048), "image/jpeg"),
            "truncated" => Body(frame[..(frame.Length / 3)], "image/jpeg"),
            "bomb" => Body(BombPngHeader, "image/png"),
            "multipart-no-image" => new MultipartFormDataContent { { Body(crop, "image/jpeg"), "file", "face.jpg" } },
            "oversize" => Body(oversize, "image/jpeg"),
            _ => throw new ArgumentException(kind),
        };
        try
        {
            using (content)
            using (var response = await http.PostAsync("/api/v1/predict", content, cancel))
            {
                await response.Content.ReadAsByteArrayAsync(cancel);
                return (int)response.StatusCode;
            }
        }
        catch (HttpRequestException) { return 0; } // the server closed the connection (e.g. mid-upload of an oversize body)
        catch (TaskCanceledException) when (!cancel.IsCancellationRequested) { return 0; }
    }

    private static ByteArrayContent Body(byte[] bytes, string type)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(type);
        return content;
    }

    private static byte[] RandomBytes(int n)
    {
        var bytes = new byte[n];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }

    // PNG signature + IHDR of 60000×60000 (the CRC does not matter: the size is refused first).
    private static readonly byte[] BombPngHeader =
        [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0xEA, 0x60, 0, 0, 0xEA, 0x60, 8, 0, 0, 0, 0, 0, 0, 0, 0];

    private static async Task<Socket> OpenSlowClientAsync(Uri address, CancellationToken cancel)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(address.Host, address.Port, cancel);
        await socket.SendAsync(Encoding.ASCII.GetBytes("POST /api/v1/predict HTTP/1.1\r\nHost: x\r\n"), cancel);
        return socket;
    }

    /// <summary>Keeps sending one header byte per second; true when the server closes the connection within the time.</summary>
    private static async Task<bool> TrickleUntilClosedAsync(Socket socket, TimeSpan limit, CancellationToken cancel)
    {
        var watch = Stopwatch.StartNew();
        var buffer = new byte[1024];
        while (watch.Elapsed < limit)
        {
            try
            {
                await socket.SendAsync("X"u8.ToArray(), cancel);
                if (socket.Poll(1_000_000, SelectMode.SelectRead))
                    return await socket.ReceiveAsync(buffer, cancel) >= 0; // an answer (408/400) or the close
            }
            catch (SocketException) { return true; }
        }
        return false;
    }

    private static double WorkingSetMb()
    {
        GC.Collect();
        return Math.Round(Process.GetCurrentProcess().WorkingSet64 / 1048576.0, 1);
    }
}
