using System.Net;
using FerMlNet.Web;
using static FerMlNet.Tests.HttpTestExtensions;

namespace FerMlNet.Tests;

/// <summary>The app on Kestrel over real HTTP on 127.0.0.1, as `fer serve` runs it.</summary>
public class WebHttpTests
{
    [Fact]
    public async Task OverRealHttpOnLoopbackItClassifiesRefusesAndLimitsBodies()
    {
        await using var host = await KestrelHost.StartAsync();
        Assert.Equal("127.0.0.1", host.Address.Host);

        var answer = await (await host.Client.PostAsync("/api/v1/predict", Image(File.ReadAllBytes(WebTestData.ClearlyHappyFace)))).JsonAsync();
        Assert.Equal("happy", answer.GetProperty("faces")[0].GetProperty("label").GetString());
        Assert.Equal(HttpStatusCode.UnsupportedMediaType,
            (await host.Client.PostAsync("/api/v1/predict", Image("%PDF-1.4"u8.ToArray(), "application/pdf"))).StatusCode);

        // A chunked upload (no Content-Length) over the limit is cut off by Kestrel's body limit: 413 with JSON.
        // Sent over a raw socket that reads while it writes: Kestrel answers and closes mid-upload, and HttpClient,
        // which writes the whole body first, then fails on the broken pipe instead of returning the 413 (a flaky CI).
        string tooBig = await ChunkedUploadAsync(host.Address, "/api/v1/predict", 9 * 1024 * 1024);
        Assert.StartsWith("HTTP/1.1 413", tooBig);
        Assert.Contains("application/problem+json", tooBig);
        Assert.Contains("larger than", tooBig);
    }

    [Fact]
    [Trait(TestSpeed.Trait, TestSpeed.Slow)]
    public async Task UnderMixedLoadAndSlowlorisThereIsNo5xxAndSlowConnectionsAreClosed()
    {
        await using var host = await KestrelHost.StartAsync(rateLimit: 1_000_000);
        using var frame = WebTestData.HappyFrame();
        var result = await Cli.Bench.LoadTest.RunAsync(host.Address, Cli.Bench.FaceFrames.Jpeg(frame),
            File.ReadAllBytes(WebTestData.ClearlyHappyFace), requests: 400, clients: 16, TimeSpan.FromMinutes(2), slowClients: 2);
        Assert.Equal(400, result.Requests);
        Assert.DoesNotContain(result.ByStatus.Keys, status => status >= 500);
        Assert.Equal(0, result.UnansweredValid);
        Assert.Equal(160, result.ByStatus[200]); // frames and crops: 4 of every 10 requests
        Assert.Equal(2, result.SlowClientsClosed);
    }

    [Fact]
    public async Task EveryErrorAnswerIsProblemDetailsWithItsOwnReason()
    {
        await using var host = await KestrelHost.StartAsync(rateLimit: 1);
        async Task<System.Text.Json.JsonElement> Problem(HttpResponseMessage response, int status, string reason)
        {
            Assert.Equal(status, (int)response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var body = await response.JsonAsync();
            Assert.Equal(status, body.GetProperty("status").GetInt32());
            Assert.Contains(reason, body.GetProperty("detail").GetString());
            Assert.Equal(body.GetProperty("detail").GetString(), body.GetProperty("error").GetString());
            return body;
        }
        await Problem(await host.Client.GetAsync("/no/such/page"), 404, "Nothing at '/no/such/page'");
        await Problem(await host.Client.GetAsync("/api/v1/predict"), 405, "does not take GET");
        await Problem(await host.Client.GetAsync("/healthz?q=" + new string('a', FerWebApp.MaxRequestTargetLength)), 414, "request target");
        using (var big = new HttpRequestMessage(HttpMethod.Get, "/healthz"))
        {
            big.Headers.Add("X-Padding", new string('b', FerWebApp.MaxRequestHeaderBytes + 1));
            await Problem(await host.Client.SendAsync(big), 431, "request headers");
        }
        using var form = new MultipartFormDataContent();
        for (int i = 0; i < 17; i++) form.Add(new StringContent("x"), $"field{i}");
        form.Add(new ByteArrayContent(File.ReadAllBytes(WebTestData.ClearlyHappyFace)), "image", "face.jpg");
        await Problem(await host.Client.PostAsync("/api/v1/predict", form), 413, "more than 16 parts");

        // Rate limit 1/s with a burst of 2: the third quick request is refused and told when to come back.
        HttpResponseMessage? refused = null;
        for (int i = 0; i < 4 && refused is null; i++)
        {
            var response = await host.Client.PostAsync("/api/v1/predict", Image(File.ReadAllBytes(WebTestData.ClearlyHappyFace)));
            if (response.StatusCode == HttpStatusCode.TooManyRequests) refused = response;
        }
        Assert.NotNull(refused);
        await Problem(refused, 429, "Too many requests");
        Assert.True(refused.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task WithAllowedHostsOnlyThoseHostNamesAreAnswered()
    {
        var app = FerWebApp.Create(["--urls", "http://127.0.0.1:0", "--model", WebTestData.DefaultModel, "--allowed-hosts", "fer.example.org"]);
        await app.StartAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(app.Urls.Single()) };
            Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync("/healthz")).StatusCode); // Host: 127.0.0.1:port
            using var named = new HttpRequestMessage(HttpMethod.Get, "/healthz");
            named.Headers.Host = "fer.example.org";
            Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(named)).StatusCode);
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    [Fact]
    public void TheDefaultBindIsLoopback() =>
        Assert.StartsWith("http://127.0.0.1:", FerWebApp.DefaultUrls);

    /// <summary>
    /// POSTs <paramref name="length"/> bytes of a JPEG-looking body in 64 KiB chunks (Transfer-Encoding: chunked) and
    /// returns the raw response text. A reader runs beside the writer, so the answer is kept even when the server
    /// closes the connection before the upload ends (the writer's broken pipe is the expected end then).
    /// </summary>
    private static async Task<string> ChunkedUploadAsync(Uri address, string path, long length)
    {
        using var socket = new System.Net.Sockets.TcpClient();
        await socket.ConnectAsync(address.Host, address.Port);
        var stream = socket.GetStream();
        var reading = ReadToEndAsync(stream);
        try
        {
            await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(
                $"POST {path} HTTP/1.1\r\nHost: {address.Authority}\r\nContent-Type: image/jpeg\r\n" +
                "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"));
            var chunk = new byte[64 * 1024];
            chunk[0] = 0xFF; chunk[1] = 0xD8; chunk[2] = 0xFF;
            for (long sent = 0; sent < length && !reading.IsCompleted; sent += chunk.Length)
            {
                await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes($"{chunk.Length:X}\r\n"));
                await stream.WriteAsync(chunk);
                await stream.WriteAsync("\r\n"u8.ToArray());
                chunk[0] = chunk[1] = chunk[2] = 0;
            }
            await stream.WriteAsync("0\r\n\r\n"u8.ToArray());
        }
        catch (IOException) { } // the server closed the connection mid-upload, as it should past the limit
        return await reading.WaitAsync(TimeSpan.FromSeconds(30));
    }

    private static async Task<string> ReadToEndAsync(Stream stream)
    {
        var received = new MemoryStream();
        var buffer = new byte[8192];
        try
        {
            int n;
            while ((n = await stream.ReadAsync(buffer)) > 0) received.Write(buffer, 0, n);
        }
        catch (IOException) { } // a reset after the answer: what arrived before it is the answer
        return System.Text.Encoding.UTF8.GetString(received.ToArray());
    }
}
