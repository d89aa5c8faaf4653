using System.Net;
using System.Text;

namespace FerMlNet.Core.Reports;

/// <summary>
/// A self-contained HTML page (inline CSS, images as data URIs, no CDN) for the data-quality and evaluation reports,
/// so a report opens from disk, offline, and can be mailed as one file.
/// </summary>
public sealed class HtmlReport
{
    private readonly StringBuilder _body = new();
    private readonly string _title;

    /// <summary>Starts a page titled <paramref name="title"/>.</summary>
    public HtmlReport(string title) => _title = title;

    /// <summary>HTML-escapes text.</summary>
    public static string Escape(string text) => WebUtility.HtmlEncode(text);

    /// <summary>Appends raw HTML (callers escape their text with <see cref="Escape"/>).</summary>
    public HtmlReport Raw(string html)
    {
        _body.Append(html).Append('\n');
        return this;
    }

    /// <summary>Appends a heading.</summary>
    public HtmlReport Heading(string text, int level = 2) => Raw($"<h{level}>{Escape(text)}</h{level}>");

    /// <summary>Appends a paragraph of text.</summary>
    public HtmlReport Paragraph(string text) => Raw($"<p>{Escape(text)}</p>");

    /// <summary>Appends a table; cells are escaped text.</summary>
    public HtmlReport Table(IEnumerable<string> header, IEnumerable<IEnumerable<string>> rows) => Raw(TableHtml(header, rows));

    /// <summary>A table's HTML; cells are escaped text.</summary>
    public static string TableHtml(IEnumerable<string> header, IEnumerable<IEnumerable<string>> rows)
    {
        var sb = new StringBuilder("<table><thead><tr>");
        foreach (var h in header) sb.Append("<th>").Append(Escape(h)).Append("</th>");
        sb.Append("</tr></thead><tbody>");
        foreach (var row in rows)
        {
            sb.Append("<tr>");
            foreach (var cell in row) sb.Append("<td>").Append(Escape(cell)).Append("</td>");
            sb.Append("</tr>");
        }
        return sb.Append("</tbody></table>").ToString();
    }

    /// <summary>A thumbnail figure: the face, and caption lines under it.</summary>
    public static string Thumbnail(ReadOnlySpan<byte> pixels, string title, params string[] captionLines)
    {
        var caption = string.Join("<br>", captionLines.Select(Escape));
        return $"<figure title=\"{Escape(title)}\"><img src=\"{GrayImages.DataUri(pixels)}\" width=\"96\" height=\"96\" " +
               $"alt=\"{Escape(title)}\"><figcaption>{caption}</figcaption></figure>";
    }

    /// <summary>The whole page.</summary>
    public override string ToString() =>
        $$"""
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{Escape(_title)}}</title>
        <style>
        body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #1d2330; background: #fafbfc; }
        h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #d8dde6; }
        table { border-collapse: collapse; margin: .5rem 0; }
        th, td { border: 1px solid #d8dde6; padding: .25rem .6rem; text-align: right; }
        th:first-child, td:first-child { text-align: left; }
        thead { background: #eef1f6; }
        .group { display: flex; flex-wrap: wrap; gap: .5rem; padding: .5rem; margin: .4rem 0; background: #fff;
                  border: 1px solid #d8dde6; border-radius: 6px; align-items: flex-start; }
        .group.bad { border-color: #d9534f; } .group .meta { width: 100%; font-size: .8rem; color: #5a6478; }
        figure { margin: 0; text-align: center; font-size: .72rem; max-width: 110px; overflow-wrap: anywhere; }
        img { image-rendering: pixelated; border-radius: 3px; }
        .tag { display: inline-block; padding: 0 .35rem; border-radius: 3px; background: #eef1f6; }
        .warn { color: #b02a25; font-weight: 600; }
        .grid2 { display: flex; flex-wrap: wrap; gap: 12px; }
        .chart { background: #fff; border: 1px solid #d8dde6; border-radius: 6px; max-width: 100%; height: auto; }
        .kpi { display: flex; flex-wrap: wrap; gap: 10px; margin: 8px 0; }
        .kpi div { border: 1px solid #d8dde6; border-radius: 6px; padding: 6px 12px; background: #fff; color: #5a6478; }
        .kpi b { display: block; font-size: 1.3em; color: #1d2330; }
        .gallery { display: flex; flex-wrap: wrap; gap: .6rem; }
        </style></head><body>
        <h1>{{Escape(_title)}}</h1>
        {{_body}}
        </body></html>
        """;
}
