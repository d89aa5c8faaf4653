using System.Net;
using System.Text.Json;
using FerMlNet.Preprocessing;
using FerMlNet.Scoring;
using static FerMlNet.Tests.HttpTestExtensions;

namespace FerMlNet.Tests;

/// <summary>The REST API in ASP.NET's in-memory test server, with the shipped default model and real images.</summary>
public class WebApiTests : IClassFixture<DefaultWebFactory>
{
    private readonly FerWebFactory _factory;

    public WebApiTests(DefaultWebFactory factory) => _factory = factory;

    private static async Task<JsonElement> PredictOk(HttpClient client, HttpContent content)
    {
        var response = await client.PostAsync("/api/v1/predict", content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.JsonAsync();
    }

    private static async Task AssertError(HttpResponseMessage response, HttpStatusCode status, string messagePart)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var error = (await response.JsonAsync()).GetProperty("error").GetString()!;
        Assert.Contains(messagePart, error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task AFaceCropIsClassifiedWholeAndAClearlyHappyFaceComesBackHappy()
    {
        using var client = _factory.CreateClient();
        var answer = await PredictOk(client, Image(File.ReadAllBytes(WebTestData.ClearlyHappyFace)));
        var face = Assert.Single(answer.GetProperty("faces").EnumerateArray());
        Assert.Equal("happy", face.GetProperty("label").GetString());
        Assert.Equal("whole", face.GetProperty("mode").GetString());
        Assert.Equal(48, face.GetProperty("box").GetProperty("width").GetSingle());
        var probabilities = face.GetProperty("probabilities");
        Assert.Equal(["happy", "neutral", "sad", "surprise"], probabilities.EnumerateObject().Select(p => p.Name));
        Assert.Equal(1.0, probabilities.EnumerateObject().Sum(p => p.Value.GetDouble()), 3);
        Assert.Equal("fer-default.zip", answer.GetProperty("model").GetString());
    }

    [Fact]
    public async Task APhotoWithSeveralFacesReturnsEachAsMultipartOrRawBody()
    {
        using var client = _factory.CreateClient();
        byte[] group = WebTestData.GroupPhotoJpeg();
        using var form = new MultipartFormDataContent { { Image(group), "image", "group.jpg" } };
        foreach (var answer in new[] { await PredictOk(client, form), await PredictOk(client, Image(group)) })
        {
            var faces = answer.GetProperty("faces").EnumerateArray().ToList();
            Assert.Equal(3, faces.Count);
            Assert.All(faces, f => Assert.Equal("detected", f.GetProperty("mode").GetString()));
            // One box in each 350-px portrait.
            var columns = faces.Select(f => (int)((f.GetProperty("box").GetProperty("x").GetSingle()
                                                   + f.GetProperty("box").GetProperty("width").GetSingle() / 2) / 350)).Order();
            Assert.Equal([0, 1, 2], columns);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("?detectorSide=320")] // what the live page sends
    public async Task ACameraFrameMadeFromADatasetFaceFindsThatFace(string query)
    {
        using var client = _factory.CreateClient();
        using var frame = WebTestData.HappyFrame();
        var response = await client.PostAsync("/api/v1/predict" + query, Image(Cli.Bench.FaceFrames.Jpeg(frame)));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = await response.JsonAsync();
        var face = Assert.Single(answer.GetProperty("faces").EnumerateArray());
        var box = face.GetProperty("box");
        // The face was drawn at x 210-430, y 130-350; the detector's box sits on it.
        Assert.InRange(box.GetProperty("x").GetSingle() + box.GetProperty("width").GetSingle() / 2, 290, 350);
        Assert.InRange(box.GetProperty("y").GetSingle() + box.GetProperty("height").GetSingle() / 2, 200, 290);
        Assert.Equal("happy", face.GetProperty("predictedClass").GetString());
    }

    [Fact]
    public async Task BadRequestsGetTheirStatusAndAJsonError()
    {
        using var client = _factory.CreateClient();
        var text = "just some text, not an image"u8.ToArray();
        await AssertError(await client.PostAsync("/api/v1/predict", Image(text, "text/plain")), HttpStatusCode.UnsupportedMediaType, "content-type");
        await AssertError(await client.PostAsync("/api/v1/predict", Image(text)), HttpStatusCode.UnsupportedMediaType, "not a JPEG or PNG");
        var html = "<html><body>hello</body></html>"u8.ToArray();
        await AssertError(await client.PostAsync("/api/v1/predict", Image(html, "image/png")), HttpStatusCode.UnsupportedMediaType, "not a JPEG or PNG");
        await AssertError(await client.PostAsync("/api/v1/predict", Image([])), HttpStatusCode.BadRequest, "empty");
        var face = File.ReadAllBytes(WebTestData.ClearlyHappyFace);
        await AssertError(await client.PostAsync("/api/v1/predict?detectorSide=5000", Image(face)), HttpStatusCode.BadRequest, "detectorSide");
        var truncated = face[..200];
        await AssertError(await client.PostAsync("/api/v1/predict", Image(truncated)), HttpStatusCode.BadRequest, "");

        using var wrongField = new MultipartFormDataContent { { Image(face), "file", "a.jpg" } };
        await AssertError(await client.PostAsync("/api/v1/predict", wrongField), HttpStatusCode.BadRequest, "'image'");
        var broken = new StringContent("--xyz\r\nContent-Disposition: form-data; name=\"image\"\r\n\r\nno end");
        broken.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse("multipart/form-data; boundary=xyz");
        await AssertError(await client.PostAsync("/api/v1/predict", broken), HttpStatusCode.BadRequest, "multipart");
    }

    [Fact]
    public async Task OversizeBodiesAndHeaderClaimedBombsGet413BeforeAnyDecoding()
    {
        using var client = _factory.CreateClient();
        var big = new byte[8 * 1024 * 1024 + 1];
        big[0] = 0xFF; big[1] = 0xD8; big[2] = 0xFF;
        await AssertError(await client.PostAsync("/api/v1/predict", Image(big)), HttpStatusCode.RequestEntityTooLarge, "larger than");
        // A 60000×60000 PNG: a valid signature and header, then nothing — 10 GB of pixels if anyone tried.
        await AssertError(await client.PostAsync("/api/v1/predict", Image(HostileCorpus.PngHeaderOnly(60000, 60000), "image/png")),
            HttpStatusCode.RequestEntityTooLarge, "60000×60000");
    }

    [Fact]
    public async Task HealthAndMetricsReportTheModelAndTheRequests()
    {
        using var client = _factory.CreateClient();
        var health = await (await client.GetAsync("/healthz")).JsonAsync();
        Assert.Equal("ok", health.GetProperty("status").GetString());
        Assert.Equal("fer-default.zip", health.GetProperty("model").GetString());
        await PredictOk(client, Image(File.ReadAllBytes(WebTestData.ClearlyHappyFace)));
        await client.PostAsync("/api/v1/predict", Image("x"u8.ToArray(), "text/plain"));
        var metrics = await (await client.GetAsync("/api/v1/metrics")).JsonAsync();
        Assert.True(metrics.GetProperty("byStatus").GetProperty("200").GetInt64() >= 1);
        Assert.True(metrics.GetProperty("byStatus").GetProperty("415").GetInt64() >= 1);
        Assert.True(metrics.GetProperty("latencyMs").GetProperty("p95").GetDouble() > 0);
        Assert.True(metrics.GetProperty("faces").GetInt64() >= 1);
        Assert.InRange(metrics.GetProperty("sadNeutral").GetProperty("share").GetDouble(), 0, 1);
    }

    [Fact]
    public async Task ThePageAndItsAssetsAreServedByTheAppWithAStrictContentSecurityPolicy()
    {
        using var client = _factory.CreateClient();
        var page = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("js/main.js", html);
        Assert.DoesNotContain("http", html.Replace("http-equiv", ""), StringComparison.OrdinalIgnoreCase); // nothing from a CDN
        Assert.Contains("default-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single());
        foreach (var asset in new[] { "app.css", "js/main.js", "js/live.js", "js/photo.js", "js/batch.js", "js/api.js", "js/draw.js", "js/tracker.js" })
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(asset)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/../models/fer-default.zip")).StatusCode);
    }
}

/// <summary>Settings that need their own host: rate limiting and live model replacement.</summary>
[Collection(TorchCollection.Name)]
public class WebHostSettingsTests(TrainedModelFixture tiny) : IClassFixture<TrainedModelFixture>
{
    [Fact]
    public async Task AClientOverItsRateGets429WithAJsonError()
    {
        await using var factory = new FerWebFactory(("Fer:RateLimitPerSecond", "1"), ("Fer:RateLimitBurst", "2"));
        using var client = factory.CreateClient();
        var face = File.ReadAllBytes(WebTestData.ClearlyHappyFace);
        var statuses = new List<HttpStatusCode>();
        for (int i = 0; i < 4; i++) statuses.Add((await client.PostAsync("/api/v1/predict", Image(face))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, statuses[0]);
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
        var limited = await client.PostAsync("/api/v1/predict", Image(face));
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Contains("too many", (await limited.JsonAsync()).GetProperty("error").GetString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    [Trait(TestSpeed.Trait, TestSpeed.Slow)]
    public async Task ADeploymentCalibrationAdjustsEveryServedAnswerAndBelongsToOneModel()
    {
        using var dir = TestData.NewTempDir();
        string served = dir.Combine("served.zip");
        File.Copy(WebTestData.DefaultModel, served);
        float[] offsets = [-1.5f, -1.5f, -1.5f, 4.5f]; // strong enough to turn a clear happy face toward surprise
        string file = dir.Combine("deployment.json");
        File.WriteAllText(file, JsonSerializer.Serialize(new DeploymentCalibration
        {
            Model = "served.zip", ModelSha256 = Core.IO.FileHash.Sha256(served), ClassLogOffsets = offsets,
            PhotosPerClass = EmotionClasses.Names.ToDictionary(n => n, _ => 5), L2 = 0.1, Created = DateTimeOffset.UtcNow,
        }, DeploymentCalibration.JsonOptions));

        await using (var factory = new FerWebFactory(("Fer:ModelPath", served), ("Fer:DeploymentPath", file)))
        {
            using var client = factory.CreateClient();
            var face = File.ReadAllBytes(WebTestData.ClearlyHappyFace);
            var answer = Assert.Single((await (await client.PostAsync("/api/v1/predict", Image(face))).JsonAsync()).GetProperty("faces").EnumerateArray());
            using var library = FerPredictor.Load(served, new FerPredictorOptions { ClassLogOffsets = offsets });
            var expected = library.Predict(WebTestData.ClearlyHappyFace);
            var served4 = answer.GetProperty("probabilities").EnumerateObject().Select(p => p.Value.GetSingle()).ToArray();
            Assert.Equal(expected.Probabilities, served4, (a, b) => Math.Abs(a - b) < 1e-4);
            Assert.Equal(expected.Label, answer.GetProperty("label").GetString());
            using var plain = FerPredictor.Load(served);
            Assert.True(served4[3] > plain.Predict(WebTestData.ClearlyHappyFace).Probabilities[3] + 0.01, "the offsets moved nothing");
            Assert.Equal("deployment.json", (await (await client.GetAsync("/healthz")).JsonAsync()).GetProperty("deployment").GetString());
        }

        // Offsets fitted for one model file mean nothing for another: the server does not start with them.
        File.Copy(tiny.ZipPath, served, overwrite: true);
        await using var other = new FerWebFactory(("Fer:ModelPath", served), ("Fer:DeploymentPath", file));
        var refused = Assert.ThrowsAny<Exception>(() => other.CreateClient());
        Assert.Contains("was fitted for served.zip", refused.ToString());
    }

    [Fact]
    [Trait(TestSpeed.Trait, TestSpeed.Slow)]
    public async Task ReplacingTheModelFileSwapsTheModelWithoutFailingARequest()
    {
        using var dir = TestData.NewTempDir();
        string served = dir.Combine("served.zip");
        File.Copy(WebTestData.DefaultModel, served);
        await using var factory = new FerWebFactory(("Fer:ModelPath", served), ("Fer:RateLimitPerSecond", "100000"),
            ("Fer:RateLimitBurst", "100000"), ("Fer:ReloadDebounceMs", "200"));
        using var client = factory.CreateClient();
        string before = (await (await client.GetAsync("/healthz")).JsonAsync()).GetProperty("sha256").GetString()!;
        var face = File.ReadAllBytes(WebTestData.ClearlyHappyFace);

        using var stop = new CancellationTokenSource();
        var failures = new List<string>();
        int answered = 0;
        var load = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var response = await client.PostAsync("/api/v1/predict", Image(face));
                if (response.StatusCode != HttpStatusCode.OK) lock (failures) failures.Add(response.StatusCode.ToString());
                Interlocked.Increment(ref answered);
            }
        });
        // Atomic replacement, the way a deployment should do it: write next to it, then rename over it.
        File.Copy(tiny.ZipPath, dir.Combine("next.tmp"));
        File.Move(dir.Combine("next.tmp"), served, overwrite: true);
        string after = await WaitForShaChange(client, before);
        // A half-written or foreign file is refused and the swapped-in model keeps serving.
        File.WriteAllText(served, "not a model");
        await Task.Delay(1500);
        stop.Cancel();
        await load;

        Assert.NotEqual(before, after);
        Assert.Empty(failures);
        Assert.True(answered > 5, $"only {answered} requests ran during the swap");
        var metrics = await (await client.GetAsync("/api/v1/metrics")).JsonAsync();
        Assert.Equal(1, metrics.GetProperty("reloads").GetInt32());
        Assert.True(metrics.GetProperty("reloadFailures").GetInt32() >= 1);
        Assert.Equal(after, metrics.GetProperty("model").GetProperty("sha256").GetString());
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/api/v1/predict", Image(face))).StatusCode);
    }

    private static async Task<string> WaitForShaChange(HttpClient client, string before)
    {
        for (int i = 0; i < 100; i++)
        {
            string now = (await (await client.GetAsync("/healthz")).JsonAsync()).GetProperty("sha256").GetString()!;
            if (now != before) return now;
            await Task.Delay(100);
        }
        return before;
    }
}
