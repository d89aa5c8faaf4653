using System.Globalization;
using System.Net;
using System.Text;

namespace FerMlNet.Core.Reports;

/// <summary>
/// A small chart drawn as inline SVG: lines, bars, points, reference lines, numeric or category x axis. Reports
/// embed it directly, so they render offline with no chart library, in any browser, and print cleanly.
/// </summary>
public sealed class SvgChart(string title, int width = 520, int height = 300)
{
    private const double Left = 58, Right = 18, Top = 34, Bottom = 46;
    private readonly List<Func<SvgChart, string>> _layers = [];
    private readonly List<(string Name, string Color)> _legend = [];
    private double? _xMin, _xMax, _yMin, _yMax;
    private double _dataXMin = double.MaxValue, _dataXMax = double.MinValue, _dataYMin = double.MaxValue, _dataYMax = double.MinValue;
    private IReadOnlyList<string>? _categories;

    /// <summary>Label under the x axis.</summary>
    public string XLabel { get; init; } = "";

    /// <summary>Label beside the y axis.</summary>
    public string YLabel { get; init; } = "";

    /// <summary>Formats y tick values (default: up to 2 decimals).</summary>
    public Func<double, string> YFormat { get; init; } = v => v.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>Formats x tick values (default: up to 2 decimals).</summary>
    public Func<double, string> XFormat { get; init; } = v => v.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>Smallest step between x ticks (1 for epochs, so no tick falls between two epochs). Default: none.</summary>
    public double XMinStep { get; init; }

    /// <summary>Fixes the y range instead of fitting the data.</summary>
    public SvgChart YRange(double min, double max) { _yMin = min; _yMax = max; return this; }

    /// <summary>Fixes the x range instead of fitting the data.</summary>
    public SvgChart XRange(double min, double max) { _xMin = min; _xMax = max; return this; }

    /// <summary>Names the x positions 0, 1, 2, … (a category axis).</summary>
    public SvgChart Categories(IReadOnlyList<string> names)
    {
        _categories = names;
        return XRange(-0.5, names.Count - 0.5);
    }

    /// <summary>
    /// A line through the points, with round markers unless <paramref name="markers"/> is false; a null
    /// <paramref name="name"/> keeps it out of the legend (say what it is in the text around the chart instead).
    /// </summary>
    public SvgChart Line(string? name, string color, IReadOnlyList<(double X, double Y)> points, bool markers = true, bool dashed = false)
    {
        foreach (var p in points) Fit(p.X, p.Y);
        if (name is not null) _legend.Add((name, color));
        _layers.Add(c =>
        {
            var sb = new StringBuilder();
            var path = string.Join(" ", points.Select((p, i) => $"{(i == 0 ? "M" : "L")}{F(c.Px(p.X))},{F(c.Py(p.Y))}"));
            sb.Append($"<path d=\"{path}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"{(dashed ? " stroke-dasharray=\"6 4\"" : "")}/>");
            if (markers)
                foreach (var p in points) sb.Append($"<circle cx=\"{F(c.Px(p.X))}\" cy=\"{F(c.Py(p.Y))}\" r=\"3\" fill=\"{color}\"/>");
            return sb.ToString();
        });
        return this;
    }

    /// <summary>Bars from zero to each value, centred on x, with an optional text above (or below a negative) bar.</summary>
    public SvgChart Bars(IReadOnlyList<(double X, double Y, string Color, string? Text)> bars, double barWidth = 0.7, string? legendName = null)
    {
        foreach (var b in bars) { Fit(b.X - barWidth / 2, 0); Fit(b.X + barWidth / 2, b.Y); }
        if (legendName is not null && bars.Count > 0) _legend.Add((legendName, bars[0].Color));
        _layers.Add(c =>
        {
            var sb = new StringBuilder();
            foreach (var (x, y, color, text) in bars)
            {
                double x0 = c.Px(x - barWidth / 2), x1 = c.Px(x + barWidth / 2), y0 = c.Py(Math.Max(0, y)), y1 = c.Py(Math.Min(0, y));
                sb.Append($"<rect x=\"{F(x0)}\" y=\"{F(y0)}\" width=\"{F(Math.Max(1, x1 - x0))}\" height=\"{F(Math.Max(0.5, y1 - y0))}\" fill=\"{color}\"><title>{Esc(text ?? YFormat(y))}</title></rect>");
                if (text is not null)
                    sb.Append($"<text x=\"{F((x0 + x1) / 2)}\" y=\"{F(y >= 0 ? y0 - 4 : y1 + 12)}\" text-anchor=\"middle\" class=\"v\">{Esc(text)}</text>");
            }
            return sb.ToString();
        });
        return this;
    }

    /// <summary>
    /// Labelled points (a scatter plot). Labels are placed in the order given (put the points that matter most
    /// first): each goes beside, above or below its point where it overlaps no other label or point and stays inside
    /// the chart; where the full label fits nowhere, <paramref name="shortLabels"/> (same order, e.g. a table rank)
    /// is tried, clear of points and then over them, and failing that the point keeps only its hover title, which
    /// always carries the full label.
    /// </summary>
    public SvgChart Points(IReadOnlyList<(double X, double Y, string Label, string Color)> points, IReadOnlyList<string>? shortLabels = null)
    {
        if (shortLabels is not null && shortLabels.Count != points.Count)
            throw new ArgumentException($"{shortLabels.Count} short labels for {points.Count} points.", nameof(shortLabels));
        foreach (var p in points) Fit(p.X, p.Y);
        _layers.Add(c =>
        {
            var centres = points.Select(p => (X: c.Px(p.X), Y: c.Py(p.Y))).ToList();
            var marks = centres.Select(p => new Box(p.X - PointRadius, p.Y - PointRadius, p.X + PointRadius, p.Y + PointRadius)).ToList();
            var labels = new List<Box>();
            // Every point first, then the labels, so no point is painted over a label.
            var sb = new StringBuilder();
            for (int i = 0; i < points.Count; i++)
                sb.Append($"<circle cx=\"{F(centres[i].X)}\" cy=\"{F(centres[i].Y)}\" r=\"{PointRadius}\" fill=\"{points[i].Color}\" fill-opacity=\"0.85\"><title>{Esc(points[i].Label)}</title></circle>");
            for (int i = 0; i < points.Count; i++)
            {
                // Full label clear of labels and points; short label likewise; short label over a point (points
                // a pixel or two apart leave no free spot, and a number over a dot still reads).
                var tries = new List<(string Text, bool ClearOfPoints)> { (points[i].Label, true) };
                if (shortLabels is not null) tries.AddRange([(shortLabels[i], true), (shortLabels[i], false)]);
                foreach (var (text, clearOfPoints) in tries)
                {
                    if (c.PlaceLabel(centres[i].X, centres[i].Y, text, clearOfPoints ? labels.Concat(marks) : labels) is not { } placed) continue;
                    labels.Add(placed.Box);
                    sb.Append($"<text x=\"{F(placed.X)}\" y=\"{F(placed.Baseline)}\" text-anchor=\"{placed.Anchor}\" class=\"v pl\">{Esc(text)}</text>");
                    break;
                }
            }
            return sb.ToString();
        });
        return this;
    }

    private const int PointRadius = 5;

    // Width of a 10 px system-ui character, taken above the font's average so a label's estimated box covers its
    // drawn one (the server cannot measure text); the browser test checks the drawn boxes.
    private const double CharWidth = 6.0;

    // Beside the point first (right, then left, so labels near the right edge do not run off), level with it and
    // then a little above or below, then centred above or below it, then one line further up or down.
    private static readonly (double Dx, double Dy, string Anchor)[] LabelSpots =
    [
        (7, 3.5, "start"), (-7, 3.5, "end"), (7, -6, "start"), (7, 13, "start"), (-7, -6, "end"), (-7, 13, "end"),
        (0, -8, "middle"), (0, 16, "middle"), (7, -15, "start"), (7, 22, "start"), (-7, -15, "end"), (-7, 22, "end"),
    ];

    private readonly record struct Box(double X0, double Y0, double X1, double Y1)
    {
        public bool Overlaps(Box o) => X0 < o.X1 && o.X0 < X1 && Y0 < o.Y1 && o.Y0 < Y1;
    }

    private (double X, double Baseline, string Anchor, Box Box)? PlaceLabel(double x, double y, string text, IEnumerable<Box> taken)
    {
        double w = text.Length * CharWidth;
        foreach (var (dx, dy, anchor) in LabelSpots)
        {
            double left = anchor switch { "start" => x + dx, "end" => x + dx - w, _ => x - w / 2 }, baseline = y + dy;
            var box = new Box(left - 1, baseline - 9, left + w + 1, baseline + 2);
            bool inside = box.X0 >= Left && box.X1 <= width && box.Y0 >= Top - 8 && box.Y1 <= height - Bottom;
            if (inside && !taken.Any(box.Overlaps)) return (x + dx, baseline, anchor, box);
        }
        return null;
    }

    /// <summary>A horizontal reference line at <paramref name="y"/>.</summary>
    public SvgChart HLine(double y, string color, bool dashed = true, string? label = null)
    {
        Fit(null, y);
        _layers.Add(c => $"<line x1=\"{F(Left)}\" x2=\"{F(width - Right)}\" y1=\"{F(c.Py(y))}\" y2=\"{F(c.Py(y))}\" stroke=\"{color}\" stroke-width=\"1.5\"{(dashed ? " stroke-dasharray=\"6 4\"" : "")}/>" +
                         (label is null ? "" : $"<text x=\"{F(width - Right - 4)}\" y=\"{F(c.Py(y) - 4)}\" text-anchor=\"end\" class=\"v\" fill=\"{color}\">{Esc(label)}</text>"));
        return this;
    }

    /// <summary>A vertical reference line at <paramref name="x"/>.</summary>
    public SvgChart VLine(double x, string color, bool dashed = true, string? label = null)
    {
        Fit(x, null);
        _layers.Add(c => $"<line x1=\"{F(c.Px(x))}\" x2=\"{F(c.Px(x))}\" y1=\"{F(Top)}\" y2=\"{F(height - Bottom)}\" stroke=\"{color}\" stroke-width=\"1.5\"{(dashed ? " stroke-dasharray=\"6 4\"" : "")}/>" +
                         (label is null ? "" : $"<text x=\"{F(c.Px(x) + 4)}\" y=\"{F(height - Bottom - 6)}\" class=\"v\" fill=\"{color}\">{Esc(label)}</text>"));
        return this;
    }

    /// <summary>The chart as an &lt;svg&gt; element.</summary>
    public string ToSvg()
    {
        FinishRanges();
        var sb = new StringBuilder();
        sb.Append($"<svg class=\"chart\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"{Esc(title)}\" xmlns=\"http://www.w3.org/2000/svg\">");
        sb.Append("<style>text{font:11px system-ui,sans-serif;fill:#444}.t{font-size:13px;font-weight:600;fill:#222}.v{font-size:10px}</style>");
        sb.Append($"<text x=\"{width / 2}\" y=\"18\" text-anchor=\"middle\" class=\"t\">{Esc(title)}</text>");
        foreach (double v in Ticks(_yMin!.Value, _yMax!.Value))
            sb.Append($"<line x1=\"{F(Left)}\" x2=\"{F(width - Right)}\" y1=\"{F(Py(v))}\" y2=\"{F(Py(v))}\" stroke=\"#e6e6e6\"/>" +
                      $"<text x=\"{F(Left - 6)}\" y=\"{F(Py(v) + 4)}\" text-anchor=\"end\">{Esc(YFormat(v))}</text>");
        if (_categories is not null)
            for (int i = 0; i < _categories.Count; i++)
                sb.Append($"<text x=\"{F(Px(i))}\" y=\"{F(height - Bottom + 16)}\" text-anchor=\"middle\">{Esc(_categories[i])}</text>");
        else
            foreach (double v in Ticks(_xMin!.Value, _xMax!.Value, XMinStep))
                sb.Append($"<text x=\"{F(Px(v))}\" y=\"{F(height - Bottom + 16)}\" text-anchor=\"middle\">{Esc(XFormat(v))}</text>");
        sb.Append($"<line x1=\"{F(Left)}\" x2=\"{F(width - Right)}\" y1=\"{F(height - Bottom)}\" y2=\"{F(height - Bottom)}\" stroke=\"#999\"/>");
        sb.Append($"<line x1=\"{F(Left)}\" x2=\"{F(Left)}\" y1=\"{F(Top)}\" y2=\"{F(height - Bottom)}\" stroke=\"#999\"/>");
        sb.Append($"<text x=\"{F(Left + (width - Left - Right) / 2)}\" y=\"{F(height - 8)}\" text-anchor=\"middle\">{Esc(XLabel)}</text>");
        sb.Append($"<text transform=\"translate(14 {F(Top + (height - Top - Bottom) / 2)}) rotate(-90)\" text-anchor=\"middle\">{Esc(YLabel)}</text>");
        foreach (var layer in _layers) sb.Append(layer(this));
        double lx = Left + 8;
        foreach (var (name, color) in _legend)
        {
            sb.Append($"<rect x=\"{F(lx)}\" y=\"{F(Top + 2)}\" width=\"10\" height=\"10\" fill=\"{color}\"/><text x=\"{F(lx + 14)}\" y=\"{F(Top + 11)}\">{Esc(name)}</text>");
            lx += 24 + 6.5 * name.Length;
        }
        return sb.Append("</svg>").ToString();
    }

    private void Fit(double? x, double? y)
    {
        if (x is { } xv) { _dataXMin = Math.Min(_dataXMin, xv); _dataXMax = Math.Max(_dataXMax, xv); }
        if (y is { } yv) { _dataYMin = Math.Min(_dataYMin, yv); _dataYMax = Math.Max(_dataYMax, yv); }
    }

    private void FinishRanges()
    {
        if (_dataXMin > _dataXMax) (_dataXMin, _dataXMax) = (0, 1);
        if (_dataYMin > _dataYMax) (_dataYMin, _dataYMax) = (0, 1);
        _xMin ??= _dataXMin;
        _xMax ??= _dataXMax > _xMin ? _dataXMax : _xMin + 1;
        if (_yMin is null || _yMax is null)
        {
            double span = Math.Max(1e-9, _dataYMax - _dataYMin), pad = span * 0.08;
            _yMin ??= _dataYMin >= 0 && _dataYMin - pad < 0 ? 0 : _dataYMin - pad;
            _yMax ??= _dataYMax + pad;
        }
    }

    private double Px(double x) => Left + (x - _xMin!.Value) / (_xMax!.Value - _xMin.Value) * (width - Left - Right);

    private double Py(double y) => height - Bottom - (y - _yMin!.Value) / (_yMax!.Value - _yMin.Value) * (height - Top - Bottom);

    /// <summary>About five round tick values covering [min, max].</summary>
    internal static IEnumerable<double> Ticks(double min, double max, double minStep = 0)
    {
        double raw = Math.Max((max - min) / 5, minStep), magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = new[] { 1, 2, 2.5, 5, 10 }.Select(m => m * magnitude).First(s => s >= raw);
        for (double v = Math.Ceiling(min / step) * step; v <= max + step * 1e-9; v += step) yield return Math.Round(v, 10);
    }

    private static string F(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);

    private static string Esc(string text) => WebUtility.HtmlEncode(text);
}
