using System.Text;

namespace FerMlNet.Core.IO;

/// <summary>RFC 4180 CSV fields: quoted when they hold a comma, quote or line break; read back the same way.</summary>
public static class Csv
{
    /// <summary>One line of fields, escaped, without the line break.</summary>
    public static string Line(IEnumerable<string> fields) => string.Join(",", fields.Select(Escape));

    /// <summary>Escapes one field.</summary>
    public static string Escape(string field) =>
        field.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + field.Replace("\"", "\"\"") + "\"" : field;

    /// <summary>Reads all records of a CSV text (quoted fields may hold commas, quotes and line breaks).</summary>
    /// <exception cref="FormatException">A quoted field is not closed.</exception>
    public static List<string[]> Parse(string text)
    {
        var records = new List<string[]>();
        var fields = new List<string>();
        var field = new StringBuilder();
        bool quoted = false, any = false;
        for (int i = 0; i < text.Length; i++)
        {
            char ch = text[i];
            if (quoted)
            {
                if (ch == '"' && i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else if (ch == '"') quoted = false;
                else field.Append(ch);
                continue;
            }
            switch (ch)
            {
                case '"': quoted = true; any = true; break;
                case ',': fields.Add(field.ToString()); field.Clear(); any = true; break;
                case '\r': break;
                case '\n':
                    if (any || field.Length > 0) { fields.Add(field.ToString()); records.Add(fields.ToArray()); }
                    fields.Clear(); field.Clear(); any = false;
                    break;
                default: field.Append(ch); any = true; break;
            }
        }
        if (quoted) throw new FormatException("a quoted field is not closed before the end of the file");
        if (any || field.Length > 0) { fields.Add(field.ToString()); records.Add(fields.ToArray()); }
        return records;
    }
}
