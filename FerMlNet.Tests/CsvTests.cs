using FerMlNet.Core.IO;

namespace FerMlNet.Tests;

/// <summary>The product's CSV: fields with commas, quotes and line breaks survive; a file cut by a kill resumes.</summary>
public sealed class CsvTests
{
    private static readonly string[] Tricky = ["a, b", "say \"hi\"", "two\nlines", "=cmd"];

    [Fact]
    public void WrittenFieldsReadBackAsTheyWere()
    {
        var text = Csv.Line(["path", "note"]) + "\n" + Csv.Line(Tricky) + "\n";
        var rows = Csv.ReadWritten(new StringReader(text)).ToList();
        Assert.Equal(2, rows.Count);
        Assert.Equal(Tricky, rows[1]);
    }

    [Fact]
    public void ACutLastRecordIsLeftOutOnlyWhenCompleteRecordsAreAskedFor()
    {
        var whole = Csv.Line(["x", "y"]) + "\n" + Csv.Line(Tricky) + "\n";
        // Cut inside the quoted field with the line break: the plain reader fails, the resume reader stops before it.
        var cutInQuotes = whole[..(whole.IndexOf("two", StringComparison.Ordinal) + 4)];
        Assert.Throws<FormatException>(() => Csv.ReadWritten(new StringReader(cutInQuotes)).ToList());
        Assert.Equal([["x", "y"]], Csv.ReadWritten(new StringReader(cutInQuotes), completeOnly: true).ToList());
        // Cut after a plain field: the plain reader returns the partial record, the resume reader leaves it out.
        var cutPlain = whole + "next,ro";
        Assert.Equal(["next", "ro"], Csv.ReadWritten(new StringReader(cutPlain)).Last());
        Assert.Equal(Tricky, Csv.ReadWritten(new StringReader(cutPlain), completeOnly: true).Last());
    }
}
