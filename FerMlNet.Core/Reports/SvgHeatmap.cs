using System.Globalization;
using System.Net;
using System.Text;

namespace FerMlNet.Core.Reports;

/// <summary>A confusion matrix as an SVG heatmap: each row normalised to its true class, with the share and the count in every cell.</summary>
public static class SvgHeatmap
{
    /// <summary>Rows are true classes, columns predicted classes, in <paramref name="labels"/> order.</summary>
    public static string ConfusionMatrix(IReadOnlyList<string> labels, IReadOnlyList<IReadOnlyList<int>> rows, string title = "Confusion matrix (row-normalised)")
    {
        const int cell = 78, left = 86, top = 52;
        int n = labels.Count, size = left + n * cell + 16, heightPx = top + n * cell + 40;
        var sb = new StringBuilder($"<svg class=\"chart\" viewBox=\"0 0 {size} {heightPx}\" width=\"{size}\" height=\"{heightPx}\" role=\"img\" aria-label=\"{Esc(title)}\" xmlns=\"http://www.w3.org/2000/svg\">");
        sb.Append("<style>text{font:11px system-ui,sans-serif;fill:#444}.t{font-size:13px;font-weight:600;fill:#222}</style>");
        sb.Append($"<text x=\"{size / 2}\" y=\"18\" text-anchor=\"middle\" class=\"t\">{Esc(title)}</text>");
        sb.Append($"<text x=\"{left + n * cell / 2}\" y=\"{top - 22}\" text-anchor=\"middle\">predicted</text>");
        for (int c = 0; c < n; c++)
            sb.Append($"<text x=\"{left + c * cell + cell / 2}\" y=\"{top - 6}\" text-anchor=\"middle\">{Esc(labels[c])}</text>");
        for (int r = 0; r < n; r++)
        {
            double total = Math.Max(1, rows[r].Sum());
            sb.Append($"<text x=\"{left - 8}\" y=\"{top + r * cell + cell / 2 + 4}\" text-anchor=\"end\">{Esc(labels[r])}</text>");
            for (int c = 0; c < n; c++)
            {
                double share = rows[r][c] / total;
                // White → deep blue by share; the diagonal in the same scale, so a weak class shows as a pale diagonal cell.
                int shade = (int)Math.Round(255 - share * 200);
                string fill = $"rgb({shade},{Math.Min(255, shade + 20)},255)", ink = share > 0.55 ? "#fff" : "#222";
                int x = left + c * cell, y = top + r * cell;
                sb.Append($"<rect x=\"{x}\" y=\"{y}\" width=\"{cell - 2}\" height=\"{cell - 2}\" fill=\"{fill}\"><title>{Esc(labels[r])} → {Esc(labels[c])}: {rows[r][c]}</title></rect>");
                sb.Append($"<text x=\"{x + cell / 2}\" y=\"{y + cell / 2 - 2}\" text-anchor=\"middle\" style=\"font-size:15px;font-weight:600;fill:{ink}\">{(share * 100).ToString("0.#", CultureInfo.InvariantCulture)}%</text>");
                sb.Append($"<text x=\"{x + cell / 2}\" y=\"{y + cell / 2 + 14}\" text-anchor=\"middle\" style=\"fill:{ink}\">{rows[r][c]}</text>");
            }
        }
        sb.Append($"<text transform=\"translate(14 {top + n * cell / 2}) rotate(-90)\" text-anchor=\"middle\">true</text>");
        return sb.Append("</svg>").ToString();
    }

    private static string Esc(string text) => WebUtility.HtmlEncode(text);
}
