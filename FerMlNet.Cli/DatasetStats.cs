using FerMlNet.Core.Data;
using FerMlNet.Core.IO;
using FerMlNet.Core.Labels;
using FerMlNet.Preprocessing;
using Spectre.Console;

namespace FerMlNet.Cli;

/// <summary>The numbers `fer data stats` prints; computed by the library so tests check the same values.</summary>
internal sealed class DatasetStats
{
    private DatasetStats(DatasetIndex index, IReadOnlyList<DatasetNotice> unreadable, bool decoded)
    {
        Index = index;
        Unreadable = unreadable;
        Decoded = decoded;
        (Crowd, var votes) = CliData.CrowdAgreementOf(index);
        VoteFile = votes?.Path;
    }

    public DatasetIndex Index { get; }
    public IReadOnlyList<DatasetNotice> Unreadable { get; }
    public bool Decoded { get; }

    /// <summary>Folder-vs-crowd agreement when the repository's FER+ vote file is there (null when it is not).</summary>
    public CrowdAgreement? Crowd { get; }

    /// <summary>The vote file <see cref="Crowd"/> was computed from.</summary>
    public string? VoteFile { get; }

    public static DatasetStats Compute(string root, bool decode,
        Func<Func<Action<int, int>, DecodedDataset>, DecodedDataset>? progress = null)
    {
        var index = DatasetReader.Read(root);
        if (!decode) return new DatasetStats(index, [], false);
        DecodedDataset Work(Action<int, int> report) => DecodedDatasetCache.Load(index, progress: report);
        var decoded = progress is null ? Work((_, _) => { }) : progress(Work);
        return new DatasetStats(index, decoded.Failures, true);
    }

    /// <summary>What <c>fer data stats --json</c> prints.</summary>
    public DatasetStatsJson ToRecord() =>
        new(Index.Root, Index.IsSplit ? "split" : "unsplit", Index.Entries.Count,
            ClassMap.Of(c => Index.Entries.Count(e => e.Label == c)),
            Index.Splits.ToDictionary(s => s.ToName(), s => new SplitStats(Index.SplitFolders.GetValueOrDefault(s, ""),
                Index.Entries.Count(e => e.Split == s), ClassMap.Of(c => Index.Count(s, c)))),
            Decoded, Unreadable, Index.Notices, Crowd is null ? null : CrowdAgreementSection.Of(Crowd, VoteFile!));

    public void Render(IAnsiConsole console)
    {
        var table = new Table().Title($"[bold]{Markup.Escape(Index.Root)}[/]").Border(TableBorder.Rounded);
        table.AddColumn("split");
        foreach (var name in EmotionClasses.Names) table.AddColumn(new TableColumn(name).RightAligned());
        table.AddColumn(new TableColumn("total").RightAligned());
        table.AddColumn(new TableColumn("share").RightAligned());
        int all = Index.Entries.Count;
        foreach (var split in Index.Splits)
        {
            int total = Index.Entries.Count(e => e.Split == split);
            var label = $"{split.ToName()} ({Index.SplitFolders.GetValueOrDefault(split, "")})";
            var cells = new List<string> { Markup.Escape(label) };
            for (int c = 0; c < EmotionClasses.Count; c++) cells.Add($"{Index.Count(split, c):N0}");
            cells.Add($"[bold]{total:N0}[/]");
            cells.Add($"{100.0 * total / all:F1}%");
            table.AddRow(cells.ToArray());
        }
        var totalCells = new List<string> { "[bold]all[/]" };
        for (int c = 0; c < EmotionClasses.Count; c++)
            totalCells.Add($"[bold]{Index.Entries.Count(e => e.Label == c):N0}[/]");
        totalCells.Add($"[bold]{all:N0}[/]");
        totalCells.Add("100%");
        table.AddRow(totalCells.ToArray());
        console.Write(table);

        foreach (var n in Index.Notices)
            console.MarkupLine($"[yellow]notice[/] {Markup.Escape(n.Path)}: {Markup.Escape(n.Reason)}");
        foreach (var u in Unreadable)
            console.MarkupLine($"[red]unreadable[/] {Markup.Escape(u.Path)}: {Markup.Escape(u.Reason)}");
        console.MarkupLine(Decoded
            ? $"{all - Unreadable.Count:N0} images decoded, {Unreadable.Count} unreadable."
            : "Files counted only (--no-decode).");
        if (Crowd is { Applies: true } crowd)
        {
            console.MarkupLine($"FER+ crowd ({Markup.Escape(Path.GetFileName(VoteFile!))}): its majority is the folder label for " +
                $"{crowd.Overall:P1} of {crowd.Images:N0} faces — " +
                string.Join(", ", crowd.PerClass.Select(c => $"{c.Class} {c.Share:P1}")) +
                $"; {crowd.NotAFace.Count:N0} not-a-face, {crowd.Unknown.Count:N0} unknown, {crowd.OtherEmotion:N0} another emotion (--json lists them).");
        }
    }
}

/// <summary>The JSON of <c>fer data stats --json</c>.</summary>
/// <param name="Root">The dataset root as given.</param>
/// <param name="Layout">"split" (ROOT/split/class) or "unsplit" (ROOT/class).</param>
/// <param name="Images">Image files found.</param>
/// <param name="PerClass">Images per class over all splits.</param>
/// <param name="Splits">Per split: its folder, its images and its images per class.</param>
/// <param name="Decoded">Whether the images were decoded (false with --no-decode: no unreadable list).</param>
/// <param name="Unreadable">Files that could not be decoded, each with the reason.</param>
/// <param name="Notices">Folders and files the reader skipped, each with the reason.</param>
/// <param name="Crowd">The crowd's agreement with the folder labels; null without the vote file.</param>
internal sealed record DatasetStatsJson(string Root, string Layout, int Images, Dictionary<string, int> PerClass,
    Dictionary<string, SplitStats> Splits, bool Decoded, IReadOnlyList<DatasetNotice> Unreadable,
    IReadOnlyList<DatasetNotice> Notices, CrowdAgreementSection? Crowd);

/// <summary>One split in <see cref="DatasetStatsJson.Splits"/>.</summary>
/// <param name="Folder">Its folder name (e.g. "validation").</param>
/// <param name="Total">Its images.</param>
/// <param name="PerClass">Its images per class.</param>
internal sealed record SplitStats(string Folder, int Total, Dictionary<string, int> PerClass);
