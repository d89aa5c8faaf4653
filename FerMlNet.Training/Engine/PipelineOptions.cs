using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using FerMlNet.Training.Models;
using FerMlNet.Preprocessing;

namespace FerMlNet.Training.Engine;

/// <summary>
/// One training pipeline: what `pipelines/GROUP/*.json` holds and what <see cref="CnnTrainer"/> runs. Every field has the
/// notebook's default; a pipeline file sets only what differs. Unknown keys and wrong values are errors naming the key.
/// A file may also start from another pipeline of its folder with "base" (see <see cref="Load"/>).
/// </summary>
public sealed class PipelineOptions
{
    /// <summary>Pipeline name (the file name without .json by convention).</summary>
    public string Name { get; set; } = "custom";

    /// <summary>One line saying what the pipeline reproduces.</summary>
    public string Description { get; set; } = "";

    /// <summary>Dataset root, relative to the repository root. Default: the embedded datasets/fer4-mit.</summary>
    public string Dataset { get; set; } = "datasets/fer4-mit";

    /// <summary>
    /// Architecture key of <see cref="ModelZoo"/> (model-0, model-a, model-c, model-d, gray, rgb), or
    /// <see cref="TransferArchitecture"/> for a head on frozen ImageNet features (then <see cref="Transfer"/> is required).
    /// </summary>
    public string Architecture { get; set; } = "model-a";

    /// <summary>Dropout rates of model-a/model-c: block1, block2, block3, head. Null: the architecture's default.</summary>
    public double[]? Dropout { get; set; }

    /// <summary>Keras L2 λ on the kernels the architecture regularises (0 = none). Default 0.</summary>
    public double L2 { get; set; }

    /// <summary>
    /// Keras BatchNormalization momentum of the moving statistics. Default 0.99 (Keras'; the notebook never set it).
    /// With so slow an average, validation is meaningless for the first few hundred optimizer steps; short runs on
    /// small data may use 0.9 (PyTorch's default).
    /// </summary>
    public double BatchNormMomentum { get; set; } = FerNet.KerasBatchNormMomentum;

    /// <summary>Soft augmentation (null = none).</summary>
    public AugmentationOptions? Augmentation { get; set; }

    /// <summary>Mixup or CutMix of training batches (null = none; not in the notebook).</summary>
    public MixOptions? Mix { get; set; }

    /// <summary>
    /// A run folder (or its checkpoint.bin) whose best weights start this run instead of a random initialisation: a
    /// warm restart that lengthens a finished schedule, or a fine-tune. Same architecture required. Default null.
    /// </summary>
    public string? InitialWeights { get; set; }

    /// <summary>Knowledge distillation from trained teacher runs (null = none; not in the notebook).</summary>
    public DistillationOptions? Distillation { get; set; }

    /// <summary>
    /// A moving average of the weights that validation, the best-epoch choice and the kept model use instead of the
    /// trained weights (null = none; not in the notebook).
    /// </summary>
    public WeightAverageOptions? WeightAverage { get; set; }

    /// <summary>
    /// Sharpness-aware minimisation: each step's gradient is taken at the worst weights within ρ (null = none; not in
    /// the notebook). Twice the training work per step.
    /// </summary>
    public SharpnessOptions? Sharpness { get; set; }

    /// <summary>
    /// The runs this pipeline needs trained before it starts — <see cref="InitialWeights"/> and the distillation
    /// teachers — each with the pipeline key that names it.
    /// </summary>
    public IEnumerable<(string Key, string Run)> PrerequisiteRuns() =>
        (InitialWeights is { } initial ? [("initialWeights", initial)] : Array.Empty<(string, string)>())
        .Concat((Distillation?.Teachers ?? []).Select(t => ("distillation.teachers", t)));

    /// <summary>Loss function.</summary>
    public LossOptions Loss { get; set; } = new();

    /// <summary>Where the training targets come from: folder labels (default) or the FER+ crowd's votes.</summary>
    public LabelOptions Labels { get; set; } = new();

    /// <summary>How the loss weighs the classes. Default <see cref="ClassWeighting.Balanced"/> (the notebook's).</summary>
    public ClassWeighting ClassWeights { get; set; } = ClassWeighting.Balanced;

    /// <summary>Adam's initial learning rate. Default 0.0005 (the notebook's INITIAL_LR).</summary>
    public double LearningRate { get; set; } = 0.0005;

    /// <summary>Learning-rate schedule.</summary>
    public ScheduleOptions Schedule { get; set; } = new();

    /// <summary>Early stopping on validation accuracy (null = none; the best epoch's weights are kept either way).</summary>
    public EarlyStoppingOptions? EarlyStopping { get; set; }

    /// <summary>Maximum epochs. Default 75 (MAX_EPOCHS).</summary>
    public int Epochs { get; set; } = 75;

    /// <summary>Batch size. Default 64.</summary>
    public int BatchSize { get; set; } = 64;

    /// <summary>Seed of weights, shuffling, augmentation and dropout. Default 42.</summary>
    public int Seed { get; set; } = 42;

    /// <summary>
    /// The precision of the forward and backward passes. Default fp32; bf16 only where the CPU has bf16 kernels (the
    /// run falls back to fp32 elsewhere and records what it used in run.json).
    /// </summary>
    public TrainingPrecision Precision { get; set; } = TrainingPrecision.Fp32;

    /// <summary>The architecture key of transfer-learning pipelines.</summary>
    public const string TransferArchitecture = "resnet18-transfer";

    /// <summary>Transfer learning settings; only with <see cref="Architecture"/> = "resnet18-transfer".</summary>
    public TransferOptions? Transfer { get; set; }

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>
    /// Reads a pipeline given as a file path or as a name of the repository's pipelines/ folder ("model-0" →
    /// pipelines/notebook/model-0.json, whatever its group), looked up from the working directory and then above the
    /// program's folder (<see cref="PipelineCatalog"/>).
    /// </summary>
    public static PipelineOptions LoadByNameOrPath(string nameOrPath)
    {
        if (File.Exists(nameOrPath) || nameOrPath.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            return Load(nameOrPath);
        if (PipelineCatalog.Find(nameOrPath) is { } found) return Load(found);
        throw new InvalidDataException($"Pipeline '{nameOrPath}' is neither a file nor a name in pipelines/ (`fer models` lists them).");
    }

    /// <summary>
    /// Reads and validates a pipeline file. A file with <c>"base": "NAME"</c> is the pipeline NAME.json of the same
    /// folder (itself possibly based on another) with the keys this file sets replacing the base's keys whole — an
    /// "augmentation" given here replaces the base's augmentation object, it is not merged into it — so a variant
    /// reads as "that pipeline, except these keys". Such a file must set its own "name".
    /// </summary>
    /// <exception cref="InvalidDataException">The file is missing, not JSON, has an unknown key or a wrong value, or its
    /// base is missing or loops.</exception>
    public static PipelineOptions Load(string path)
    {
        if (!File.Exists(path)) throw new InvalidDataException($"Pipeline file '{path}' does not exist.");
        PipelineOptions options;
        try
        {
            options = WithBase(path, []).Deserialize<PipelineOptions>(JsonOptions)
                ?? throw new InvalidDataException($"Pipeline file '{path}' is empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Pipeline file '{path}': {DescribeJsonError(e)}");
        }
        options.Validate(path);
        return options;
    }

    /// <summary>The file's JSON object with its chain of bases applied (see <see cref="Load"/>).</summary>
    private static JsonObject WithBase(string path, IReadOnlyList<string> derived)
    {
        var full = Path.GetFullPath(path);
        if (derived.Contains(full))
            throw new InvalidDataException($"Pipeline file '{derived[0]}': 'base' loops ({string.Join(" → ", derived.Append(full).Select(Path.GetFileName))}).");
        if (!File.Exists(full))
            throw new InvalidDataException($"Pipeline file '{derived[^1]}': its 'base' '{Path.GetFileNameWithoutExtension(full)}' has no file '{full}'.");
        var node = JsonNode.Parse(InputFile.ReadAllText(full), documentOptions: new() { CommentHandling = JsonCommentHandling.Skip })
            as JsonObject ?? throw new InvalidDataException($"Pipeline file '{full}' is not a JSON object.");
        if (!node.Remove("base", out var baseName)) return node;
        if (baseName?.GetValueKind() != JsonValueKind.String || (string)baseName! is not { Length: > 0 } name)
            throw new InvalidDataException($"Pipeline file '{full}': 'base' must name a pipeline of the same folder or of another pipelines/ group.");
        if (!node.ContainsKey("name"))
            throw new InvalidDataException($"Pipeline file '{full}': a pipeline with a 'base' must set its own 'name'.");
        var merged = WithBase(PipelineCatalog.BaseFile(full, name), [.. derived, full]);
        foreach (var (key, value) in node.ToList()) merged[key] = value?.DeepClone();
        return merged;
    }

    /// <summary>Serialises the options (written into run.json so a run records exactly what it ran).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Checks every value; the message names the key and the file.</summary>
    public void Validate(string source = "pipeline")
    {
        void Fail(string key, string why) => throw new InvalidDataException($"Pipeline '{source}': '{key}' {why}");
        if (Architecture == TransferArchitecture)
        {
            if (Transfer is null) Fail("transfer", $"is required with architecture '{TransferArchitecture}'");
            Transfer!.Validate(Fail);
        }
        else if (!ModelZoo.All.ContainsKey(Architecture))
            Fail("architecture", $"is '{Architecture}'; known: {string.Join(", ", ModelZoo.All.Keys)}, {TransferArchitecture}");
        else if (Transfer is not null) Fail("transfer", $"applies to architecture '{TransferArchitecture}' only");
        if (Dropout is not null && (Dropout.Length != 4 || Dropout.Any(d => d is < 0 or >= 1)))
            Fail("dropout", "must be 4 rates in [0, 1): block1, block2, block3, head");
        if (Dropout is not null && Architecture is not ("model-a" or "model-c"))
            Fail("dropout", $"applies to model-a and model-c only, not '{Architecture}'");
        if (L2 is < 0 or > 1) Fail("l2", "must be in [0, 1]");
        if (BatchNormMomentum is <= 0 or >= 1) Fail("batchNormMomentum", "must be in (0, 1)");
        if (!Enum.IsDefined(ClassWeights)) Fail("classWeights", "must be 'balanced' or 'none'");
        if (LearningRate is <= 0 or > 1) Fail("learningRate", "must be in (0, 1]");
        if (Epochs < 1) Fail("epochs", "must be at least 1");
        if (BatchSize is < 1 or > 4096) Fail("batchSize", "must be 1..4096");
        Loss.Validate(Fail);
        Labels.Validate(Fail);
        if (Labels.UsesVotes && Architecture == TransferArchitecture) Fail("labels.target", $"must be 'folder' with '{TransferArchitecture}'");
        Schedule.Validate(Fail);
        Augmentation?.Validate(Fail);
        Mix?.Validate(Fail);
        Distillation?.Validate(Fail);
        WeightAverage?.Validate(Fail);
        Sharpness?.Validate(Fail);
        if (!Enum.IsDefined(Precision)) Fail("precision", "must be 'fp32' or 'bf16'");
        if (Precision == TrainingPrecision.Bf16 && Sharpness is not null) Fail("precision", "'bf16' does not combine with 'sharpness' (its second pass runs the fp32 network)");
        if (Precision == TrainingPrecision.Bf16 && Architecture == TransferArchitecture) Fail("precision", $"must be 'fp32' with '{TransferArchitecture}'");
        if (InitialWeights is { Length: 0 }) Fail("initialWeights", "must be a run folder or checkpoint file");
        if (InitialWeights is not null && Architecture == TransferArchitecture)
            Fail("initialWeights", $"does not apply to '{TransferArchitecture}'");
        if (EarlyStopping is { Patience: < 1 }) Fail("earlyStopping.patience", "must be at least 1");
    }

    private static string DescribeJsonError(JsonException e)
    {
        var where = e.Path is { Length: > 0 } p ? $" at '{p.TrimStart('$', '.')}'" : "";
        if (e.Message.Contains("could not be mapped", StringComparison.Ordinal))
            return $"unknown key{where} ({e.Message.Split('\'').ElementAtOrDefault(1)})";
        // A closed choice (an enum option) names its choices rather than the CLR type it failed to convert to.
        var target = typeof(PipelineOptions).Assembly.GetTypes().FirstOrDefault(t => t.IsEnum &&
            e.Message.Contains($"converted to {t.FullName}", StringComparison.Ordinal));
        return target is not null
            ? $"invalid value{where}: must be {WireName.AllOf(target)}"
            : $"invalid value{where}: {e.Message.Split(" Path:")[0]}";
    }
}
