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
        var endless = new StreamContent(new ChunkyStream(9 * 1024 * 1024));
        endless.Headers.ContentType = new("image/jpeg");
        var tooBig = await host.Client.PostAsync("/api/v1/predict", endless);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooBig.StatusCode);
        Assert.Contains("larger than", (await tooBig.JsonAsync()).GetProperty("error").GetString());
    }

    [Fact]
    public async Task UnderMixedLoadAndSlowlorisThereIsNo5xxAndSlowConnectionsAreClosed()
    {
        await using var host = await KestrelHost.StartAsync(rateLimit: 1_000_000);
        using var frame = WebTestData.HappyFrame();
        var result = await Web.Bench.LoadTest.RunAsync(host.Address, Web.Bench.FaceFrames.Jpeg(frame),
            File.ReadAllBytes(WebTestData.ClearlyHappyFace), requests: 400, clients: 16, TimeSpan.FromMinutes(2), slowClients: 2);
        Assert.Equal(400, result.Requests);
        Assert.DoesNotContain(result.ByStatus.Keys, status => status >= 500);
        Assert.Equal(0, result.UnansweredValid);
        Assert.Equal(160, result.ByStatus[200]); // frames and crops: 4 of every 10 requests
        Assert.Equal(2, result.SlowClientsClosed);
    }

    [Fact]
    public void TheDefaultBindIsLoopback() =>
        Assert.StartsWith("http://127.0.0.1:", FerWebApp.DefaultUrls);

    /// <summary>A JPEG-looking stream of the given length whose length is not known up front (sent chunked).</summary>
    private sealed class ChunkyStream(long length) : Stream
    {
        private long _position;
        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = (int)Math.Min(count, length - _position);
            for (int i = 0; i < n; i++) buffer[offset + i] = _position + i < 3 ? (byte)(_position + i == 1 ? 0xD8 : 0xFF) : (byte)0;
            _position += n;
            return n;
        }
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
