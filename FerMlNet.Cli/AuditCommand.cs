using System.CommandLine;
using System.Text.Json;
using FerMlNet.Preprocessing;
using FerMlNet.Core.IO;
using FerMlNet.Core.Labels;
using FerMlNet.Core.Quality;
using Spectre.Console;

namespace FerMlNet.Cli;

/// <summary>`fer data audit DATASET --out DIR`: duplicates, leakage, conflicting labels, blank and unreadable images.</summary>
internal static class AuditCommand
{
    public static Command Create()
    {
        var dataset = new Argument<string>("dataset") { Description = "Dataset root to audit." };
        var outDir = new Option<string>("--out") { Description = "Folder for audit.json and audit.html.", Required = true };
        var near = new NearDuplicateCliOptions();
        var method = new Option<NearDuplicateMethod>("--near-method")
        {
            Description = "Perceptual hash: PHash or DHash.", DefaultValueFactory = _ => NearDuplicateMethod.PHash,
        };
        var calibrate = new Option<bool>("--calibrate")
        {
            Description = "Also write near-calibration-<method>.{json,png}: pair counts per distance 0..12 and a sample sheet to choose the threshold.",
        };
        var reviewSheet = new Option<bool>("--review-sheet")
        {
            Description = "Also write near-review.{png,csv}: a seeded sample of candidate pairs across the correlation range, for a person to mark same picture or not.",
        };
        var review = new Option<string?>("--near-review")
        {
            Description = "A marked near-review CSV: audit.json reports the near-duplicate rule's precision and recall on it.",
        };
        var force = new Option<bool>("--force") { Description = "Replace an existing audit in --out." };
        var cmd = new Command("audit", "Exact and near duplicates, cross-split leakage, conflicting labels, blank and unreadable images.")
        {
            dataset, outDir, method, calibrate, reviewSheet, review, force,
        };
        foreach (var option in near.All) cmd.Add(option);
        cmd.SetAction(parse => FerCommandLine.Guard(() =>
        {
            var options = near.Read(parse, parse.GetValue(method));
            var dir = CliData.PrepareReportFolder(parse.GetValue(outDir)!, parse.GetValue(force), "audit.json", "audit.html");
            var (index, data) = CliData.LoadAsIs(parse.GetValue(dataset)!);
            var audit = DatasetAudit.Run(data, options);
            var reviewFile = parse.GetValue(review);
            var score = reviewFile is null ? null : NearPairReview.Score(audit, NearPairReview.Load(reviewFile), reviewFile);
            var (crowd, votes) = CliData.CrowdAgreementOf(index);
            var file = AuditFile.Of(audit, index.Notices, score, crowd is null ? null : CrowdAgreementSection.Of(crowd, votes!.Path));
            AtomicFile.WriteAllText(Path.Combine(dir, AuditFile.FileName), file.Serialize());
            AtomicFile.WriteAllText(Path.Combine(dir, "audit.html"), AuditReport.ToHtml(audit, index.Notices, Path.GetFileName(index.Root)));
            if (parse.GetValue(calibrate))
                NearDuplicateCalibration.Write(data, options.NearMethod, dir);
            if (parse.GetValue(reviewSheet))
                NearPairReview.WriteSheet(audit, dir);
            Summarise(audit);
            AnsiConsole.MarkupLine($"Wrote [bold]{Markup.Escape(Path.Combine(dir, "audit.json"))}[/] and audit.html.");
            return ExitCodes.Success;
        }));
        return cmd;
    }

    private static void Summarise(AuditResult audit)
    {
        var e = audit.ExactCounts;
        var n = audit.NearCounts;
        var leaked = audit.LeakedEvaluationImages();
        AnsiConsole.MarkupLine($"{audit.Data.Count:N0} images decoded, {audit.Data.Failures.Count} unreadable, {audit.Blank.Count} blank.");
        AnsiConsole.MarkupLine($"exact duplicates: {e.Groups:N0} groups, {e.Files:N0} files, {e.Redundant:N0} redundant, " +
                               $"{e.CrossSplitGroups} cross-split, {e.ConflictingLabelGroups} conflicting labels.");
        AnsiConsole.MarkupLine($"near duplicates ({audit.Options.NearMethod} ≤ {audit.Options.NearThreshold}): {n.Groups:N0} groups, " +
                               $"{n.Files:N0} files, {n.CrossSplitGroups} cross-split, {n.ConflictingLabelGroups} conflicting labels.");
        AnsiConsole.MarkupLine($"leakage: {leaked["val"]} val and {leaked["test"]} test images have a copy in train.");
    }
}
