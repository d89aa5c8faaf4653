using System.Globalization;
using System.Text;
using System.Text.Json;
using FerMlNet.Core;
using FerMlNet.Preprocessing;
using FerMlNet.Core.Reports;
using FerMlNet.Training.Engine;
using FerMlNet.Training.MlNet;
using FerMlNet.Lifecycle.Evaluation;
using static FerMlNet.Core.Reports.HtmlReport;

namespace FerMlNet.Lifecycle.Reports;

/// <summary>
/// report.html of a training run or an evaluation: the notebook's 2×2 training figure (accuracy, loss, gap bars in
/// its colours, learning progression), the gap verdict, a row-normalised confusion heatmap, per-class metric bars,
/// a reliability diagram, and the most confident mistakes. One self-contained file (inline SVG, faces as data URIs).
/// </summary>
public static class RunReport
{
    /// <summary>Reads RUNDIR/history.json (when present) and metrics.json, and writes RUNDIR/report.html atomically.</summary>
    public static string Write(string dir, string title)
    {
        var metrics = EvaluationMetrics.Load(Path.Combine(dir, "metrics.json"));
        var path = Path.Combine(dir, "report.html");
        Core.IO.AtomicFile.WriteAllText(path, Build(title, ReadHistory(dir), metrics));
        return path;
    }

    /// <summary>RUNDIR/history.json (camelCase, as fer train writes it); empty when the folder has none.</summary>
    internal static List<EpochRecord> ReadHistory(string dir)
    {
        var path = Path.Combine(dir, "history.json");
        return File.Exists(path) ? JsonSerializer.Deserialize<List<EpochRecord>>(InputFile.ReadAllText(path), Core.IO.ReportJson.IndentedCamelCase) ?? [] : [];
    }

    /// <summary>The report's HTML.</summary>
    public static string Build(string title, IReadOnlyList<EpochRecord> history, EvaluationMetrics metrics)
    {
        var report = new HtmlReport(title);
        report.Raw(Summary(metrics));
        if (history.Count > 0)
        {
            var gap = GapDiagnosis.FromHistory(history)!;
            report.Heading("Training");
            report.Paragraph($"{history.Count} epochs; best validation accuracy {Pct(gap.BestValAccuracy)} at epoch " +
                             $"{gap.BestEpoch}; train accuracy there {Pct(gap.TrainAccuracyAtBest)} (epoch average, dropout and " +
                             $"augmentation on); gap {Num(gap.GapPoints)} points: {gap.Verdict}. Final-epoch gap {Num(gap.FinalGapPoints)} points.");
            report.Raw("<div class=\"grid2\">" + string.Concat(TrainingFigure(history, gap.BestEpoch)) + "</div>");
        }
        report.Heading($"Evaluation: {metrics.Split} split, {metrics.Images:N0} images");
        report.Raw("<div class=\"grid2\">" + Confusion(metrics) + PerClassBars(metrics) + Reliability(metrics) + "</div>");
        report.Raw(PerClassTable(metrics));
        report.Raw(CrowdSection(metrics));
        report.Raw(Mistakes(metrics));
        return report.ToString();
    }

    private static string Summary(EvaluationMetrics m)
    {
        (string Label, string Value)[] items =
        [
            ("accuracy", Pct(m.Accuracy)),
            ("95% CI", $"{Pct(m.AccuracyCi95[0])}–{Pct(m.AccuracyCi95[1])}"),
            ("macro-F1", F(m.MacroF1)),
            ("log loss", F(m.LogLoss)),
            ("ECE", F(m.Ece)),
            ($"coverage ≥ {Num(m.Threshold.Value)}", $"{Pct(m.Threshold.Coverage)} (acc {Pct(m.Threshold.Accuracy)})"),
        ];
        return "<div class=\"kpi\">" + string.Concat(items.Select(i => $"<div>{Escape(i.Label)}<b>{Escape(i.Value)}</b></div>")) + "</div>";
    }

    /// <summary>The notebook's plot_training_history panels, in its colours (seed-spec §5.2).</summary>
    internal static IEnumerable<string> TrainingFigure(IReadOnlyList<EpochRecord> h, int bestEpoch)
    {
        double bestVal = h.Max(r => r.ValAccuracy);
        yield return new SvgChart("Training & Validation Accuracy") { XLabel = "epoch", YLabel = "accuracy", YFormat = v => $"{v * 100:0}%", XMinStep = 1 }
            .Line("train", "#3498db", h.Select(r => ((double)r.Epoch, r.Accuracy)).ToList())
            .Line("validation", "#e74c3c", h.Select(r => ((double)r.Epoch, r.ValAccuracy)).ToList())
            .VLine(bestEpoch, "#27ae60", label: $"Best: {bestVal * 100:0.0}%").ToSvg();
        yield return new SvgChart("Training & Validation Loss") { XLabel = "epoch", YLabel = "loss", XMinStep = 1 }
            .Line("train", "#3498db", h.Select(r => ((double)r.Epoch, r.Loss)).ToList())
            .Line("validation", "#e74c3c", h.Select(r => ((double)r.Epoch, r.ValLoss)).ToList())
            .VLine(bestEpoch, "#27ae60").ToSvg();
        yield return new SvgChart("Accuracy Gap (Overfitting Analysis)") { XLabel = "epoch", YLabel = "train − val (points)", XMinStep = 1 }
            .Bars(h.Select(r => ((double)r.Epoch, (r.Accuracy - r.ValAccuracy) * 100, GapDiagnosis.BarColor((r.Accuracy - r.ValAccuracy) * 100), (string?)null)).ToList())
            .HLine(0, "#000", dashed: false).HLine(10, "#f39c12", label: "High overfitting").HLine(-5, "#9b59b6", label: "Negative gap (unusual)").ToSvg();
        int n = h.Count;
        // The notebook's epochs [1, n//4, n//2, 3n//4, n], each once (a short run has fewer distinct ones).
        var epochs = new[] { 1, n / 4, n / 2, 3 * n / 4, n }.Select(e => Math.Clamp(e, 1, n)).Distinct().ToArray();
        var colors = epochs.Select((_, i) => i == 0 ? "#95a5a6" : i == epochs.Length - 1 ? "#27ae60" : "#3498db").ToArray();
        yield return new SvgChart("Learning Progression") { XLabel = "epoch", YLabel = "validation accuracy", YFormat = v => $"{v * 100:0}%" }
            .Categories(epochs.Select(e => $"epoch {e}").ToList())
            .Bars(epochs.Select((e, i) => ((double)i, h[e - 1].ValAccuracy, colors[i], (string?)$"{h[e - 1].ValAccuracy * 100:0.0}%")).ToList())
            .ToSvg();
    }

    private static string Confusion(EvaluationMetrics m) =>
        SvgHeatmap.ConfusionMatrix(m.ConfusionMatrix.Labels, m.ConfusionMatrix.Rows);

    private static string PerClassBars(EvaluationMetrics m)
    {
        var chart = new SvgChart("Per-class precision / recall / F1") { YFormat = v => $"{v:0.0}" }.Categories(EmotionClasses.Names).YRange(0, 1.1);
        (string Name, Func<EvaluationMetrics.ClassMetrics, double> Value, string Color)[] metrics =
            [("precision", c => c.Precision, "#5dade2"), ("recall", c => c.Recall, "#48c9b0"), ("f1", c => c.F1, "#34495e")];
        for (int k = 0; k < metrics.Length; k++)
        {
            var (name, value, color) = metrics[k];
            double offset = -0.27 + 0.27 * k;
            chart.Bars(EmotionClasses.Names.Select((c, i) => (i + offset, value(m.PerClass[c]), color,
                (string?)value(m.PerClass[c]).ToString("0.00", CultureInfo.InvariantCulture))).ToList(), 0.25, name);
        }
        return chart.ToSvg();
    }

    private static string Reliability(EvaluationMetrics m)
    {
        var bins = m.Calibration.Where(b => b.Count > 0).ToList();
        var chart = new SvgChart("Calibration (reliability diagram)") { XLabel = "confidence (top probability)", YLabel = "accuracy" }
            .XRange(0, 1).YRange(0, 1)
            .Line("perfect calibration", "#bbb", [(0, 0), (1, 1)], markers: false, dashed: true);
        if (bins.Count > 0)
            chart.Line($"this model (ECE {F(m.Ece)})", "#e74c3c", bins.Select(b => (b.Confidence, b.Accuracy)).ToList());
        return chart.VLine(m.Threshold.Value, "#27ae60", label: $"threshold {Num(m.Threshold.Value)}").ToSvg();
    }

    private static string PerClassTable(EvaluationMetrics m) =>
        TableHtml(["class", "precision", "recall", "F1", "support", "log loss"],
            EmotionClasses.Names.Select(c => m.PerClass[c]).Select((k, i) => new[]
            {
                EmotionClasses.Names[i], F(k.Precision), F(k.Recall), F(k.F1), k.Support.ToString("N0", CultureInfo.InvariantCulture), F(k.LogLoss),
            }));

    /// <summary>
    /// The same faces against the FER+ crowd majority (the second label set), each row with its n; where the crowd
    /// agreed less, and whether the misses are answers some of the crowd gave too. Empty when the faces have no votes.
    /// </summary>
    internal static string CrowdSection(EvaluationMetrics m)
    {
        if (m.Crowd is not { Majority: { } majority } crowd) return "";
        var sb = new StringBuilder("<h2>Against the FER+ crowd majority</h2>");
        sb.Append($"<p>{Escape(crowd.Definition ?? "")}. Folder labels agree with the crowd majority on {Pct(crowd.FolderAgreement ?? 0)} of these faces.</p>");
        var sets = new[] { ("every face with a majority", majority), ($"≥ {Whole(CrowdEvaluation.AgreedShare)} of the votes agree", crowd.Agreed70) }
            .Where(s => s.Item2 is { Accuracy: not null }).Select(s => (Subset: s.Item1, Score: s.Item2!));
        sb.Append(TableHtml(["faces", "n", "accuracy (95% CI)", "macro-F1", .. EmotionClasses.Names.Select(c => $"recall {c}")],
            sets.Select(s => new[]
            {
                s.Subset, s.Score.Images.ToString("N0", CultureInfo.InvariantCulture),
                $"{Pct(s.Score.Accuracy!.Value)} ({Pct(s.Score.AccuracyCi95![0])}–{Pct(s.Score.AccuracyCi95[1])})", F(s.Score.MacroF1 ?? 0),
            }.Concat(EmotionClasses.Names.Select(c => F(s.Score.Recall![c]))))));
        if (crowd.ByMajorityShare is { } bins)
            sb.Append("<p>By how strongly the crowd agreed (the majority's share of the votes):</p>").Append(TableHtml(["majority share", "n", "accuracy"],
                bins.Select(b => new[]
                {
                    b.To > 1 ? $"≥ {Whole(b.From)}" : $"{Whole(b.From)}–{Whole(b.To)}", b.Images.ToString("N0", CultureInfo.InvariantCulture),
                    b.Accuracy is { } a ? Pct(a) : "–",
                })));
        if (crowd.MistakesWithCrowdSupport is { Mistakes: > 0 } minority)
            sb.Append($"<p>{minority.Supported:N0} of the {minority.Mistakes:N0} answers that miss the majority name a class that at least " +
                      $"{Whole(minority.MinShare)} of the taggers chose.</p>");
        return sb.ToString();
    }

    private static string Mistakes(EvaluationMetrics m)
    {
        if (m.Mistakes is not { Length: > 0 } mistakes) return "";
        var figures = mistakes.Select(x =>
        {
            string path = x.Path;
            string caption = $"{x.Truth} → {x.Predicted} {x.Confidence * 100:0}%";
            try { return Thumbnail(FaceImageDecoder.DecodeFile(path), path, caption, Path.GetFileName(path)); }
            catch (Exception e) when (e is IOException or ImageDecodeException) { return $"<figure>{Escape(caption)}<br>{Escape(path)} (unreadable now)</figure>"; }
        });
        return "<h2>Most confident mistakes</h2><p>true → predicted, confidence. Some are label errors rather than model errors; " +
               "<code>fer data mislabels</code> reviews them systematically.</p><div class=\"gallery\">" + string.Concat(figures) + "</div>";
    }

    private static string Pct(double v) => (v * 100).ToString("0.00", CultureInfo.InvariantCulture) + "%";
    private static string Whole(double share) => (share * 100).ToString("0", CultureInfo.InvariantCulture) + "%";
    private static string F(double v) => v.ToString("0.000", CultureInfo.InvariantCulture);
    private static string Num(double v) => v.ToString(CultureInfo.InvariantCulture);
    private static string Num(float v) => v.ToString(CultureInfo.InvariantCulture);
}
