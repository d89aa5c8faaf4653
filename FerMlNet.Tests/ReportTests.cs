using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using FerMlNet.Core.Data;
using FerMlNet.Training.MlNet;
using FerMlNet.Lifecycle.Evaluation;
using FerMlNet.Lifecycle.Reports;
using Microsoft.Playwright;

namespace FerMlNet.Tests;

/// <summary>
/// Run reports and the leaderboard from two real (tiny) training runs, rendered in headless Chromium: every chart
/// must draw, the table must sort, and the screenshots (artifacts/screenshots/report.png, leaderboard.png) are there
/// to look at.
/// </summary>
[Trait(TestSpeed.Trait, TestSpeed.Slow)]
public class ReportTests
{
    [Fact]
    public async Task TrainingRunsGetAReportAndCompareRanksThemOnValidationWithChartsThatRender()
    {
        using var data = TestData.NewTempDir();
        using var work = TestData.NewTempDir();
        TestData.CopySubset(data.Path, 24, ("train", "train"), ("validation", "validation"), ("test", "test"));
        string[] runs = [work.Combine("model-0"), work.Combine("fast")];
        // The mixup run also learns from the shipped model's answers (distillation.teacherModel), end to end through the CLI.
        string teacher = Path.Combine(TestData.RepoRoot, "models", "fer-default.onnx");
        File.WriteAllText(work.Combine("model-0.json"), $$"""{ "name": "tiny-model-0", "architecture": "model-0", "epochs": 2, "batchSize": 32, "mix": { "probability": 0.5 }, "distillation": { "teacherModel": "{{teacher}}" } }""");
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

        // A calibrated copy, and the same model published with a card (MODEL.json beside MODEL.zip, as `fer publish`
        // writes it) and evaluated on validation: both are ranked by the cross-fitted accuracy of their fitted decision.
        string calibrated = work.Combine("fast-calibrated");
        var calibrate = CliProcess.Run("calibrate", runs[1], "--data", data.Path, "--keep-bias", "--out", calibrated);
        Assert.True(calibrate.ExitCode == 0, calibrate.Stderr);
        string calibrationText = File.ReadAllText(Path.Combine(calibrated, "calibration.json"));
        using var calibration = JsonDocument.Parse(calibrationText);
        // The bias choice's reason reads as written ('>' or '≤'), not as \u escapes.
        Assert.Contains(calibration.RootElement.GetProperty("biasChoice").GetProperty("reason").GetString()!, calibrationText);
        double crossFitted = calibration.RootElement.GetProperty("calibratedCrossFitted").GetProperty("accuracy").GetDouble();
        Directory.CreateDirectory(work.Combine("published"));
        File.Copy(Path.Combine(calibrated, "model.zip"), work.Combine("published", "fast.zip"));
        File.WriteAllText(work.Combine("published", "fast.json"), $$"""{ "name": "fast", "calibration": {{calibration.RootElement.GetRawText()}} }""");
        string published = work.Combine("published-val");
        var evaluateVal = CliProcess.Run("evaluate", work.Combine("published", "fast.zip"), "--data", data.Path, "--split", "val", "--out", published);
        Assert.True(evaluateVal.ExitCode == 0, evaluateVal.Stderr);

        string board = work.Combine("board");
        var compare = CliProcess.Run("compare", runs[0], runs[1], calibrated, published, "--out", board);
        Assert.True(compare.ExitCode == 0, compare.Stderr);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(board, "leaderboard.json")));
        Assert.Equal(LeaderboardFile.CurrentSchemaVersion, json.RootElement.GetProperty("schemaVersion").GetInt32());
        var rows = json.RootElement.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(4, rows.Count);
        var byRun = rows.ToDictionary(r => r.GetProperty("run").GetString()!);
        foreach (var run in new[] { "fast-calibrated", "published-val" })
            Assert.Equal(crossFitted, byRun[run].GetProperty("valCrossFitted").GetDouble());
        foreach (var run in new[] { "model-0", "fast" })
            Assert.Equal(JsonValueKind.Null, byRun[run].GetProperty("valCrossFitted").ValueKind);
        static double OutOfSample(JsonElement r) =>
            r.GetProperty("valCrossFitted") is { ValueKind: JsonValueKind.Number } c ? c.GetDouble() : r.GetProperty("valAccuracy").GetDouble();
        var ranked = rows.Select(OutOfSample).ToList();
        Assert.Equal(ranked.OrderDescending(), ranked); // ranked on validation, out of sample
        var fast = byRun["fast"];
        Assert.Equal(2, fast.GetProperty("testCi95").GetArrayLength()); // RUNDIR/test/metrics.json was picked up
        Assert.True(fast.GetProperty("latencyMs").GetDouble() > 0);
        Assert.Equal(319_300, fast.GetProperty("params").GetInt64());
        var markdown = File.ReadAllText(Path.Combine(board, "leaderboard.md"));
        Assert.Contains("| tiny-fast |", markdown);
        Assert.Contains($"| {(crossFitted * 100).ToString("0.0", CultureInfo.InvariantCulture)}% cross-fitted |", markdown);
        Assert.Contains("Ranked by validation accuracy out of sample", markdown);
        Assert.Contains("Pareto front against batch-1 latency", markdown);
        Assert.DoesNotContain("†", markdown);

        // The two trained runs wrote per-face validation answers: the better-ranked is the reference and the other is
        // compared with it face by face (one comparison, so Holm leaves the exact p as it is); the calibrated and the
        // published rows are not paired (their validation answers are in sample).
        var (reference, other) = OutOfSample(byRun["model-0"]) >= OutOfSample(byRun["fast"]) ? ("model-0", "fast") : ("fast", "model-0");
        var paired = McNemarTest.Of(SplitAnswers.Load(Path.Combine(work.Combine(reference), SplitAnswers.ValFileName)),
            SplitAnswers.Load(Path.Combine(work.Combine(other), SplitAnswers.ValFileName)));
        var vs = byRun[other].GetProperty("vsReference");
        Assert.Equal(reference, vs.GetProperty("reference").GetString());
        Assert.Equal((paired.Images, paired.OnlyFirstRight, paired.OnlySecondRight),
            (vs.GetProperty("images").GetInt32(), vs.GetProperty("onlyReferenceRight").GetInt32(), vs.GetProperty("onlyThisRight").GetInt32()));
        Assert.Equal(paired.PValue, vs.GetProperty("pValue").GetDouble(), 12);
        foreach (var run in new[] { reference, "fast-calibrated", "published-val" })
            Assert.Equal(JsonValueKind.Null, byRun[run].GetProperty("vsReference").ValueKind);
        Assert.Contains($"({paired.OnlyFirstRight:N0} : {paired.OnlySecondRight:N0}) |", markdown);
        Assert.Contains("| reference |", markdown);

        // A later comparison with one run folder carries the other run's row from the earlier board, marked as such;
        // the run given is measured anew.
        string later = work.Combine("later");
        var carried = CliProcess.Run("compare", runs[1], "--carry", Path.Combine(board, "leaderboard.json"), "--out", later);
        Assert.True(carried.ExitCode == 0, carried.Stderr);
        using var laterJson = JsonDocument.Parse(File.ReadAllText(Path.Combine(later, "leaderboard.json")));
        var laterRows = laterJson.RootElement.GetProperty("rows").EnumerateArray().ToDictionary(r => r.GetProperty("run").GetString()!);
        Assert.Equal(4, laterRows.Count);
        Assert.Equal(Path.Combine(board, "leaderboard.json"), laterRows["model-0"].GetProperty("carriedFrom").GetString());
        Assert.Equal(JsonValueKind.Null, laterRows["fast"].GetProperty("carriedFrom").ValueKind);
        Assert.Equal(byRun["model-0"].GetProperty("latencyMs").GetDouble(), laterRows["model-0"].GetProperty("latencyMs").GetDouble());
        Assert.Equal(crossFitted, laterRows["fast-calibrated"].GetProperty("valCrossFitted").GetDouble()); // carried with its row
        var laterMarkdown = File.ReadAllText(Path.Combine(later, "leaderboard.md"));
        Assert.Contains("| model-0 † | tiny-model-0 |", laterMarkdown);
        Assert.Contains("| fast | tiny-fast |", laterMarkdown);
        Assert.Contains("† 3 of 4 rows carried from", laterMarkdown);
        // A mixup run shows its gap (train accuracy over the unmixed batches); one trained before that rule, whose run.json
        // lacks "trainAccuracyCounts", scored blends against one label, and its gap is left out rather than shown wrong.
        Assert.Equal(JsonValueKind.Number, byRun["model-0"].GetProperty("gapPoints").ValueKind);
        string olderMixup = work.Combine("model-0-older");
        Directory.CreateDirectory(olderMixup);
        foreach (var file in Directory.GetFiles(runs[0])) File.Copy(file, Path.Combine(olderMixup, Path.GetFileName(file)));
        var olderRun = JsonNode.Parse(File.ReadAllText(Path.Combine(olderMixup, "run.json")))!.AsObject();
        Assert.Equal("unmixed batches", (string?)olderRun["trainAccuracyCounts"]);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(teacher))), (string?)olderRun["teacherModelSha256"]);
        olderRun.Remove("trainAccuracyCounts");
        File.WriteAllText(Path.Combine(olderMixup, "run.json"), olderRun.ToJsonString());
        var olderBoard = CliProcess.Run("compare", olderMixup, "--out", work.Combine("older-board"));
        Assert.True(olderBoard.ExitCode == 0, olderBoard.Stderr);
        using var olderJson = JsonDocument.Parse(File.ReadAllText(work.Combine("older-board", "leaderboard.json")));
        Assert.Equal(JsonValueKind.Null, olderJson.RootElement.GetProperty("rows")[0].GetProperty("gapPoints").ValueKind);

        // A run trained before fer train wrote val-answers.json: --score-answers scores it once from its model.zip, with
        // the answers training wrote, so it is paired like the others.
        string beforeAnswers = work.Combine("model-0-before-answers");
        Directory.CreateDirectory(beforeAnswers);
        foreach (var file in Directory.GetFiles(runs[0]).Where(f => Path.GetFileName(f) != SplitAnswers.ValFileName))
            File.Copy(file, Path.Combine(beforeAnswers, Path.GetFileName(file)));
        var scored = CliProcess.Run("compare", beforeAnswers, runs[1], calibrated, "--score-answers", "--out", work.Combine("answers-board"));
        Assert.True(scored.ExitCode == 0, scored.Stderr);
        Assert.Equal(SplitAnswers.Load(Path.Combine(runs[0], SplitAnswers.ValFileName)).Images,
            SplitAnswers.Load(Path.Combine(beforeAnswers, SplitAnswers.ValFileName)).Images);
        Assert.False(File.Exists(Path.Combine(calibrated, SplitAnswers.ValFileName))); // in sample: never scored, never paired

        var notABoard = CliProcess.Run("compare", "--carry", Path.Combine(runs[1], "metrics.json"), "--out", work.Combine("bad"));
        Assert.Equal(2, notABoard.ExitCode);
        Assert.Contains("metrics.json' is not a leaderboard.json", notABoard.Stderr);

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
        Assert.Equal(3, await page.Locator("svg.chart").First.Locator("circle").CountAsync()); // the evaluated published model has no model.onnx to time
        var paramsHeader = page.Locator("#board th[data-col='11']");
        await paramsHeader.ClickAsync(); // ascending: the small fast network first
        Assert.Equal("tiny-fast", await page.Locator("#board tbody tr:first-child td:nth-child(3)").InnerTextAsync());
        await paramsHeader.ClickAsync(); // descending
        Assert.Equal("tiny-model-0", await page.Locator("#board tbody tr:first-child td:nth-child(3)").InnerTextAsync());
        await page.ScreenshotAsync(new() { Path = Path.Combine(HeadlessChromium.Screenshots, "leaderboard.png"), FullPage = true });
    }

    [Fact]
    public void ReportJsonWritesTextAsWrittenAndRoundTripsInfiniteLosses()
    {
        // An ensemble's name and a bias reason, as fer calibrate and fer compare write them: no \u002B, no \u2264.
        var node = new JsonObject { ["pipeline"] = "vgg-gap+seed7", ["reason"] = "cross-fitted 79.1% ≤ 80.0% & kept" };
        string text = node.ToJsonString(Core.IO.ReportJson.Indented);
        Assert.Contains("\"vgg-gap+seed7\"", text);
        Assert.Contains("\"cross-fitted 79.1% ≤ 80.0% & kept\"", text);
        Assert.Contains("\n", text);

        // A history's "best so far" starts at ±infinity and a diverged epoch's loss is NaN: both survive the trip.
        string history = JsonSerializer.Serialize(new[] { new LossRecord(double.NaN, double.PositiveInfinity) }, Core.IO.ReportJson.IndentedCamelCase);
        Assert.Contains("\"bestValLoss\": \"Infinity\"", history);
        var back = JsonSerializer.Deserialize<LossRecord[]>(history, Core.IO.ReportJson.IndentedCamelCase)!;
        Assert.True(double.IsNaN(back[0].Loss));
        Assert.Equal(double.PositiveInfinity, back[0].BestValLoss);
    }

    private sealed record LossRecord(double Loss, double BestValLoss);

    [Fact]
    public void ParetoFrontKeepsTheRunsMoreAccurateThanEveryCheaperOne()
    {
        static LeaderboardRow Row(string run, double accuracy, double? ms) =>
            new(run, run, "", accuracy, [accuracy - 0.02, accuracy + 0.02], accuracy, 1000, null, null, null, null, null, ms * 10, null, null, ms);
        LeaderboardRow[] rows =
        [
            Row("best-but-slow", .805, 15), Row("fast-good", .80, 7), Row("slower-worse", .79, 8),
            Row("fastest", .78, 4), Row("as-fast-but-worse", .77, 4), Row("no-latency", .90, null),
        ];
        Assert.Equal(["fastest", "fast-good", "best-but-slow"], Leaderboard.ParetoFront(rows, r => r.LatencyMs).Select(r => r.Run));
        Assert.Contains("Pareto front against batch-1 latency (each run more accurate than every cheaper one): fastest (4 ms, 78.0%) → " +
                        "fast-good (7 ms, 80.0%) → best-but-slow (15 ms, 80.5%)", Leaderboard.Markdown(rows));
        // Drawn as a staircase on the latency chart only: training minutes are not comparable between runs.
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(Leaderboard.Html(rows), "stroke-dasharray"));
        Assert.DoesNotContain("Pareto front against training time", Leaderboard.Markdown(rows));

        // A row carried from an earlier board was timed in another process (often on another machine): the front is
        // drawn over the rows measured now, and says so, rather than crowning a run for where it was timed.
        LeaderboardRow[] mixed = [.. rows, Row("timed-elsewhere", .79, 1) with { CarriedFrom = "old/leaderboard.json" }];
        Assert.Contains("Pareto front against batch-1 latency (each run more accurate than every cheaper one, among the runs " +
                        "measured in this comparison): fastest (4 ms, 78.0%) → fast-good", Leaderboard.Markdown(mixed));
        Assert.Contains("among the runs measured in this comparison (carried latencies were timed elsewhere)", Leaderboard.Html(mixed));
        // A board made from --carry alone measured nothing now: its front spans every row and does not claim otherwise.
        LeaderboardRow[] allCarried = [.. mixed.Select(r => r with { CarriedFrom = "old/leaderboard.json" })];
        Assert.Contains("Pareto front against batch-1 latency (each run more accurate than every cheaper one): timed-elsewhere (1 ms, 79.0%) → " +
                        "fast-good", Leaderboard.Markdown(allCarried));
        Assert.DoesNotContain("among the runs measured in this comparison", Leaderboard.Html(allCarried));
    }

    [Fact]
    public void ALeaderboardRanksByValidationOnlyAndShowsATestFolderInTheTestColumn()
    {
        using var dir = TestData.NewTempDir();
        // Real metrics of 100 made-up answers, with the figures the leaderboard reads set to known values.
        var truth = Enumerable.Range(0, 100).Select(i => i % 4).ToArray();
        var scores = truth.Select((t, i) => Enumerable.Range(0, 4).Select(c => c == (i % 5 == 0 ? (t + 1) % 4 : t) ? 0.7f : 0.1f).ToArray()).ToArray();
        void Metrics(string path, DatasetSplit split, double accuracy, double? crowd) =>
            (MlNetEvaluation.FromScores(scores, truth, split) with
            {
                Accuracy = accuracy, AccuracyCi95 = [accuracy - 0.05, accuracy + 0.05], MacroF1 = accuracy,
                Crowd = crowd is { } c ? new CrowdMetrics { Majority = new() { Images = 100, Accuracy = c } } : null,
            }).Write(path);
        Directory.CreateDirectory(dir.Combine("trained", "test"));
        Metrics(dir.Combine("trained", "metrics.json"), DatasetSplit.Val, 0.80, 0.86);
        Metrics(dir.Combine("trained", "test", "metrics.json"), DatasetSplit.Test, 0.79, 0.85);
        Directory.CreateDirectory(dir.Combine("evaluated-on-test"));
        Metrics(dir.Combine("evaluated-on-test", "metrics.json"), DatasetSplit.Test, 0.95, null);
        var rows = Leaderboard.Collect([dir.Combine("evaluated-on-test"), dir.Combine("trained")]);
        Assert.Equal(["trained", "evaluated-on-test"], rows.Select(r => r.Run));
        Assert.Equal((0.80, 0.79, 0.86, 0.85), (rows[0].ValAccuracy, rows[0].TestAccuracy, rows[0].ValCrowdAccuracy, rows[0].TestCrowdAccuracy));
        Assert.Null(rows[1].ValAccuracy);
        Assert.Equal(0.95, rows[1].TestAccuracy);
        var table = Leaderboard.Markdown(rows);
        Assert.Contains("| 2 | evaluated-on-test | evaluated-on-test | – | – | – | 95.0% (90.0%–100.0%) | – | – |", table);
        Assert.Contains("| 1 | trained | trained | 80.0% (75.0%–85.0%) | 80.0% | – | 79.0% (74.0%–84.0%) | 86.0% | 85.0% |", table);
    }

    [Fact]
    public async Task CrowdedScatterLabelsNeitherOverlapNorLeaveThePlotInARealBrowser()
    {
        // A model-quality leaderboard's latency chart (2026-11): 14 runs, ten of them within 4 ms and 3 points.
        (double Ms, double Acc, string Run)[] runs =
        [
            (6.6, .806, "vgg-gap-restart-cutmix-calibrated"), (19.0, .803, "ens3-calibrated"), (6.2, .800, "vgg-gap-calibrated"),
            (13.9, .799, "vgg-gap+photo-calibrated"), (6.4, .798, "vgg-gap-restart-calibrated"), (6.2, .793, "vgg-gap-tta-temp"),
            (7.2, .784, "vgg-gap-photo-calibrated"), (3.5, .783, "vgg-gap-restart"), (3.7, .783, "vgg-gap-restart-cutmix"),
            (3.7, .780, "vgg-gap"), (25.9, .779, "vgg-gap+default-cpu-calibrated"), (3.6, .775, "vgg-gap-photo"),
            (19.8, .669, "default-cpu-calibrated"), (10.8, .656, "default-cpu"),
        ];
        string svg = new FerMlNet.Core.Reports.SvgChart("crowded").XRange(0, 26 * 1.25)
            .Points(runs.Select(r => (r.Ms, r.Acc, r.Run, "#3498db")).ToList(), runs.Select((_, i) => $"#{i + 1}").ToList())
            .ToSvg();

        await using var chromium = await HeadlessChromium.LaunchAsync();
        var page = await chromium.Browser.NewPageAsync();
        await page.SetContentAsync($"<html><body style='margin:0'>{svg}</body></html>");
        await page.ScreenshotAsync(new() { Path = Path.Combine(HeadlessChromium.Screenshots, "crowded-scatter.png") }); // before the asserts: to look at when they fail
        // The browser's own boxes of every label and point, in the svg's coordinates.
        var boxes = await page.EvaluateAsync<double[][]>("""
            () => [...document.querySelectorAll('svg text.pl, svg circle')].map(e => {
              const b = e.getBBox(); return [b.x, b.y, b.x + b.width, b.y + b.height, e.tagName === 'text' ? 1 : 0]; })
            """);
        var labels = boxes.Where(b => b[4] == 1).ToList();
        var marks = boxes.Where(b => b[4] == 0).ToList();
        Assert.Equal(runs.Length, marks.Count);
        Assert.Equal(runs.Length, labels.Count); // every point got its name or its number
        Assert.True(labels.Count(b => b[2] - b[0] > 30) >= runs.Length / 2, "most points should carry their name");
        static bool Overlap(double[] a, double[] b) => a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
        for (int i = 0; i < labels.Count; i++)
        {
            // Inside the plot: right of the y axis (58 px in), left of the chart's 520 px edge.
            Assert.True(labels[i][0] >= 58 - 1 && labels[i][2] <= 520 + 0.5, $"label {i} leaves the plot sideways: {string.Join(",", labels[i])}");
            if (labels[i][2] - labels[i][0] > 30) // names stay clear of points; a number may sit on a near-coincident one
                Assert.False(marks.Any(m => Overlap(labels[i], m)), $"label {i} covers a point");
            for (int j = i + 1; j < labels.Count; j++)
                Assert.False(Overlap(labels[i], labels[j]), $"labels {i} and {j} overlap");
        }
        Assert.Equal(runs.Select(r => r.Run), await page.Locator("svg circle title").AllTextContentsAsync());
    }
}
