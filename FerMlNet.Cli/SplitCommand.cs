using System.CommandLine;
using FerMlNet.Core.Quality;
using Spectre.Console;

namespace FerMlNet.Cli;

/// <summary>`fer data split DATASET --out NEWROOT`: a leakage-free, stratified, seeded split into a new tree.</summary>
internal static class SplitCommand
{
    /// <summary>Audits <paramref name="dataset"/>, plans the leakage-free split and writes it as a new tree at <paramref name="target"/>.</summary>
    public static SplitPlan WriteSplit(string dataset, string target, SplitOptions options, AuditOptions near)
    {
        var (_, data) = CliData.LoadAsIs(dataset);
        var audit = DatasetAudit.Run(data, near);
        var plan = LeakageFreeSplitter.Plan(audit, options);
        try
        {
            FerCommandLine.WithProgress("Copying files", report => SplitManifest.WriteTree(plan, audit, options, target, report));
        }
        catch (IOException e) { throw new UsageException(e.Message); }
        return plan;
    }

    public static Command Create()
    {
        var dataset = new Argument<string>("dataset") { Description = "Source dataset root (only read, never changed)." };
        var outDir = new Option<string>("--out") { Description = "New dataset root (must not exist or be empty).", Required = true };
        var ratios = new Option<string>("--ratios") { Description = "Train,val,test shares per class.", DefaultValueFactory = _ => "80,10,10" };
        var seed = new Option<int>("--seed") { Description = "Shuffle seed; recorded in manifest.json.", DefaultValueFactory = _ => 42 };
        var keep = new Option<bool>("--keep-duplicates") { Description = "Keep every copy of a duplicate group (in one split) instead of one." };
        var near = new NearDuplicateCliOptions();
        var cmd = new Command("split", "New dataset tree, stratified 80/10/10, no duplicate group across splits; manifest.json records everything.")
        {
            dataset, outDir, ratios, seed, keep,
        };
        foreach (var option in near.All) cmd.Add(option);
        cmd.SetAction(parse => FerCommandLine.Guard(() =>
        {
            var options = new SplitOptions { Seed = parse.GetValue(seed), KeepDuplicates = parse.GetValue(keep) };
            try
            {
                options.Ratios = SplitOptions.ParseRatios(parse.GetValue(ratios)!);
                options.Validate();
            }
            catch (ArgumentException e) { throw new UsageException(e.Message); }
            var target = parse.GetValue(outDir)!;
            var plan = WriteSplit(parse.GetValue(dataset)!, target, options, near.Read(parse));
            var table = new Table().Border(TableBorder.Rounded).AddColumn("split");
            foreach (var name in EmotionClasses.Names) table.AddColumn(new TableColumn(name).RightAligned());
            foreach (var split in new[] { Core.Data.DatasetSplit.Train, Core.Data.DatasetSplit.Val, Core.Data.DatasetSplit.Test })
                table.AddRow([split.ToString(), .. Enumerable.Range(0, EmotionClasses.Count)
                    .Select(c => plan.Assignments.Count(a => a.Split == split && a.Label == c).ToString("N0"))]);
            AnsiConsole.Write(table);
            AnsiConsole.MarkupLine($"{plan.Assignments.Count:N0} images in [bold]{Markup.Escape(target)}[/], " +
                                   $"{plan.DroppedCopies.Count:N0} redundant copies dropped, {plan.SetAside.Count} set aside (see manifest.json).");
            return ExitCodes.Success;
        }));
        return cmd;
    }
}
