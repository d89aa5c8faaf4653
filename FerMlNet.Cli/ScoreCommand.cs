using System.CommandLine;
using FerMlNet.Scoring;
using FerMlNet.Lifecycle.BatchScoring;
using Spectre.Console;

namespace FerMlNet.Cli;

/// <summary>`fer score [MODEL] INPUT --out FILE.csv`: batch scoring of a file or folder into the contract's CSV.</summary>
internal static class ScoreCommand
{
    /// <summary>The shipped default model, used when MODEL is omitted.</summary>
    public const string DefaultModel = ShippedModels.DefaultModelRelativePath;

    public static Command Create()
    {
        var paths = new Argument<string[]>("model-and-input")
        {
            Description = $"[MODEL] INPUT: a model.zip or .onnx (default {DefaultModel}), then an image file, a folder (recursive) or a .csv/.txt list of paths. With --merge: the shard CSVs.",
            Arity = ArgumentArity.OneOrMore,
        };
        var outFile = new Option<string>("--out") { Description = "CSV to write (one row per face or image).", Required = true };
        var detect = new Option<bool>("--detect-faces") { Description = "Find faces in photos first; one row per face." };
        var threshold = new Option<float>("--threshold") { Description = "Below this confidence the label is 'uncertain'.", DefaultValueFactory = _ => FerModelConventions.DefaultUncertainThreshold };
        var resume = new Option<bool>("--resume") { Description = "Continue an interrupted run; every input ends up in the CSV exactly once." };
        var strict = new Option<bool>("--strict") { Description = "Exit with 3 when any image failed." };
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime intra-op threads (0 = one per core)." };
        var gpu = new Option<bool>("--gpu") { Description = "Run on CUDA when available (CPU fallback, with the reason)." };
        var deployment = new Option<string?>("--deployment") { Description = "A deployment calibration (fer calibrate-deployment) for this model: its class offsets adjust every answer." };
        var shard = new Option<string?>("--shard") { Description = "Score only shard I of N (I/N, 0 ≤ I < N): a deterministic, disjoint part of the input, for N parallel workers; join them with --merge." };
        var merge = new Option<bool>("--merge") { Description = "Join shard CSVs (the arguments) into --out, after checking they are all N shards of one job and together hold every input file exactly once." };
        var unrecorded = new Option<bool>("--resume-unrecorded") { Description = "With --resume: continue a CSV that has no run record (OUT.json), trusting that its rows are this input's and model's." };
        var cmd = new Command("score", "Score images with a model: CSV path,face,x,y,width,height,label,confidence,p_happy,p_neutral,p_sad,p_surprise,error,mode.")
        {
            paths, outFile, detect, threshold, resume, strict, threads, gpu, unrecorded, deployment, shard, merge,
        };
        cmd.SetAction(parse => FerCommandLine.Guard(() =>
        {
            var args = parse.GetValue(paths)!;
            if (parse.GetValue(merge))
            {
                if (parse.GetValue(shard) is not null) throw new UsageException("--merge joins shards; it takes no --shard.");
                ScoreMergeSummary merged;
                try { merged = ScoreMerge.Run(args, parse.GetValue(outFile)!); }
                catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException) { throw new UsageException(e.Message); }
                AnsiConsole.MarkupLine($"{merged.Shards} shards merged: {merged.Images:N0} images, each once ({merged.Rows:N0} rows) → {Markup.Escape(parse.GetValue(outFile)!)}");
                return ExitCodes.Success;
            }
            if (args.Length > 2) throw new UsageException($"score takes [MODEL] INPUT, not {args.Length} paths (--merge joins several shard CSVs).");
            ScoreShard? part = null;
            try { if (parse.GetValue(shard) is { } text) part = ScoreShard.Parse(text); }
            catch (FormatException e) { throw new UsageException($"--shard: {e.Message}"); }
            var (model, input) = args.Length == 2 ? (args[0], args[1]) : (ResolveDefaultModel(), args[0]);
            float t = parse.GetValue(threshold);
            if (t is < 0 or > 1) throw new UsageException("--threshold must be between 0 and 1.");
            string modelSha = Core.IO.FileHash.Sha256(model);
            var offsets = parse.GetValue(deployment) is { } file ? DeploymentOffsets(file, model, modelSha) : null;
            using var predictor = FerPredictor.Load(model, new FerPredictorOptions
            {
                UncertainThreshold = t, IntraOpThreads = parse.GetValue(threads), UseGpu = parse.GetValue(gpu), ClassLogOffsets = offsets,
                Log = note => FerCommandLine.ErrorConsole.MarkupLine($"[yellow]note[/] {Markup.Escape(note)}"),
            });
            BatchScoreSummary summary;
            try
            {
                summary = FerCommandLine.WithProgress("Scoring", report => BatchScorer.Run(predictor, input, parse.GetValue(outFile)!,
                    new BatchScoreOptions
                    {
                        DetectFaces = parse.GetValue(detect), Resume = parse.GetValue(resume), Progress = report,
                        Model = new ScoreRunModel(modelSha, t, offsets),
                        ResumeWithoutRecord = parse.GetValue(unrecorded), Shard = part,
                    }));
            }
            catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException) { throw new UsageException(e.Message); }
            foreach (var (folder, reason) in summary.UnreadableFolders)
                FerCommandLine.ErrorConsole.MarkupLine($"[yellow]skipped folder[/] {Markup.Escape(folder)}: {Markup.Escape(reason)}");
            AnsiConsole.MarkupLine($"{summary.Images:N0} images scored ({summary.Faces:N0} faces, {summary.Uncertain:N0} uncertain, {summary.NoFace} without a face, " +
                                   $"{summary.Errors} unreadable{(summary.Resumed > 0 ? $", {summary.Resumed:N0} already done" : "")}" +
                                   $"{(summary.Unsupported > 0 ? $" ({summary.Unsupported} of them in an unsupported format)" : "")}" +
                                   $"{(summary.UnreadableFolders.Count > 0 ? $", {summary.UnreadableFolders.Count} folders unreadable" : "")}) " +
                                   $"on {Markup.Escape(predictor.DeviceNote)} → {Markup.Escape(parse.GetValue(outFile)!)}");
            if (summary.Faces > 0)
                AnsiConsole.MarkupLine($"sad↔neutral watch: {summary.SadNeutral:N0} faces ({(double)summary.SadNeutral / summary.Faces:P1}) have sad " +
                    $"and neutral as their top two classes less than {EmotionPrediction.SadNeutralMargin} apart; " +
                    $"{summary.SadNeutralUncertain:N0} of them were answered uncertain.");
            return parse.GetValue(strict) && summary.Errors + summary.NoFace + summary.UnreadableFolders.Count > 0 ? ExitCodes.ItemFailed : ExitCodes.Success;
        }));
        return cmd;
    }

    /// <summary>The class offsets of a deployment calibration, refused when it was fitted for another model.</summary>
    private static float[] DeploymentOffsets(string file, string model, string modelSha)
    {
        DeploymentCalibration calibration;
        try { calibration = DeploymentCalibration.Load(file); }
        catch (InvalidDataException e) { throw new UsageException(e.Message); }
        if (!calibration.IsFor(modelSha)) throw new UsageException(calibration.NotForMessage(file, model));
        return calibration.ClassLogOffsets;
    }

    /// <summary>
    /// models/fer-default.zip of the repository around the program or the working folder (where `fer publish` writes),
    /// else the copy the build put next to the program.
    /// </summary>
    public static string ResolveDefaultModel()
    {
        // RepositoryFiles looks above the working folder, then in the program's folder and above it.
        if (Core.IO.RepositoryFiles.Find(DefaultModel) is { } found) return found;
        throw new FileNotFoundException($"No MODEL given and the default model '{DefaultModel}' is not there; pass a model.zip or .onnx.");
    }
}
