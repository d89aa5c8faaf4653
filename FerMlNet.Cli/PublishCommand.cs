using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using FerMlNet.Preprocessing;
using FerMlNet.Core.IO;
using FerMlNet.Training.Engine;
using FerMlNet.Training.Calibration;
using FerMlNet.Training.MlNet;
using FerMlNet.Training.Onnx;
using Spectre.Console;

using FerMlNet.Training.Publishing;
using FerMlNet.Training.Runs;

namespace FerMlNet.Cli;

/// <summary>
/// `fer publish RUNDIR --split-manifest M --test-metrics T`: copies a run's model.zip and model.onnx to
/// models/NAME.* and writes models/NAME.json saying how the model was made and how it scored, so a shipped model can
/// be rebuilt (`fer data split --seed`, `fer train`) and its numbers checked.
/// </summary>
internal static class PublishCommand
{
    public static Command Create()
    {
        var run = new Argument<string>("run") { Description = "Run folder written by `fer train`." };
        var manifest = new Option<string>("--split-manifest") { Description = "manifest.json of the dataset the run trained on (from `fer data split`).", Required = true };
        var test = new Option<string>("--test-metrics") { Description = "metrics.json of `fer evaluate` on that dataset's test split.", Required = true };
        var name = new Option<string>("--name") { Description = "Base name in models/.", DefaultValueFactory = _ => "fer-default" };
        var outDir = new Option<string>("--models") { Description = "Models folder.", DefaultValueFactory = _ => "models" };
        var force = new Option<bool>("--force") { Description = "Replace a published model of that name." };
        var cmd = new Command("publish", "Ship a trained run as models/NAME.zip, .onnx and .json (provenance and metrics).")
        {
            run, manifest, test, name, outDir, force,
        };
        cmd.SetAction(parse => FerCommandLine.Guard(() =>
        {
            var runDir = parse.GetValue(run)!;
            var baseName = parse.GetValue(name)!;
            if (baseName.IndexOfAny(['/', '\\']) >= 0) throw new UsageException("--name must be a plain file name.");
            var models = Directory.CreateDirectory(parse.GetValue(outDir)!).FullName;
            var targets = new[] { ".zip", ".onnx", ".json" }.Select(e => Path.Combine(models, baseName + e)).ToArray();
            if (!parse.GetValue(force) && targets.FirstOrDefault(File.Exists) is { } existing)
                throw new UsageException($"'{existing}' already exists; add --force to replace the published model.");
            var trained = RunRecord.Load(runDir);
            var valMetrics = EvaluationMetrics.Load(Path.Combine(runDir, "metrics.json"));
            var manifestPath = parse.GetValue(manifest)!;
            var split = ReadJson(manifestPath);
            var testMetrics = EvaluationMetrics.Load(parse.GetValue(test)!);
            if ((string?)split["source"]?["contentKey"] is null || testMetrics.Split != "test")
                throw new InvalidDataException("--split-manifest must be a `fer data split` manifest and --test-metrics a metrics.json of the test split.");

            var card = new ModelCard
            {
                Name = baseName,
                Pipeline = trained.Pipeline?.DeepClone().AsObject(),
                // An ensemble's seeds, epochs and times are its members' (calibrate's "memberRuns").
                TrainingSeed = trained.TrainingSeed is { } seed ? JsonValue.Create(seed)
                               : trained.MemberRuns is { } runs ? new JsonArray(runs.Select(r => (JsonNode?)JsonValue.Create(r.TrainingSeed)).ToArray()) : null,
                Members = trained.MemberRuns,
                EpochsRun = trained.EpochsRun,
                BestEpoch = trained.BestEpoch,
                StopReason = trained.StopReason,
                TrainSeconds = trained.TrainSeconds,
                Params = trained.Params,
                SplitSeed = (int)split["seed"]!,
                SplitRatios = split["ratios"]!.AsArray().Select(r => (double)r!).ToArray(),
                SplitSource = split["source"].Deserialize<CardSplitSource>(ReportJson.IndentedCamelCase)!,
                DataManifestSha256 = FileHash.Sha256(manifestPath),
                TrainedDatasetContentKey = trained.DatasetContentKey,
                Calibration = trained.Calibration,
                Quantization = trained.Quantization,
                Rebuild = Rebuild(split, trained),
                RebuildUses = PublishedSources(trained),
                Validation = valMetrics,
                Test = testMetrics,
            };
            AtomicFile.Write(targets[0], s => { using var f = File.OpenRead(Path.Combine(runDir, "model.zip")); f.CopyTo(s); });
            AtomicFile.Write(targets[1], s => { using var f = File.OpenRead(Path.Combine(runDir, "model.onnx")); f.CopyTo(s); });
            card.Write(targets[2]);
            AnsiConsole.MarkupLine($"Published [bold]{Markup.Escape(baseName)}[/]: validation {valMetrics.Accuracy:P2}, " +
                                   $"test {testMetrics.Accuracy:P2} ({testMetrics.Images:N0} images).");
            return ExitCodes.Success;
        }));
        return cmd;
    }

    /// <summary>
    /// The commands that rebuild the model: split, train, and the calibration when the run is a calibrated one. A
    /// published model file among the calibration's sources (`fer calibrate models/NAME.onnx runs/X`) is not trained
    /// here: the line names it as models/NAME.onnx and <see cref="PublishedSources"/> says which file and how it was built.
    /// </summary>
    internal static string Rebuild(JsonObject split, RunRecord run)
    {
        var splitCommand = $"./fer data split datasets/{split["source"]?["name"]} --out datasets/fer4-clean --seed {split["seed"]}";
        // An int8 copy is rebuilt from its published float source, not retrained.
        if (run.Quantization is { } q)
            return $"{splitCommand} && ./fer quantize models/{Path.GetFileName(q.Source)} --data datasets/fer4-clean " +
                   $"--faces {q.CalibrationFaces} --seed {q.Seed} --out runs/{Path.GetFileNameWithoutExtension(q.Source)}-int8";
        var sources = CalibrationSources(run);
        List<string?> pipelines = sources is { Count: > 1 } && run.Members is { } members
            ? members.Select(m => (string?)m?["name"]).ToList()
            : [run.PipelineName];
        bool Published(int i) => sources is not null && i < sources.Count && RunRecord.IsPublishedModelFile(sources[i]);
        var trainOrder = TrainOrder(pipelines.Where((_, i) => !Published(i)).OfType<string>());
        var commands = splitCommand +
                       string.Concat(trainOrder.Select(p => $" && ./fer train {p} --data datasets/fer4-clean"));
        var calibrateArgs = pipelines.Select((p, i) => Published(i) ? $"models/{Path.GetFileName(sources![i])}" : $"runs/{p}");
        if (run.Calibration is { } calibration)
            commands += $" && ./fer calibrate {string.Join(" ", calibrateArgs)} --data datasets/fer4-clean" +
                        $"{calibration.RebuildOptions()} --out runs/{string.Join("+", pipelines)}-calibrated";
        return commands;
    }

    /// <summary>
    /// The published model files the rebuild line uses as they are — calibration members (`fer calibrate models/NAME.onnx
    /// runs/X`) and a distillation teacher (`distillation.teacherModel`) — each with its SHA-256 (publishing under the
    /// same name replaces the file: a member's is taken now, a teacher's is the one run.json recorded when training
    /// read it) and its own card's rebuild line. Null when the model uses none.
    /// </summary>
    internal static CardRebuildUse[]? PublishedSources(RunRecord run)
    {
        var members = (CalibrationSources(run)?.Where(RunRecord.IsPublishedModelFile) ?? [])
            .Select(f => Used(f!, "calibration member", File.Exists(f) ? FileHash.Sha256(f!) : null));
        var teacher = (string?)run.Pipeline?["distillation"]?["teacherModel"] is { } model
            ? [Used(model, "distillation teacher", run.TeacherModelSha256)]
            : Array.Empty<CardRebuildUse>();
        var quantized = run.Quantization is { } q ? [Used(q.Source, "quantization source", q.SourceSha256)] : Array.Empty<CardRebuildUse>();
        var uses = quantized.Length > 0 ? quantized : members.Concat(teacher).ToArray();
        return uses.Length == 0 ? null : uses;
    }

    private static CardRebuildUse Used(string file, string usedAs, string? sha256) => new(
        $"models/{Path.GetFileName(file)}", usedAs, sha256,
        File.Exists(Path.ChangeExtension(file, ".json")) ? ModelCard.Load(Path.ChangeExtension(file, ".json")).Rebuild : null); // from the file's card

    /// <summary>What the run was calibrated from (calibration.json's "sources"); null for an uncalibrated run.</summary>
    private static List<string?>? CalibrationSources(RunRecord run) => run.Calibration?.Sources.ToList<string?>();

    /// <summary>The pipelines to train, each after the runs it needs (see <see cref="AddWithPrerequisites"/>).</summary>
    internal static List<string> TrainOrder(IEnumerable<string> pipelines)
    {
        var order = new List<string>();
        foreach (var p in pipelines) AddWithPrerequisites(p, order);
        return order;
    }

    /// <summary>
    /// Adds a pipeline after the runs it starts from or learns from (initialWeights, distillation teachers named as
    /// runs/NAME), each once, so the rebuild trains them first.
    /// </summary>
    private static void AddWithPrerequisites(string pipeline, List<string> order)
    {
        if (order.Contains(pipeline)) return;
        PipelineOptions options;
        try { options = PipelineOptions.LoadByNameOrPath(pipeline); }
        catch (InvalidDataException) { order.Add(pipeline); return; } // not a pipelines/ name: nothing more to say
        foreach (var name in options.PrerequisiteRuns().Select(p => TrainCommand.PipelineOfRun(p.Run)).OfType<string>())
            AddWithPrerequisites(name, order);
        order.Add(pipeline);
    }

    private static JsonObject ReadJson(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"'{path}' does not exist.");
        try { return JsonNode.Parse(File.ReadAllText(path))?.AsObject() ?? throw new InvalidDataException($"'{path}' is empty."); }
        catch (JsonException e) { throw new InvalidDataException($"'{path}' is not valid JSON: {e.Message}"); }
    }
}
