using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using FerMlNet.Core.IO;
using FerMlNet.Core.Quality;
using FerMlNet.Training.Engine;
using FerMlNet.Training.MlNet;
using FerMlNet.Lifecycle.Evaluation;
using FerMlNet.Lifecycle.Runs;

namespace FerMlNet.Lifecycle.Publishing;

/// <summary>
/// Ships a run folder as models/NAME.zip, NAME.onnx and the card NAME.json saying how the model was made (pipeline,
/// seeds, the split, the commands that rebuild it, the published files it uses as they are) and how it scored on
/// validation and, once, on test. `fer publish` is this call.
/// </summary>
public static class ModelPublisher
{
    /// <summary>The three files a published model NAME is, in models/.</summary>
    public static string[] Files(string modelsDir, string name) =>
        new[] { ".zip", ".onnx", ".json" }.Select(e => Path.Combine(modelsDir, name + e)).ToArray();

    /// <summary>
    /// Publishes <paramref name="runDir"/> (a run of `fer train`, `fer calibrate` or `fer quantize`) as
    /// <paramref name="name"/> in <paramref name="modelsDir"/>, atomically file by file.
    /// </summary>
    /// <param name="runDir">The run folder: model.zip, model.onnx, run.json and its validation metrics.json.</param>
    /// <param name="splitManifest">manifest.json of the `fer data split` the run trained on.</param>
    /// <param name="testMetrics">metrics.json of `fer evaluate` on that split's test part.</param>
    /// <param name="name">The base name in models/ (a plain file name).</param>
    /// <param name="modelsDir">The models folder (created when missing).</param>
    /// <param name="overwrite">Replace a published model of that name; without it an existing file is an error.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a plain file name.</exception>
    /// <exception cref="IOException">A file of the published model exists and <paramref name="overwrite"/> is false.</exception>
    /// <exception cref="InvalidDataException">A file is not what it should be (the message names it).</exception>
    public static ModelCard Publish(string runDir, string splitManifest, string testMetrics, string name, string modelsDir, bool overwrite)
    {
        if (name.IndexOfAny(['/', '\\']) >= 0) throw new ArgumentException("the name must be a plain file name.", nameof(name));
        var targets = Files(Directory.CreateDirectory(modelsDir).FullName, name);
        if (!overwrite && targets.FirstOrDefault(File.Exists) is { } existing)
            throw new IOException($"'{existing}' already exists.");
        var trained = RunRecord.Load(runDir);
        var valMetrics = EvaluationMetrics.Load(Path.Combine(runDir, "metrics.json"));
        var split = SplitManifest.Load(splitManifest);
        var test = EvaluationMetrics.Load(testMetrics);
        if (test.Split != "test")
            throw new InvalidDataException($"'{testMetrics}' must be a metrics.json of the test split of '{splitManifest}'; it is of '{test.Split}'.");

        // The card travels in the package: its paths are stated relative to the folder holding models/.
        var modelsFolder = Path.GetFullPath(modelsDir.TrimEnd('/', '\\'));
        var paths = new CardPaths(Path.GetDirectoryName(modelsFolder) ?? modelsFolder);
        var card = new ModelCard
        {
            Name = name,
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
            SplitSeed = split.Seed,
            SplitRatios = split.Ratios,
            SplitSource = split.Source,
            DataManifestSha256 = FileHash.Sha256(splitManifest),
            TrainedDatasetContentKey = trained.DatasetContentKey,
            Calibration = trained.Calibration is { } calibration ? paths.Portable(calibration) : null,
            Quantization = trained.Quantization is { } quantization ? paths.Portable(quantization) : null,
            Rebuild = Rebuild(split, trained),
            RebuildUses = PublishedSources(trained),
            Validation = paths.Portable(valMetrics),
            Test = paths.Portable(test),
        };
        AtomicFile.Write(targets[0], s => { using var f = File.OpenRead(Path.Combine(runDir, "model.zip")); f.CopyTo(s); });
        AtomicFile.Write(targets[1], s => { using var f = File.OpenRead(Path.Combine(runDir, "model.onnx")); f.CopyTo(s); });
        card.Write(targets[2]);
        return card;
    }

    /// <summary>
    /// The commands that rebuild the model: split, train, and the calibration when the run is a calibrated one. A
    /// published model file among the calibration's sources (`fer calibrate models/NAME.onnx runs/X`) is not trained
    /// here: the line names it as models/NAME.onnx and <see cref="PublishedSources"/> says which file and how it was built.
    /// </summary>
    public static string Rebuild(SplitManifest split, RunRecord run)
    {
        var splitCommand = SplitCommand(split);
        // An int8 copy is rebuilt from its published float source, not retrained.
        if (run.Quantization is { } q)
            return $"{splitCommand} && ./fer quantize models/{Path.GetFileName(q.Source)} --data datasets/fer4-clean " +
                   $"--faces {q.CalibrationFaces} --seed {q.Seed} --out runs/{Path.GetFileNameWithoutExtension(q.Source)}-int8";
        var sources = run.Calibration?.Sources;
        List<string?> pipelines = sources is { Length: > 1 } && run.Members is { } members
            ? members.Select(m => (string?)m?["name"]).ToList()
            : [run.PipelineName];
        bool Published(int i) => sources is not null && i < sources.Length && RunRecord.IsPublishedModelFile(sources[i]);
        var trainOrder = PipelineCatalog.TrainOrder(pipelines.Where((_, i) => !Published(i)).OfType<string>());
        var commands = splitCommand +
                       string.Concat(trainOrder.Select(p => $" && ./fer train {p} --data datasets/fer4-clean"));
        var calibrateArgs = pipelines.Select((p, i) => Published(i) ? $"models/{Path.GetFileName(sources![i])}" : $"runs/{p}");
        if (run.Calibration is { } calibration)
            commands += $" && ./fer calibrate {string.Join(" ", calibrateArgs)} --data datasets/fer4-clean" +
                        $"{calibration.RebuildOptions()} --out runs/{string.Join("+", pipelines)}-calibrated";
        return commands;
    }

    /// <summary>
    /// The `fer data split` that rebuilds the split a manifest describes, with its near-duplicate rule spelled out: a
    /// manifest without "nearConfirmation" was made by the hash alone (`--near-confirm none`, the rule before
    /// 2026-12-05), and a confirmed one names its correlation threshold, so the line holds whatever the defaults become.
    /// </summary>
    public static string SplitCommand(SplitManifest split)
    {
        var command = $"./fer data split datasets/{split.Source.Name} --out datasets/fer4-clean --seed {split.Seed}";
        if (split.NearThreshold != AuditOptions.DefaultNearThreshold)
            command += $" --near-threshold {split.NearThreshold}";
        return split.NearMinCorrelation is { } minCorrelation
            ? command + string.Create(CultureInfo.InvariantCulture, $" --near-min-correlation {minCorrelation}")
            : command + " --near-confirm none";
    }

    /// <summary>
    /// The published model files the rebuild line uses as they are — calibration members (`fer calibrate models/NAME.onnx
    /// runs/X`), a distillation teacher (`distillation.teacherModel`) or an int8 copy's float source — each with its
    /// SHA-256 (publishing under the same name replaces the file: a member's is taken now, a teacher's is the one
    /// run.json recorded when training read it) and its own card's rebuild line. Null when the model uses none.
    /// </summary>
    public static CardRebuildUse[]? PublishedSources(RunRecord run)
    {
        if (run.Quantization is { } q) return [Used(q.Source, "quantization source", q.SourceSha256)];
        var members = (run.Calibration?.Sources.Where(RunRecord.IsPublishedModelFile) ?? [])
            .Select(f => Used(f, "calibration member", File.Exists(f) ? FileHash.Sha256(f) : null));
        var teacher = (string?)run.Pipeline?["distillation"]?["teacherModel"] is { } model
            ? [Used(model, "distillation teacher", run.TeacherModelSha256)]
            : Array.Empty<CardRebuildUse>();
        var uses = members.Concat(teacher).ToArray();
        return uses.Length == 0 ? null : uses;
    }

    private static CardRebuildUse Used(string file, string usedAs, string? sha256)
    {
        var card = Path.ChangeExtension(file, ".json");
        return new($"models/{Path.GetFileName(file)}", usedAs, sha256, File.Exists(card) ? ModelCard.Load(card).Rebuild : null);
    }
}
