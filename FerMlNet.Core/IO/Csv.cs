using System.Text;

namespace FerMlNet.Core.IO;

/// <summary>
/// RFC 4180 CSV fields: quoted when they hold a comma, quote or line break; read back the same way. Every field the
/// product writes is also neutralised against CSV injection (OWASP): a text field that a spreadsheet would run as a
/// formula — one starting with =, +, -, @, a tab or a carriage return — gets a leading apostrophe, and so does one that
/// already starts with an apostrophe, so <see cref="ParseWritten"/> gives back exactly what was written. Numbers
/// (-0.5, 1e-3) stay numbers.
/// </summary>
public static class Csv
{
    /// <summary>One line of fields, neutralised and escaped, without the line break.</summary>
    public static string Line(IEnumerable<string> fields) => string.Join(",", fields.Select(f => Escape(Neutralise(f))));

    /// <summary>Escapes one field (quotes, commas, line breaks); <see cref="Line"/> also neutralises it.</summary>
    public static string Escape(string field) =>
        field.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + field.Replace("\"", "\"\"") + "\"" : field;

    /// <summary>The field with a leading apostrophe when a spreadsheet could read it as a formula (see the class remarks).</summary>
    public static string Neutralise(string field)
    {
        if (field.Length == 0) return field;
        if (field[0] == '\'') return "'" + field;
        if (field[0] is not ('=' or '+' or '-' or '@' or '\t' or '\r')) return field;
        return double.TryParse(field, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _)
            ? field : "'" + field;
    }

    /// <summary>Undoes <see cref="Neutralise"/>.</summary>
    public static string Restore(string field) => field.Length > 0 && field[0] == '\'' ? field[1..] : field;

    /// <summary>Reads a CSV the product wrote with <see cref="Line"/>: <see cref="Parse"/>, then every field restored.</summary>
    public static List<string[]> ParseWritten(string text) =>
        Parse(text).Select(r => r.Select(Restore).ToArray()).ToList();

    /// <summary>Reads all records of a CSV text (quoted fields may hold commas, quotes and line breaks).</summary>
    /// <exception cref="FormatException">A quoted field is not closed.</exception>
    public static List<string[]> Parse(string text) => ReadRecords(new StringReader(text)).ToList();

    /// <summary>
    /// Reads a CSV the product wrote, one record at a time, fields restored (<see cref="ParseWritten"/> for a file too
    /// large to hold whole).
    /// </summary>
    /// <param name="reader">The CSV text.</param>
    /// <param name="completeOnly">
    /// Leave out a last record that no line break ends (a file cut by a kill mid-write), even one cut inside quotes,
    /// instead of returning it or failing.
    /// </param>
    public static IEnumerable<string[]> ReadWritten(TextReader reader, bool completeOnly = false) =>
        ReadRecords(reader, completeOnly).Select(r => r.Select(Restore).ToArray());

    /// <summary>
    /// <see cref="ReadWritten(TextReader, bool)"/> of a file: a malformed record fails as an
    /// <see cref="InvalidDataException"/> naming <paramref name="source"/>.
    /// </summary>
    public static IEnumerable<string[]> ReadWritten(TextReader reader, string source, bool completeOnly = false)
    {
        using var records = ReadWritten(reader, completeOnly).GetEnumerator();
        while (true)
        {
            bool more;
            try { more = records.MoveNext(); }
            catch (FormatException e) { throw new InvalidDataException($"'{source}': {e.Message}."); }
            if (!more) yield break;
            yield return records.Current;
        }
    }

    /// <summary>
    /// Longest record read: 1 Mi characters, thousands of times any row the product writes or reads (a path, a label,
    /// a few numbers), so a file with no line breaks — a sparse giant, a binary file — fails fast instead of growing
    /// one field until memory runs out.
    /// </summary>
    public const int MaxRecordChars = 1 << 20;

    /// <summary>Reads the records of a CSV one at a time (quoted fields may hold commas, quotes and line breaks).</summary>
    /// <param name="reader">The CSV text.</param>
    /// <param name="completeOnly">Leave out a last record that no line break ends (see <see cref="ReadWritten(TextReader, bool)"/>).</param>
    /// <exception cref="FormatException">A quoted field is not closed (and <paramref name="completeOnly"/> is off), or a record is longer than <see cref="MaxRecordChars"/>.</exception>
    public static IEnumerable<string[]> ReadRecords(TextReader reader, bool completeOnly = false)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        bool quoted = false, any = false;
        int recordChars = 0, record = 1;
        for (int next = reader.Read(); next >= 0; next = reader.Read())
        {
            char ch = (char)next;
            if (++recordChars > MaxRecordChars)
                throw new FormatException($"record {record:N0} is longer than {MaxRecordChars:N0} characters (not a CSV of rows)");
            if (quoted)
            {
                if (ch == '"' && reader.Peek() == '"') { field.Append('"'); reader.Read(); }
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
                    if (any || field.Length > 0)
                    {
                        fields.Add(field.ToString());
                        yield return fields.ToArray();
                        record++;
                    }
                    fields.Clear(); field.Clear(); any = false; recordChars = 0;
                    break;
                default: field.Append(ch); any = true; break;
            }
        }
        if (completeOnly) yield break;
        if (quoted) throw new FormatException("a quoted field is not closed before the end of the file");
        if (any || field.Length > 0)
        {
            fields.Add(field.ToString());
            yield return fields.ToArray();
        }
    }
}
