using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using FerMlNet.Core;
using FerMlNet.Core.Data;
using FerMlNet.Core.IO;
using FerMlNet.Core.Labels;
using FerMlNet.Preprocessing;
using Spectre.Console;

namespace FerMlNet.Cli;

/// <summary>`fer data ...`: dataset statistics and the data-quality tools.</summary>
internal static class DataCommands
{
    public static Command Create()
    {
        var data = new Command("data", "Dataset tools: stats, audit, split, mislabels, relabel, import, framing, look.");
        data.Add(CreateStats());
        data.Add(AuditCommand.Create());
        data.Add(SplitCommand.Create());
        data.Add(MislabelsCommand.Create());
        data.Add(MislabelsCommand.CreateRelabel());
        data.Add(CreateCrowdDecisions());
        data.Add(ImportCommand.Create());
        data.Add(FramingCommand.Create());
        data.Add(LookCommand.Create());
        return data;
    }

    private static Command CreateCrowdDecisions()
    {
        var dataset = new Argument<string>("dataset") { Description = "Dataset root of FER-2013 faces (file names are their rows)." };
        var output = new Option<string>("--out") { Description = "decisions.csv to write (for review, then `fer data relabel`).", Required = true };
        var minShare = new Option<double>("--min-share") { Description = "Share of the votes the crowd majority needs before a relabel is proposed.", DefaultValueFactory = _ => 0.7 };
        var force = new Option<bool>("--force") { Description = "Replace an existing file." };
        var cmd = new Command("crowd-decisions", "Propose relabel/remove decisions from the FER+ crowd's votes, in the reviewable decisions.csv format of `fer data relabel`.")
        {
            dataset, output, minShare, force,
        };
        cmd.SetAction(parse => FerCommandLine.Guard(() =>
        {
            var index = DatasetReader.Read(parse.GetValue(dataset)!);
            var (agreement, votes) = CliData.CrowdAgreementOf(index);
            if (agreement is not { Applies: true })
                throw new DatasetException(agreement is null
                    ? $"The FER+ vote file '{CrowdVoteTable.DefaultRelativePath}' is not here."
                    : $"'{parse.GetValue(dataset)}': {(string?)agreement.ToJson(votes!.Path)["reason"]}.");
            double share = parse.GetValue(minShare);
            if (share is <= 0 or > 1) throw new UsageException("--min-share must be in (0, 1].");
            var path = parse.GetValue(output)!;
            if (File.Exists(path) && !parse.GetValue(force)) throw new UsageException($"'{path}' already exists; add --force to replace it.");
            var (csv, counts) = CrowdDecisions.Propose(index.Entries, votes!, share);
            AtomicFile.WriteAllText(path, csv);
            AnsiConsole.MarkupLine($"{counts.Relabel:N0} relabels (crowd majority ≥ {share:P0} of the votes for another class) and " +
                $"{counts.Remove:N0} removals (not a face) proposed in [bold]{Markup.Escape(path)}[/]; review, then " +
                $"`fer data relabel {Markup.Escape(parse.GetValue(dataset)!)} --decisions {Markup.Escape(path)} --out NEWROOT`.");
            return ExitCodes.Success;
        }));
        return cmd;
    }

    private static Command CreateStats()
    {
        var dataset = new Argument<string>("dataset") { Description = "Dataset root (ROOT/<split>/<class>/* or ROOT/<class>/*)." };
        var json = new Option<bool>("--json") { Description = "Print the statistics as JSON on stdout." };
        var noDecode = new Option<bool>("--no-decode") { Description = "Only count files; do not decode them to find unreadable images." };
        var cmd = new Command("stats", "Images per split and class, skipped folders and files, unreadable images.")
        {
            dataset, json, noDecode,
        };
        cmd.SetAction(parse => FerCommandLine.Guard(() =>
        {
            var stats = DatasetStats.Compute(parse.GetValue(dataset)!, decode: !parse.GetValue(noDecode),
                progress: work => FerCommandLine.WithProgress("Decoding images", work));
            if (parse.GetValue(json))
                Console.WriteLine(stats.ToJson().ToJsonString(ReportJson.Indented));
            else
                stats.Render(AnsiConsole.Console);
            return ExitCodes.Success;
        }));
        return cmd;
    }
}

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

    public JsonObject ToJson()
    {
        var splits = new JsonObject();
        foreach (var split in Index.Splits)
        {
            var perClass = new JsonObject();
            for (int c = 0; c < EmotionClasses.Count; c++)
                perClass[EmotionClasses.Names[c]] = Index.Count(split, c);
            splits[split.ToName()] = new JsonObject
            {
                ["folder"] = Index.SplitFolders.GetValueOrDefault(split, ""),
                ["total"] = Index.Entries.Count(e => e.Split == split),
                ["perClass"] = perClass,
            };
        }
        var totals = new JsonObject();
        for (int c = 0; c < EmotionClasses.Count; c++)
            totals[EmotionClasses.Names[c]] = Index.Entries.Count(e => e.Label == c);
        return new JsonObject
        {
            ["root"] = Index.Root,
            ["layout"] = Index.IsSplit ? "split" : "unsplit",
            ["images"] = Index.Entries.Count,
            ["perClass"] = totals,
            ["splits"] = splits,
            ["decoded"] = Decoded,
            ["unreadable"] = new JsonArray(Unreadable.Select(u => (JsonNode)new JsonObject
                { ["path"] = u.Path, ["reason"] = u.Reason }).ToArray()),
            ["notices"] = new JsonArray(Index.Notices.Select(n => (JsonNode)new JsonObject
                { ["path"] = n.Path, ["reason"] = n.Reason }).ToArray()),
            ["crowd"] = Crowd?.ToJson(VoteFile!),
        };
    }

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
