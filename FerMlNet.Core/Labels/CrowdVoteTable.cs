using System.Globalization;
using System.Text.RegularExpressions;
using FerMlNet.Preprocessing;
using FerMlNet.Core.IO;

namespace FerMlNet.Core.Labels;

/// <summary>
/// The FER+ vote file (Microsoft's fer2013new.csv: one row per FER-2013 face, in FER-2013's row order) and the rule
/// that finds a face's row from its file name: the image's file name ends in its FER-2013 row index, as every face of
/// datasets/fer4-mit does (<c>train/sad/10165.jpg</c>) and every face of a tree written by <c>fer data split</c>
/// (<c>train/sad/train-10165.jpg</c>).
/// </summary>
public sealed partial class CrowdVoteTable
{
    /// <summary>The vote file shipped with the repository, relative to its root.</summary>
    public const string DefaultRelativePath = "datasets/ferplus/fer2013new.csv";

    private static readonly string[] ExpectedHeader =
        ["Usage", "Image name", .. CrowdVotes.CategoryNames];

    private readonly CrowdVotes[] _rows;

    private CrowdVoteTable(string path, CrowdVotes[] rows)
    {
        Path = path;
        _rows = rows;
    }

    /// <summary>The file the votes were read from.</summary>
    public string Path { get; }

    /// <summary>Number of faces (rows) in the file.</summary>
    public int Count => _rows.Length;

    /// <summary>The votes of FER-2013 row <paramref name="row"/> (0-based, header not counted).</summary>
    public CrowdVotes this[int row] => _rows[row];

    /// <summary>
    /// Reads the repository's vote file (<see cref="DefaultRelativePath"/>), looked up from the working directory and
    /// above the program's folder.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file is not there.</exception>
    public static CrowdVoteTable LoadDefault() =>
        Load(RepositoryFiles.Find(DefaultRelativePath) ?? throw new FileNotFoundException(
            $"The FER+ vote file '{DefaultRelativePath}' is not in this folder or above the program; pass its path.",
            DefaultRelativePath));

    /// <summary>Reads a FER+ vote file.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The header or a row is not FER+'s (the message names the line).</exception>
    public static CrowdVoteTable Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"FER+ vote file '{path}' does not exist.", path);
        var rows = new List<CrowdVotes>();
        int lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            var fields = line.Split(',');
            if (lineNumber == 1)
            {
                if (!fields.Select(f => f.Trim()).SequenceEqual(ExpectedHeader))
                    throw new InvalidDataException($"'{path}' is not a FER+ vote file: its header is not " +
                        $"'{string.Join(",", ExpectedHeader)}'.");
                continue;
            }
            if (line.Length == 0) continue;
            if (fields.Length != ExpectedHeader.Length)
                throw new InvalidDataException($"'{path}' line {lineNumber}: {fields.Length} fields, expected {ExpectedHeader.Length}.");
            var counts = new int[CrowdVotes.CategoryCount];
            for (int i = 0; i < counts.Length; i++)
                if (!int.TryParse(fields[i + 2], NumberStyles.None, CultureInfo.InvariantCulture, out counts[i]))
                    throw new InvalidDataException($"'{path}' line {lineNumber}: vote '{fields[i + 2]}' for " +
                        $"{CrowdVotes.CategoryNames[i]} is not a count.");
            rows.Add(new CrowdVotes(counts));
        }
        return new CrowdVoteTable(path, rows.ToArray());
    }

    /// <summary>The FER-2013 row named by an image's file name, or null when the name does not end in a row index.</summary>
    public static int? RowOf(string imagePath)
    {
        var match = TrailingRowIndex().Match(System.IO.Path.GetFileNameWithoutExtension(imagePath));
        return match.Success && int.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int row)
            ? row : null;
    }

    /// <summary>The votes of an image, or null when its name names no row of the file.</summary>
    public CrowdVotes? Find(string imagePath) =>
        RowOf(imagePath) is { } row && row < _rows.Length ? _rows[row] : null;

    [GeneratedRegex(@"^(?:[A-Za-z]+-)?(\d+)$")]
    private static partial Regex TrailingRowIndex();
}
