using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace FerMlNet.Tests;

/// <summary>
/// The page end to end in Debian's headless Chromium driven by Playwright: a fake webcam plays a y4m video made from a
/// dataset face, and the page must show a box and a label; a group photo dropped on the Photo tab must show three
/// faces. Screenshots go to artifacts/screenshots/ (kept by CI) — look at them.
/// </summary>
[Trait(TestSpeed.Trait, TestSpeed.Slow)]
public class WebBrowserTests
{
    [Fact]
    public async Task TheLivePageShowsABoxAndALabelFromAFakeWebcamAndThePhotoTabAnnotatesEveryFace()
    {
        using var dir = TestData.NewTempDir();
        string y4m = dir.Combine("happy-face.y4m");
        WebTestData.WriteHappyY4m(y4m);
        await using var host = await KestrelHost.StartAsync();
        await using var chromium = await HeadlessChromium.LaunchAsync(
            "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", $"--use-file-for-fake-video-capture={y4m}");
        var browser = chromium.Browser;
        var consoleErrors = new List<string>();

        foreach (var (name, width, height) in new[] { ("desktop", 1280, 800), ("phone", 390, 844) })
        {
            var context = await browser.NewContextAsync(new BrowserNewContextOptions
            {
                ViewportSize = new ViewportSize { Width = width, Height = height },
                Permissions = ["camera"],
            });
            var page = await context.NewPageAsync();
            page.Console += (_, message) => { if (message.Type == "error") consoleErrors.Add(message.Text); };
            await page.GotoAsync(host.Address.ToString());
            await page.WaitForSelectorAsync("body[data-ready=true]");
            await page.ClickAsync("#live-start");
            // A face box and its label within a few seconds; the smoothed label of the clearly happy face is happy.
            await page.WaitForSelectorAsync("#live-stage[data-faces='1']", new() { Timeout = 20_000 });
            await page.WaitForSelectorAsync("#live-faces .face-card[data-label=happy]", new() { Timeout = 20_000 });
            // The fps chip shows a rate once a second answer arrived; a busy CI machine may take seconds per frame,
            // so wait for it rather than for a fixed time, and a rate must never read as zero.
            await Assertions.Expect(page.Locator("#fps-chip")).ToHaveTextAsync(
                new Regex(@"^(?!0\.0+ )\d+\.\d{1,2} fps$"), new() { Timeout = 20_000 });
            await page.ScreenshotAsync(new() { Path = Path.Combine(HeadlessChromium.Screenshots, $"live-{name}.png") });
            Assert.Contains("server", await page.InnerTextAsync("#latency-chip"));
            await context.CloseAsync();
        }

        // A server that needs 2.5 s per frame (the route holds each request back) must read as a slow rate, not 0 fps:
        // with one answer per two-second window the chip used to say "0.0 fps".
        var slowContext = await browser.NewContextAsync(new() { Permissions = ["camera"] });
        var slowPage = await slowContext.NewPageAsync();
        await slowPage.RouteAsync("**/api/v1/predict*", async route => { await Task.Delay(2500); await route.ContinueAsync(); });
        await slowPage.GotoAsync(host.Address.ToString());
        await slowPage.WaitForSelectorAsync("body[data-ready=true]");
        await slowPage.ClickAsync("#live-start");
        await Assertions.Expect(slowPage.Locator("#fps-chip")).ToHaveTextAsync(
            new Regex(@"^0\.[1-4]\d fps$"), new() { Timeout = 20_000 });
        await slowContext.CloseAsync();

        var photoContext = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 800 } });
        var photoPage = await photoContext.NewPageAsync();
        await photoPage.GotoAsync(host.Address.ToString());
        await photoPage.WaitForSelectorAsync("body[data-ready=true]");
        await photoPage.ClickAsync(".tab[data-tab=photo]");
        await photoPage.SetInputFilesAsync("#photo-input", new FilePayload
        {
            Name = "group.jpg", MimeType = "image/jpeg", Buffer = WebTestData.GroupPhotoJpeg(),
        });
        await Assertions.Expect(photoPage.Locator("#photo-faces .face-card")).ToHaveCountAsync(3, new() { Timeout = 20_000 });
        await photoPage.ScreenshotAsync(new() { Path = Path.Combine(HeadlessChromium.Screenshots, "photo-group.png"), FullPage = true });
        Assert.Contains("3 face(s)", await photoPage.InnerTextAsync("#photo-status"));

        await photoPage.ClickAsync(".tab[data-tab=batch]");
        await photoPage.SetInputFilesAsync("#batch-input", new[]
        {
            new FilePayload { Name = "group.jpg", MimeType = "image/jpeg", Buffer = WebTestData.GroupPhotoJpeg() },
            new FilePayload { Name = "crop.jpg", MimeType = "image/jpeg", Buffer = File.ReadAllBytes(WebTestData.ClearlyHappyFace) },
            new FilePayload { Name = "notes.png", MimeType = "image/png", Buffer = "not an image"u8.ToArray() },
            new FilePayload { Name = "=HYPERLINK(1).jpg", MimeType = "image/jpeg", Buffer = File.ReadAllBytes(WebTestData.ClearlyHappyFace) },
        });
        await Assertions.Expect(photoPage.Locator("#batch-table tbody tr")).ToHaveCountAsync(6, new() { Timeout = 20_000 });
        await photoPage.ScreenshotAsync(new() { Path = Path.Combine(HeadlessChromium.Screenshots, "batch.png"), FullPage = true });
        var download = await photoPage.RunAndWaitForDownloadAsync(() => photoPage.ClickAsync("#batch-csv"));
        string csv = File.ReadAllText(await download.PathAsync());
        Assert.StartsWith("path,face,x,y,width,height,label,confidence,p_happy,p_neutral,p_sad,p_surprise,error", csv);
        Assert.Equal(7, csv.TrimEnd().Split('\n').Length);
        Assert.Contains("\n'=HYPERLINK(1).jpg,", csv); // a spreadsheet shows the name instead of running it
        Assert.Contains("not a JPEG or PNG", csv);
        await photoContext.CloseAsync();

        Assert.True(consoleErrors.All(e => e.Contains("415")), string.Join("\n", consoleErrors)); // the bad batch file's 415 only
    }

    /// <summary>
    /// The live page against a server with the default rate limit (40 requests/s per client) for 30 s: one request
    /// per new camera frame at most, never a 429; and when the server does answer 429 the page waits for Retry-After
    /// and clears the message at the next answer.
    /// </summary>
    [Fact]
    public async Task TheLivePageSendsEachNewFrameOnceStaysUnderTheDefaultRateLimitAndRecoversFromA429()
    {
        using var dir = TestData.NewTempDir();
        string y4m = dir.Combine("happy-face.y4m");
        WebTestData.WriteHappyY4m(y4m);
        await using var host = await KestrelHost.StartAsync(rateLimit: new Web.ServeOptions().RateLimitPerSecond);
        await using var chromium = await HeadlessChromium.LaunchAsync(
            "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", $"--use-file-for-fake-video-capture={y4m}");
        var context = await chromium.Browser.NewContextAsync(new() { Permissions = ["camera"] });
        var page = await context.NewPageAsync();
        var statuses = new List<int>();
        page.Response += (_, response) => { if (response.Url.Contains("/api/v1/predict")) lock (statuses) statuses.Add(response.Status); };
        await page.GotoAsync(host.Address.ToString());
        await page.WaitForSelectorAsync("body[data-ready=true]");
        await page.ClickAsync("#live-start");
        await page.WaitForSelectorAsync("#live-stage[data-faces='1']", new() { Timeout = 20_000 });
        double framesBefore = await page.EvaluateAsync<double>("document.getElementById('live-video').getVideoPlaybackQuality().totalVideoFrames");
        int requestsBefore;
        lock (statuses) requestsBefore = statuses.Count;
        await Task.Delay(TimeSpan.FromSeconds(30));
        double frames = await page.EvaluateAsync<double>("document.getElementById('live-video').getVideoPlaybackQuality().totalVideoFrames") - framesBefore;
        int[] seen;
        lock (statuses) seen = statuses.ToArray();
        int requests = seen.Length - requestsBefore;
        Assert.DoesNotContain(429, seen);
        Assert.True(requests > 10, $"only {requests} frames answered in 30 s");
        Assert.True(requests <= frames + 1, $"{requests} requests for {frames} camera frames: a frame was sent twice");
        await context.CloseAsync();

        // Two 429s with Retry-After: 1, then the real server: the page waits at least a second before each retry and
        // the "Too many requests" message is gone once an answer arrives.
        var throttled = await chromium.Browser.NewContextAsync(new() { Permissions = ["camera"] });
        var throttledPage = await throttled.NewPageAsync();
        var refusedAt = new List<DateTime>();
        await throttledPage.RouteAsync("**/api/v1/predict*", async route =>
        {
            if (refusedAt.Count < 2)
            {
                refusedAt.Add(DateTime.UtcNow);
                await route.FulfillAsync(new()
                {
                    Status = 429, ContentType = "application/problem+json", Headers = new Dictionary<string, string> { ["Retry-After"] = "1" },
                    Body = """{"status":429,"detail":"Too many requests from this client; slow down.","error":"Too many requests from this client; slow down."}""",
                });
            }
            else await route.ContinueAsync();
        });
        await throttledPage.GotoAsync(host.Address.ToString());
        await throttledPage.WaitForSelectorAsync("body[data-ready=true]");
        await throttledPage.ClickAsync("#live-start");
        await throttledPage.WaitForSelectorAsync("#live-stage[data-faces='1']", new() { Timeout = 20_000 });
        Assert.Equal("", await throttledPage.InnerTextAsync("#live-status"));
        Assert.True(refusedAt[1] - refusedAt[0] >= TimeSpan.FromSeconds(0.95), $"retried after {(refusedAt[1] - refusedAt[0]).TotalSeconds:F2} s");
        await throttled.CloseAsync();
    }
}
