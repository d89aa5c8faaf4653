using System.Text.Json;
using Microsoft.Playwright;

namespace FerMlNet.Tests;

/// <summary>
/// Run reports and the leaderboard from two real (tiny) training runs, rendered in headless Chromium: every chart
/// must draw, the table must sort, and the screenshots (artifacts/screenshots/report.png, leaderboard.png) are there
/// to look at.
/// </summary>
public class ReportTests
{
    [Fact]
    public async Task TrainingRunsGetAReportAndCompareRanksThemOnValidationWithChartsThatRender()
    {
        using var data = TestData.NewTempDir();
        using var work = TestData.NewTempDir();
        TestData.CopySubset(data.Path, 24, ("train", "train"), ("validation", "validation"), ("test", "test"));
        string[] runs = [work.Combine("model-0"), work.Combine("fast")];
        File.WriteAllText(work.Combine("model-0.json"), """{ "name": "tiny-model-0", "architecture": "model-0", "epochs": 2, "batchSize": 32 }""");
        File.WriteAllText(work.Combine("fast.json"), """{ "name": "tiny-fast", "architecture": "fast", "epochs": 3, "batchSize": 32, "batchNormMomentum": 0.9 }""");
        foreach (var (pipeline, run) in new[] { (work.Combine("model-0.json"), runs[0]), (work.Combine("fast.json"), runs[1]) })
        {
            var train = CliProcess.Run("train", pipeline, "--data", data.Path, "--out", run);
            Assert.True(train.ExitCode == 0, train.Stderr);
            Assert.True(File.Exists(Path.Combine(run, "report.html")));
        }
        var evaluate = CliProcess.Run("evaluate", Path.Combine(runs[1], "model.zip"), "--data", data.Path, "--split", "test",
            "--out", Path.Combine(runs[1], "test"));
        Assert.True(evaluate.ExitCode == 0, evaluate.Stderr);

        string board = work.Combine("board");
        var compare = CliProcess.Run("compare", runs[0], runs[1], "--out", board);
        Assert.True(compare.ExitCode == 0, compare.Stderr);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(board, "leaderboard.json")));
        var rows = json.RootElement.EnumerateArray().ToList();
        Assert.Equal(2, rows.Count);
        var valAccuracies = rows.Select(r => r.GetProperty("valAccuracy").GetDouble()).ToList();
        Assert.Equal(valAccuracies.OrderDescending(), valAccuracies); // ranked on validation
        var fast = rows.Single(r => r.GetProperty("pipeline").GetString() == "tiny-fast");
        Assert.Equal(2, fast.GetProperty("testCi95").GetArrayLength()); // RUNDIR/test/metrics.json was picked up
        Assert.True(fast.GetProperty("latencyMs").GetDouble() > 0);
        Assert.Equal(319_300, fast.GetProperty("params").GetInt64());
        Assert.Contains("| tiny-fast |", File.ReadAllText(Path.Combine(board, "leaderboard.md")));

        await using var chromium = await HeadlessChromium.LaunchAsync();
        var page = await chromium.Browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });

        // The run report: the notebook's four training panels, confusion heatmap, per-class bars, calibration.
        await page.GotoAsync(new Uri(Path.Combine(runs[0], "report.html")).AbsoluteUri);
        var charts = page.Locator("svg.chart");
        Assert.Equal(7, await charts.CountAsync());
        foreach (var chart in await charts.AllAsync())
        {
            var box = await chart.BoundingBoxAsync();
            Assert.True(box is { Width: > 200, Height: > 150 }, "a chart did not render at its size");
            Assert.True(await chart.Locator("path, rect, circle").CountAsync() >= 2, "a chart has no data marks"); // 2 epochs → ≥ 2 bars or points
        }
        Assert.Equal(16, await page.Locator("svg.chart").Nth(4).Locator("rect[fill^='rgb']").CountAsync()); // 4×4 heatmap
        await page.ScreenshotAsync(new() { Path = Path.Combine(HeadlessChromium.Screenshots, "report.png"), FullPage = true });

        // The leaderboard: two cost charts, and a table that sorts when a header is clicked.
        await page.GotoAsync(new Uri(Path.Combine(board, "leaderboard.html")).AbsoluteUri);
        Assert.Equal(2, await page.Locator("svg.chart").CountAsync());
        Assert.Equal(2, await page.Locator("svg.chart").First.Locator("circle").CountAsync());
        var paramsHeader = page.Locator("#board th[data-col='7']");
        await paramsHeader.ClickAsync(); // ascending: the small fast network first
        Assert.Equal("tiny-fast", await page.Locator("#board tbody tr:first-child td:nth-child(3)").InnerTextAsync());
        await paramsHeader.ClickAsync(); // descending
        Assert.Equal("tiny-model-0", await page.Locator("#board tbody tr:first-child td:nth-child(3)").InnerTextAsync());
        await page.ScreenshotAsync(new() { Path = Path.Combine(HeadlessChromium.Screenshots, "leaderboard.png"), FullPage = true });
    }
}
