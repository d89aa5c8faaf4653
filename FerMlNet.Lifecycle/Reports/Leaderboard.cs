using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FerMlNet.Core.IO;
using FerMlNet.Core.Reports;
using FerMlNet.Training.MlNet;
using FerMlNet.Lifecycle.Calibration;
using FerMlNet.Lifecycle.Evaluation;
using FerMlNet.Lifecycle.Runs;
using FerMlNet.Scoring;
using static FerMlNet.Core.Reports.HtmlReport;

namespace FerMlNet.Lifecycle.Reports;

/// <summary>
/// One run on the leaderboard; null where the run folder does not say (e.g. no test evaluation yet, or a folder of
/// `fer evaluate --split test` that has test metrics only: its validation cells are empty and it ranks after every
/// run with validation metrics). <paramref name="ValCrowdAccuracy"/> and <paramref name="TestCrowdAccuracy"/> are the
/// accuracies against the FER+ crowd majority (CrowdEvaluation) where the metrics have them.
/// <paramref name="CarriedFrom"/> is null for a run read and measured in this comparison, and otherwise the earlier
/// leaderboard.json the row was copied from, numbers and latency as measured then. <paramref name="ValCrossFitted"/>
/// is set for a calibrated model: the validation accuracy of its fitted class biases and temperature, 2-fold
/// cross-fitted (each half scored with the decision fitted on the other), since <paramref name="ValAccuracy"/> was
/// measured on the faces the decision was fitted on. <paramref name="VsReference"/> compares the run face by face with
/// the board's reference run (<see cref="PairedComparison"/>) where both have validation answers on the same faces.
/// </summary>
public sealed record LeaderboardRow(string Run, string Pipeline, string Architecture, double? ValAccuracy, double[]? ValCi95,
    double? MacroF1, int? ValImages, double? TestAccuracy, double[]? TestCi95, double? GapPoints, long? Params, int? Epochs,
    double? TrainMinutes, double? TrainImagesPerSecond, long? ModelBytes, double? LatencyMs, string? CarriedFrom = null,
    double? ValCrossFitted = null, double? ValCrowdAccuracy = null, double? TestCrowdAccuracy = null,
    PairedComparison? VsReference = null)
{
    /// <summary>
    /// The validation accuracy the board ranks by: out of sample, so the cross-fitted figure for a calibrated model
    /// (in sample, its fitted decision flatters it) and the plain one for every other model.
    /// </summary>
    public double? ValOutOfSample => ValCrossFitted ?? ValAccuracy;

    /// <summary>Best first by <see cref="ValOutOfSample"/>; rows without validation metrics last, in the given order.</summary>
    public static IReadOnlyList<LeaderboardRow> Ranked(IEnumerable<LeaderboardRow> rows) =>
        rows.OrderBy(r => r.ValOutOfSample is null).ThenByDescending(r => r.ValOutOfSample ?? 0).ToList();
}

/// <summary>
/// A leaderboard row against the reference row (the best-ranked run with per-face validation answers): McNemar's exact
/// test on the validation faces both scored, Holm-adjusted over every row compared. Null on the reference row itself.
/// </summary>
/// <param name="Reference">The reference run.</param>
/// <param name="Images">Validation faces both scored.</param>
/// <param name="OnlyReferenceRight">Faces the reference answers right and this run wrong.</param>
/// <param name="OnlyThisRight">Faces this run answers right and the reference wrong.</param>
/// <param name="PValue">Holm-adjusted two-sided p-value.</param>
public sealed record PairedComparison(string Reference, int Images, int OnlyReferenceRight, int OnlyThisRight, double PValue);

/// <summary>
/// `fer compare`: an AutoML-style leaderboard over run folders — validation (and test, when RUNDIR/test/metrics.json
/// exists) accuracy with CI, macro-F1, gap, size, time, throughput, and batch-1 latency measured here and now for every
/// model in the same process, so latencies compare like with like. Sorted by validation accuracy out of sample
/// (<see cref="LeaderboardRow.ValOutOfSample"/>): the test split is shown, never used to rank.
/// </summary>
public static class Leaderboard
{
    /// <summary>Writes DIR/leaderboard.json (the rows), leaderboard.md and leaderboard.html atomically; returns the markdown.</summary>
    public static string WriteFiles(string dir, IReadOnlyList<LeaderboardRow> rows)
    {
        var markdown = Markdown(rows);
        new LeaderboardFile { Rows = rows }.Write(dir);
        AtomicFile.WriteAllText(Path.Combine(dir, "leaderboard.md"), markdown);
        AtomicFile.WriteAllText(Path.Combine(dir, "leaderboard.html"), Html(rows));
        return markdown;
    }

    /// <summary>Reads each run folder and measures each model's batch-1 latency (ONNX Runtime, 1 thread, median of 100).</summary>
    public static IReadOnlyList<LeaderboardRow> Collect(IEnumerable<string> runDirs)
    {
        var rows = new List<LeaderboardRow>();
        var answers = new Dictionary<string, SplitAnswers>();
        foreach (var dir in runDirs.Select(Path.GetFullPath))
        {
            var metricsPath = Path.Combine(dir, "metrics.json");
            if (!File.Exists(metricsPath)) throw new FileNotFoundException($"'{dir}' has no metrics.json; is it a run folder?");
            var metrics = EvaluationMetrics.Load(metricsPath);
            var run = RunRecord.LoadIfPresent(dir);
            var testPath = Path.Combine(dir, "test", "metrics.json");
            var test = File.Exists(testPath) ? EvaluationMetrics.Load(testPath) : null;
            // A folder of `fer evaluate --split test` holds test metrics where a run holds validation ones: shown in the
            // test column, never ranked as validation.
            EvaluationMetrics? val = metrics;
            if (metrics.Split == "test") (val, test) = (null, test ?? metrics);
            var onnx = Path.Combine(dir, "model.onnx");
            // `fer calibrate` keeps its calibration in run.json; `fer evaluate` of a published model copies the card's.
            var calibration = run?.Calibration is { } record ? FittedCalibrationSummary.Of(record, dir) : metrics.FittedCalibration;
            var gap = CountedBlends(run) ? null : run?.Gap?.GapPoints ?? GapFromHistory(dir);
            var crossFitted = val is null ? null : CrossFittedAccuracy(calibration, val);
            // Per-face answers of the faces the row ranks by; a calibrated model's are in sample, so it is not paired.
            var answersPath = Path.Combine(dir, SplitAnswers.ValFileName);
            if (val is not null && crossFitted is null && File.Exists(answersPath))
                answers[Path.GetFileName(dir)] = SplitAnswers.Load(answersPath);
            rows.Add(new LeaderboardRow(
                Path.GetFileName(dir),
                run?.PipelineName ?? Path.GetFileName(dir),
                run?.Architecture ?? "",
                val?.Accuracy, val?.AccuracyCi95, (val ?? test)?.MacroF1, val?.Images,
                test?.Accuracy, test?.AccuracyCi95,
                gap, run?.Params, run?.EpochsRun, run?.TrainSeconds / 60, run?.ImagesPerSecond,
                File.Exists(onnx) ? new FileInfo(onnx).Length : null,
                File.Exists(onnx) ? MeasureLatencyMs(onnx) : null,
                ValCrossFitted: crossFitted,
                ValCrowdAccuracy: val?.Crowd?.Majority?.Accuracy,
                TestCrowdAccuracy: test?.Crowd?.Majority?.Accuracy));
        }
        return PairedWithReference(LeaderboardRow.Ranked(rows), answers);
    }

    /// <summary>
    /// Each ranked row with per-face answers against the best-ranked such row, where both scored the same faces
    /// (McNemar's exact test, Holm-adjusted over the rows compared).
    /// </summary>
    private static IReadOnlyList<LeaderboardRow> PairedWithReference(IReadOnlyList<LeaderboardRow> ranked, IReadOnlyDictionary<string, SplitAnswers> answers)
    {
        var reference = ranked.FirstOrDefault(r => answers.ContainsKey(r.Run));
        if (reference is null) return ranked;
        var referenceFaces = answers[reference.Run].Images.Select(a => a.Path).ToHashSet(StringComparer.Ordinal);
        var paired = ranked.Where(r => r != reference && answers.TryGetValue(r.Run, out var a) && a.Images.Count == referenceFaces.Count &&
                                       a.Images.All(i => referenceFaces.Contains(i.Path))).ToList();
        var tests = McNemarTest.AgainstReference(answers[reference.Run], [.. paired.Select(r => answers[r.Run])]);
        var byRun = paired.Select((r, i) => (r.Run, Comparison: new PairedComparison(reference.Run, tests[i].Test.Images,
                tests[i].Test.OnlyFirstRight, tests[i].Test.OnlySecondRight, tests[i].AdjustedP)))
            .ToDictionary(p => p.Run, p => p.Comparison);
        return ranked.Select(r => byRun.TryGetValue(r.Run, out var c) ? r with { VsReference = c } : r).ToList();
    }

    /// <summary>
    /// The cross-fitted accuracy of the model's fitted calibration, when these metrics are on the faces it was fitted on.
    /// </summary>
    private static double? CrossFittedAccuracy(FittedCalibrationSummary? calibration, EvaluationMetrics metrics) =>
        calibration is not null && calibration.FittedOn.Split == metrics.Split && calibration.FittedOn.Images == metrics.Images
            ? calibration.CalibratedCrossFitted.Accuracy : null;

    /// <summary>
    /// Adds the rows of an earlier leaderboard whose run folders are not among <paramref name="measured"/> — a research
    /// log outlives the run folders (deleted, or on another machine) — marked with where they came from. A run in both
    /// is taken as measured now. Ranked by validation accuracy out of sample again.
    /// </summary>
    public static IReadOnlyList<LeaderboardRow> CarryOver(IReadOnlyList<LeaderboardRow> measured, IEnumerable<LeaderboardRow> earlier, string source)
    {
        var here = measured.Select(r => r.Run).ToHashSet();
        return LeaderboardRow.Ranked(measured.Concat(earlier.Where(r => !here.Contains(r.Run))
            .Select(r => r with { CarriedFrom = r.CarriedFrom ?? source, VsReference = null })));
    }

    /// <summary>
    /// Whether the run mixed its batches (mixup, CutMix) and was trained before train accuracy left blended batches out:
    /// its train accuracy, and so its gap, read about 10 points low and is not shown.
    /// </summary>
    private static bool CountedBlends(RunRecord? run) =>
        run?.Pipeline?["mix"] is JsonObject && run.TrainAccuracyCounts is null;

    /// <summary>The gap of runs written before run.json carried it, from their history.json.</summary>
    private static double? GapFromHistory(string dir) =>
        GapDiagnosis.FromHistory(RunReport.ReadHistory(dir))?.GapPoints;

    /// <summary>Median time of one 48×48 face through ONNX Runtime with one intra-op thread (after 20 warm-up runs).</summary>
    public static double MeasureLatencyMs(string onnxPath, int runs = 100)
    {
        using var predictor = FerPredictor.Load(onnxPath, new FerPredictorOptions { IntraOpThreads = 1 });
        var face = new byte[Preprocessing.PreprocessingContract.PixelCount];
        for (int i = 0; i < 20; i++) predictor.PredictPixels(face);
        var times = new double[runs];
        for (int i = 0; i < runs; i++)
        {
            long start = Stopwatch.GetTimestamp();
            predictor.PredictPixels(face);
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        Array.Sort(times);
        return times[runs / 2];
    }

    /// <summary>leaderboard.md: the table for CI logs and pull requests.</summary>
    public static string Markdown(IReadOnlyList<LeaderboardRow> rows)
    {
        var reference = ReferenceOf(rows);
        var sb = new StringBuilder("| ").AppendJoin(" | ", Header).Append(" |\n");
        sb.Append('|').Append(string.Concat(Enumerable.Repeat("---|", Header.Length))).Append('\n');
        foreach (var (r, i) in rows.Select((r, i) => (r, i)))
        {
            var cells = Cells(r, reference);
            cells[0] = (i + 1).ToString();
            sb.Append("| ").AppendJoin(" | ", cells).Append(" |\n");
        }
        sb.Append('\n').Append(RankingNote).Append('\n');
        if (CarriedNote(rows) is { } carried) sb.Append('\n').Append(carried).Append('\n');
        foreach (var (cost, unit, x, _) in Costs.Where(c => c.Pareto))
        {
            var front = ParetoFront(FrontCandidates(rows), x);
            var among = FrontLeavesOutCarried(rows) ? ", among the runs measured in this comparison" : "";
            if (front.Count > 0)
                sb.Append($"\nPareto front against {cost} (each run more accurate than every cheaper one{among}): ")
                  .AppendJoin(" → ", front.Select(r => $"{r.Run} ({x(r)!.Value.ToString("0.#", CultureInfo.InvariantCulture)} {unit}, {P(r.ValOutOfSample!.Value)})")).Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>
    /// The costs a run is weighed against in the charts, and whether a Pareto front is drawn for it. Latency is
    /// measured for every model in one process, so it compares like with like. Training time does not: it is each
    /// run's own wall clock (a warm start or a distilled student leaves out the runs it needs first, and whatever else
    /// shared the machine slowed it), so a front over it would crown the wrong runs.
    /// </summary>
    private static readonly (string Name, string Unit, Func<LeaderboardRow, double?> Of, bool Pareto)[] Costs =
    [
        ("batch-1 latency", "ms", r => r.LatencyMs, true),
        ("training time", "min", r => r.TrainMinutes, false),
    ];

    /// <summary>
    /// The Pareto front of validation accuracy (out of sample) against a cost, cheapest first: the runs that are more
    /// accurate than every run that costs less (or as much), so no other run beats them on both. Runs without the cost
    /// are left out.
    /// </summary>
    public static IReadOnlyList<LeaderboardRow> ParetoFront(IReadOnlyList<LeaderboardRow> rows, Func<LeaderboardRow, double?> cost)
    {
        var front = new List<LeaderboardRow>();
        foreach (var r in rows.Where(r => cost(r) is not null && r.ValOutOfSample is not null).OrderBy(r => cost(r)).ThenByDescending(r => r.ValOutOfSample))
            if (front.Count == 0 || r.ValOutOfSample > front[^1].ValOutOfSample) front.Add(r);
        return front;
    }

    /// <summary>
    /// The rows a latency front may be drawn over: all of them, or, when some were carried from earlier boards, only
    /// those measured now — a carried latency was measured in another process, often on another machine (the 2026-12-03
    /// CPU ran the shipped model about a third faster than earlier ones), so a front across both would crown whichever
    /// runs happened to be timed on the faster machine.
    /// </summary>
    private static IReadOnlyList<LeaderboardRow> FrontCandidates(IReadOnlyList<LeaderboardRow> rows) =>
        FrontLeavesOutCarried(rows) ? rows.Where(r => r.CarriedFrom is null).ToList() : rows;

    /// <summary>
    /// Whether the front is restricted to the rows measured now: the board mixes carried and measured rows. A board
    /// made only from --carry has nothing measured now, so its front spans every row and must not claim otherwise.
    /// </summary>
    private static bool FrontLeavesOutCarried(IReadOnlyList<LeaderboardRow> rows) =>
        rows.Any(r => r.CarriedFrom is not null) && rows.Any(r => r.CarriedFrom is null);

    private static readonly string[] Header =
        ["#", "run", "pipeline", "val acc (95% CI)", "val out of sample", "vs reference", "test acc (95% CI)", "val FER+", "test FER+", "macro-F1",
         "gap (pts)", "params", "epochs", "train min", "train img/s", "model MB", "batch-1 ms"];

    private const string RankingNote =
        "Ranked by validation accuracy out of sample: a calibrated model by the 2-fold cross-fitted accuracy of its " +
        "fitted class biases and temperature (its plain val figure was measured on the faces they were fitted on), " +
        "every other model by its val accuracy; the test split is shown, never used to rank. Gap: train accuracy at the " +
        "best epoch (augmentation and dropout on, blended mixup/CutMix batches left out) minus val accuracy; – for " +
        "ensembles and for mixed runs trained before blended batches were left out. Accuracies are against the folder " +
        "labels; val FER+ and test FER+ are against the FER+ crowd majority of the faces that have one (– where the " +
        "metrics predate it). A folder of test metrics alone is listed after the ranked runs. vs reference: each run " +
        "against the best-ranked run that wrote per-face validation answers (val-answers.json), on the same faces: " +
        "McNemar's exact p, Holm-adjusted over the runs compared, and the faces only the reference / only this run " +
        "answers right; – for a calibrated model (its validation answers are in sample) and where the faces differ.";

    private const string CarriedMark = " †";

    /// <summary>The run's name as the table and charts show it: marked when the row was carried from an earlier board.</summary>
    private static string Label(LeaderboardRow r) => r.Run + (r.CarriedFrom is null ? "" : CarriedMark);

    /// <summary>The footnote for rows copied from earlier leaderboards, or null when every row was measured now.</summary>
    private static string? CarriedNote(IReadOnlyList<LeaderboardRow> rows)
    {
        var sources = rows.Select(r => r.CarriedFrom).OfType<string>().Distinct().ToList();
        return sources.Count == 0 ? null :
            $"† {rows.Count(r => r.CarriedFrom is not null)} of {rows.Count} rows carried from " + string.Join(", ", sources) +
            ": their run folders were not given, so every number in them, batch-1 latency included, is as measured then; " +
            "latencies from different comparisons are only roughly comparable.";
    }

    /// <summary>The run the board's face-by-face comparisons were made against, if any.</summary>
    private static string? ReferenceOf(IReadOnlyList<LeaderboardRow> rows) => rows.Select(r => r.VsReference?.Reference).FirstOrDefault(n => n is not null);

    private static string[] Cells(LeaderboardRow r, string? reference) =>
    [
        "", Label(r), r.Pipeline, r.ValAccuracy is { } v ? $"{P(v)} ({P(r.ValCi95![0])}–{P(r.ValCi95[1])})" : "–",
        r.ValCrossFitted is { } crossFitted ? $"{P(crossFitted)} cross-fitted" : r.ValAccuracy is { } plain ? P(plain) : "–",
        r.VsReference is { } paired ? $"p {McNemarTest.Format(paired.PValue)} ({paired.OnlyReferenceRight:N0} : {paired.OnlyThisRight:N0})"
            : r.Run == reference ? "reference" : "–",
        r.TestAccuracy is { } t ? $"{P(t)} ({P(r.TestCi95![0])}–{P(r.TestCi95[1])})" : "–",
        r.ValCrowdAccuracy is { } vc ? P(vc) : "–", r.TestCrowdAccuracy is { } tc ? P(tc) : "–",
        N(r.MacroF1, "0.000"), N(r.GapPoints, "0.0"), r.Params?.ToString("N0") ?? "–",
        r.Epochs?.ToString() ?? "–", N(r.TrainMinutes, "0.0"), N(r.TrainImagesPerSecond, "0"),
        N(r.ModelBytes / 1e6, "0.0"), N(r.LatencyMs, "0.00"),
    ];

    /// <summary>leaderboard.html: a sortable table (click a header) and accuracy-vs-cost charts; one offline file.</summary>
    public static string Html(IReadOnlyList<LeaderboardRow> rows)
    {
        var report = new HtmlReport("FerMlNet leaderboard");
        report.Paragraph($"{rows.Count} runs. {RankingNote} " +
                         "Batch-1 latency was measured for every model in this run of fer compare: ONNX Runtime, 1 thread, median of 100.");
        if (CarriedNote(rows) is { } carried) report.Paragraph(carried);
        var reference = ReferenceOf(rows);
        var sb = new StringBuilder("<table id=\"board\" class=\"sortable\"><thead><tr>");
        for (int c = 0; c < Header.Length; c++) sb.Append($"<th data-col=\"{c}\" title=\"click to sort\">{Escape(Header[c])} ⇅</th>");
        sb.Append("</tr></thead><tbody>");
        foreach (var (r, i) in rows.Select((r, i) => (r, i)))
        {
            var cells = Cells(r, reference);
            cells[0] = (i + 1).ToString();
            double?[] keys = [i + 1, null, null, r.ValAccuracy, r.ValOutOfSample, r.VsReference?.PValue, r.TestAccuracy, r.ValCrowdAccuracy, r.TestCrowdAccuracy, r.MacroF1, r.GapPoints,
                              r.Params, r.Epochs, r.TrainMinutes, r.TrainImagesPerSecond, r.ModelBytes, r.LatencyMs];
            sb.Append("<tr>");
            for (int c = 0; c < cells.Length; c++)
                sb.Append($"<td data-key=\"{(keys[c] is { } k ? k.ToString(CultureInfo.InvariantCulture) : Escape(cells[c]))}\">{Escape(cells[c])}</td>");
            sb.Append("</tr>");
        }
        report.Raw(sb.Append("</tbody></table>").ToString());
        report.Heading("Accuracy against cost");
        report.Paragraph("Each point is a run, labelled with its name where it fits and otherwise with its # in the table; hover a point for its name. " +
                         "The dashed staircase on the latency chart is the Pareto front: the runs more accurate than every faster run" +
                         (FrontLeavesOutCarried(rows) ? ", among the runs measured in this comparison (carried latencies were timed elsewhere)." : "."));
        report.Raw("<div class=\"grid2\">" + string.Concat(Costs.Select(c => CostChart(rows, $"{c.Name} ({c.Unit})", c.Of, c.Pareto))) + "</div>");
        report.Raw(SortScript);
        return report.ToString();
    }

    // Points are labelled with the run (unique, unlike the pipeline: a run and its calibrated copy share one), best
    // first; where a name does not fit, the point shows its # in the table.
    private static string CostChart(IReadOnlyList<LeaderboardRow> rows, string cost, Func<LeaderboardRow, double?> x, bool pareto)
    {
        var ranked = rows.Select((r, i) => (Row: r, Rank: i + 1)).Where(p => x(p.Row) is not null && p.Row.ValOutOfSample is not null).ToList();
        var points = ranked.Select((p, i) => (x(p.Row)!.Value, p.Row.ValOutOfSample!.Value, Label(p.Row), Palette[i % Palette.Length])).ToList();
        var chart = new SvgChart($"Validation accuracy (out of sample) vs {cost}")
        {
            XLabel = cost, YLabel = "validation accuracy, out of sample", YFormat = v => $"{v * 100:0}%",
        };
        if (points.Count > 0)
        {
            double max = points.Max(p => p.Item1);
            chart.XRange(0, max * 1.25 + 1e-9);
        }
        // The front as a staircase: from each front run, across at its accuracy to the next one's cost, then up.
        var front = pareto ? ParetoFront(FrontCandidates(rows), x) : [];
        var stairs = front.SelectMany((r, i) => i == 0 ? [(x(r)!.Value, r.ValOutOfSample!.Value)]
            : new[] { (x(r)!.Value, front[i - 1].ValOutOfSample!.Value), (x(r)!.Value, r.ValOutOfSample!.Value) }).ToList();
        if (stairs.Count > 1) chart.Line(null, "#888", stairs, markers: false, dashed: true);
        return chart.Points(points, ranked.Select(p => $"#{p.Rank}").ToList()).ToSvg();
    }

    private static readonly string[] Palette = ["#3498db", "#e74c3c", "#27ae60", "#8e44ad", "#f39c12", "#16a085", "#d35400", "#2c3e50"];

    // Sorting by each cell's data-key: numbers numerically, text alphabetically; a second click reverses. Blanks stay last.
    private const string SortScript = """
        <script>
        document.querySelectorAll('table.sortable th').forEach(th => th.addEventListener('click', () => {
          const table = th.closest('table'), body = table.tBodies[0], col = +th.dataset.col;
          const asc = th.dataset.dir !== 'asc'; th.dataset.dir = asc ? 'asc' : 'desc';
          const key = tr => tr.children[col].dataset.key, num = v => v !== '' && !isNaN(v);
          [...body.rows].sort((a, b) => {
            const x = key(a), y = key(b);
            if (num(x) !== num(y)) return num(x) ? -1 : 1; // a number before a blank ("–") either way
            const c = num(x) ? x - y : x.localeCompare(y);
            return asc ? c : -c;
          }).forEach(tr => body.appendChild(tr));
        }));
        </script>
        """;

    private static string P(double v) => (v * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";
    private static string N(double? v, string format) => v?.ToString(format, CultureInfo.InvariantCulture) ?? "–";
}
