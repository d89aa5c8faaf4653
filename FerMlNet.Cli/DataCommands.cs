using System.CommandLine;
using System.Text.Json;
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
                    : $"'{parse.GetValue(dataset)}': {agreement.NotApplicableReason(votes!.Path)}.");
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
                Console.WriteLine(JsonSerializer.Serialize(stats.ToRecord(), ReportJson.IndentedCamelCase));
            else
                stats.Render(AnsiConsole.Console);
            return ExitCodes.Success;
        }));
        return cmd;
    }
}
