using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using FerMlNet.Training.Models;

namespace FerMlNet.Training.Engine;

/// <summary>
/// One training pipeline: what `pipelines/*.json` holds and what <see cref="CnnTrainer"/> runs. Every field has the
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

    /// <summary>"balanced" (n / (classes · count), sklearn's rule, the notebook's default) or "none".</summary>
    public string ClassWeights { get; set; } = "balanced";

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
    /// pipelines/model-0.json), looked up from the working directory and then above the program's folder.
    /// </summary>
    public static PipelineOptions LoadByNameOrPath(string nameOrPath)
    {
        if (File.Exists(nameOrPath) || nameOrPath.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            return Load(nameOrPath);
        if (Core.IO.RepositoryFiles.Find(Path.Combine("pipelines", nameOrPath + ".json")) is { } found) return Load(found);
        throw new InvalidDataException($"Pipeline '{nameOrPath}' is neither a file nor a name in pipelines/ (try `fer models --pipelines`).");
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
        var node = JsonNode.Parse(File.ReadAllText(full), documentOptions: new() { CommentHandling = JsonCommentHandling.Skip })
            as JsonObject ?? throw new InvalidDataException($"Pipeline file '{full}' is not a JSON object.");
        if (!node.Remove("base", out var baseName)) return node;
        if (baseName?.GetValueKind() != JsonValueKind.String || (string)baseName! is not { Length: > 0 } name)
            throw new InvalidDataException($"Pipeline file '{full}': 'base' must name a pipeline of the same folder.");
        if (!node.ContainsKey("name"))
            throw new InvalidDataException($"Pipeline file '{full}': a pipeline with a 'base' must set its own 'name'.");
        var baseFile = Path.Combine(Path.GetDirectoryName(full)!, name.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? name : name + ".json");
        var merged = WithBase(baseFile, [.. derived, full]);
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
        if (ClassWeights is not ("balanced" or "none")) Fail("classWeights", "must be 'balanced' or 'none'");
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
        if (InitialWeights is { Length: 0 }) Fail("initialWeights", "must be a run folder or checkpoint file");
        if (InitialWeights is not null && Architecture == TransferArchitecture)
            Fail("initialWeights", $"does not apply to '{TransferArchitecture}'");
        if (EarlyStopping is { Patience: < 1 }) Fail("earlyStopping.patience", "must be at least 1");
    }

    private static string DescribeJsonError(JsonException e)
    {
        var where = e.Path is { Length: > 0 } p ? $" at '{p.TrimStart('$', '.')}'" : "";
        return e.Message.Contains("could not be mapped", StringComparison.Ordinal)
            ? $"unknown key{where} ({e.Message.Split('\'').ElementAtOrDefault(1)})"
            : $"invalid value{where}: {e.Message.Split(" Path:")[0]}";
    }
}

/// <summary>The notebook's soft augmentation (Keras RandomFlip/RandomRotation/RandomZoom/RandomContrast), plus FerMlNet's translation and random erasing (off by default).</summary>
public sealed class AugmentationOptions
{
    /// <summary>Random horizontal flip (p = 0.5). Default true.</summary>
    public bool Flip { get; set; } = true;

    /// <summary>Rotation factor as a fraction of a full turn: 0.05 = ±18°. Default 0.05.</summary>
    public double Rotation { get; set; } = 0.05;

    /// <summary>Zoom factor: scale drawn from [1 − z, 1 + z] (both axes). Default 0.05.</summary>
    public double Zoom { get; set; } = 0.05;

    /// <summary>Contrast factor: (x − mean)·f + mean with f in [1 − c, 1 + c] per image. Default 0.05.</summary>
    public double Contrast { get; set; } = 0.05;

    /// <summary>
    /// Not in the notebook (Keras RandomTranslation): shift drawn from [−t, t] of the side on each axis, reflected at
    /// the border. Default 0 (off): faces in the dataset are roughly centred, photos cropped by the detector less so.
    /// </summary>
    public double Translate { get; set; }

    /// <summary>
    /// Not in the notebook: random erasing (Zhong et al. 2017) — with this probability a rectangle of 2–20% of the face
    /// (aspect 0.3–3.3) is filled with uniform noise, so the network cannot rely on one region (a mouth, an eye).
    /// Default 0 (off).
    /// </summary>
    public double Erasing { get; set; }

    /// <summary>
    /// Not in the notebook (Keras RandomBrightness): a shift drawn from [−b, b] added to every pixel (the [0, 1]
    /// scale), clipped to [0, 1]. Photo faces are darker than FER-2013's (`fer data look`: median 0.46 against 0.51).
    /// Default 0 (off).
    /// </summary>
    public double Brightness { get; set; }

    /// <summary>
    /// Not in the notebook: unsharp masking with an amount drawn from [−d, d] per image, x + a·(x − blur(x)) with a
    /// σ = 1 Gaussian (the photo crop's <c>FaceCropOptions.Detail</c>), clipped to [0, 1]: negative amounts soften,
    /// positive ones sharpen, so the network does not learn FER-2013's texture (photo crops are softer:
    /// `fer data look`). Default 0 (off).
    /// </summary>
    public double Detail { get; set; }

    internal void Validate(Action<string, string> fail)
    {
        if (Brightness is < 0 or > 0.5) fail("augmentation.brightness", "must be in [0, 0.5] (of the [0, 1] grey range)");
        if (Detail is < 0 or > 3) fail("augmentation.detail", "must be in [0, 3] (unsharp-mask amount)");
        if (Translate is < 0 or > 0.5) fail("augmentation.translate", "must be in [0, 0.5] (fraction of the side)");
        if (Erasing is < 0 or > 1) fail("augmentation.erasing", "must be a probability in [0, 1]");
        if (Rotation is < 0 or > 0.5) fail("augmentation.rotation", "must be in [0, 0.5] (fraction of a turn)");
        if (Zoom is < 0 or >= 1) fail("augmentation.zoom", "must be in [0, 1)");
        if (Contrast is < 0 or >= 1) fail("augmentation.contrast", "must be in [0, 1)");
    }
}

/// <summary>
/// Mixup (Zhang et al. 2018) or CutMix (Yun et al. 2019): a batch is blended with a shuffled copy of itself — whole
/// images weighted λ : 1 − λ, or a rectangle of 1 − λ of the area pasted in — and the loss is the same blend of the two
/// labels' losses. λ ~ Beta(α, α), one draw per batch. Regularises against memorising noisy labels.
/// </summary>
public sealed class MixOptions
{
    /// <summary>"mixup" or "cutmix". Default cutmix.</summary>
    public string Type { get; set; } = "cutmix";

    /// <summary>α of the Beta(α, α) the mixing share is drawn from: 1 = uniform. Default 1.</summary>
    public double Alpha { get; set; } = 1.0;

    /// <summary>Share of batches that are mixed; the rest train on plain images. Default 0.5.</summary>
    public double Probability { get; set; } = 0.5;

    internal void Validate(Action<string, string> fail)
    {
        if (Type is not ("mixup" or "cutmix")) fail("mix.type", "must be 'mixup' or 'cutmix'");
        if (Alpha is <= 0 or > 10) fail("mix.alpha", "must be in (0, 10]");
        if (Probability is < 0 or > 1) fail("mix.probability", "must be a probability in [0, 1]");
    }
}

/// <summary>
/// Knowledge distillation (Hinton et al. 2015): the student also learns a teacher's softened answers through
/// T²·KL(softmax(teacher/T) ‖ softmax(student/T)); the batch loss is (1 − weight) · the pipeline's loss + weight · that
/// term. The teacher is either trained runs (<see cref="Teachers"/>: their averaged logits on the same augmented batch,
/// one forward pass per teacher per batch) or a published model (<see cref="TeacherModel"/>: its log-probabilities on
/// each unaugmented training face, computed once before the first epoch, so an ensemble teacher costs no more per
/// batch than none).
/// </summary>
public sealed class DistillationOptions
{
    /// <summary>Run folders (or their checkpoint.bin) whose best weights are the teachers; any architecture. Default none.</summary>
    public string[] Teachers { get; set; } = [];

    /// <summary>
    /// A FerMlNet model file (model.zip or .onnx, e.g. models/fer-default.onnx, ensemble, TTA and calibration included)
    /// used as a fixed teacher instead of <see cref="Teachers"/>. On a mixed batch the student learns the blend of the
    /// two faces' teacher answers in the batch's proportion. Default null.
    /// </summary>
    public string? TeacherModel { get; set; }

    /// <summary>Share of the distillation term in the loss. Default 0.5.</summary>
    public double Weight { get; set; } = 0.5;

    /// <summary>Softening temperature T of both distributions. Default 2.</summary>
    public double Temperature { get; set; } = 2.0;

    internal void Validate(Action<string, string> fail)
    {
        if (TeacherModel is not null)
        {
            if (string.IsNullOrWhiteSpace(TeacherModel)) fail("distillation.teacherModel", "must name a model.zip or .onnx file");
            if (Teachers.Length > 0) fail("distillation", "name either teachers (runs) or teacherModel (a model file), not both");
        }
        else if (Teachers.Length == 0 || Teachers.Any(string.IsNullOrWhiteSpace))
            fail("distillation.teachers", "must name at least one run folder or checkpoint file (or set teacherModel)");
        if (Weight is <= 0 or > 1) fail("distillation.weight", "must be in (0, 1]");
        if (Temperature is < 1 or > 20) fail("distillation.temperature", "must be in [1, 20]");
    }
}

/// <summary>
/// An exponential moving average of the weights (Polyak averaging): after every optimiser step the average moves
/// 1 − decay of the way to the trained weights. Training is unchanged; each epoch's validation numbers, the best-epoch
/// choice and the kept model are the average's, and history.json records the trained weights' accuracy beside it.
/// </summary>
public sealed class WeightAverageOptions
{
    /// <summary>
    /// Share of the average kept at each step: 0.999 averages over roughly the last 1,000 steps (about 4 epochs of
    /// 14,700 faces in batches of 64). Default 0.999.
    /// </summary>
    public double Decay { get; set; } = 0.999;

    internal void Validate(Action<string, string> fail)
    {
        if (Decay is <= 0 or >= 1) fail("weightAverage.decay", "must be in (0, 1)");
    }
}

/// <summary>
/// Sharpness-aware minimisation (Foret et al., 2021): Adam steps with the loss's gradient at w + ρ·g/‖g‖, the worst
/// point of a ball of radius ρ around the weights to first order, so training prefers minima that stay low nearby.
/// </summary>
public sealed class SharpnessOptions
{
    /// <summary>Radius ρ of the neighbourhood, in weight space (L2 over all parameters). Default 0.05, the paper's.</summary>
    public double Rho { get; set; } = 0.05;

    internal void Validate(Action<string, string> fail)
    {
        if (Rho is <= 0 or > 10) fail("sharpness.rho", "must be in (0, 10]");
    }
}

/// <summary>
/// The notebook's transfer recipe with the ImageNet backbone ML.NET ships: frozen ResNet18 features of the faces
/// scaled to 224×224, and a trained head.
/// </summary>
public sealed class TransferOptions
{
    /// <summary>"lbfgs": ML.NET's L-BFGS maximum-entropy classifier; "mlp": a TorchSharp Dense 256 → Dropout → Dense 4 head. Default lbfgs.</summary>
    public string Head { get; set; } = "lbfgs";

    /// <summary>
    /// At most this many training images per class get features (a CPU budget: the backbone runs at ~6 faces/s on 2
    /// cores); null = all. Validation always uses every image. Default: null.
    /// </summary>
    public int? TrainLimitPerClass { get; set; }

    internal void Validate(Action<string, string> fail)
    {
        if (Head is not ("lbfgs" or "mlp")) fail("transfer.head", "must be 'lbfgs' or 'mlp'");
        if (TrainLimitPerClass is < 1) fail("transfer.trainLimitPerClass", "must be at least 1");
    }
}

/// <summary>Loss settings.</summary>
public sealed class LossOptions
{
    /// <summary>
    /// "crossentropy", "focal" (the notebook's FocalLoss) or "gce" (generalised cross-entropy, a label-noise-robust
    /// loss; not in the notebook). Default crossentropy.
    /// </summary>
    public string Type { get; set; } = "crossentropy";

    /// <summary>Label smoothing: targets y·(1 − ls) + ls / 4. Default 0.</summary>
    public double LabelSmoothing { get; set; }

    /// <summary>Focal γ. Default 2.</summary>
    public double Gamma { get; set; } = 2.0;

    /// <summary>Focal α (one scalar for every class, as the notebook). Default 0.25.</summary>
    public double Alpha { get; set; } = 0.25;

    /// <summary>GCE exponent q in (0, 1]: 0.7 is the paper's choice; smaller is closer to cross-entropy. Default 0.7.</summary>
    public double Q { get; set; } = 0.7;

    internal void Validate(Action<string, string> fail)
    {
        if (Type is not ("crossentropy" or "focal" or "gce")) fail("loss.type", "must be 'crossentropy', 'focal' or 'gce'");
        if (Q is <= 0 or > 1) fail("loss.q", "must be in (0, 1]");
        if (LabelSmoothing is < 0 or >= 1) fail("loss.labelSmoothing", "must be in [0, 1)");
        if (Gamma < 0) fail("loss.gamma", "must be ≥ 0");
        if (Alpha is <= 0 or > 1) fail("loss.alpha", "must be in (0, 1]");
    }
}

/// <summary>Learning-rate schedule settings.</summary>
public sealed class ScheduleOptions
{
    /// <summary>"constant", "reduce-on-plateau" (Keras ReduceLROnPlateau on val_loss) or "cosine" (Keras CosineDecay per step).</summary>
    public string Type { get; set; } = "constant";

    /// <summary>Plateau: factor. Default 0.5.</summary>
    public double Factor { get; set; } = 0.5;

    /// <summary>Plateau: epochs without val_loss improvement (min_delta 1e-4) before reducing. Default 5.</summary>
    public int Patience { get; set; } = 5;

    /// <summary>Plateau: floor of the learning rate. Default 1e-6.</summary>
    public double MinLearningRate { get; set; } = 1e-6;

    /// <summary>Cosine: final learning rate as a fraction of the initial. Default 0.</summary>
    public double Alpha { get; set; }

    /// <summary>Cosine: decay steps; 0 = the notebook's rule, floor(train images / batch) · epochs.</summary>
    public int DecaySteps { get; set; }

    internal void Validate(Action<string, string> fail)
    {
        if (Type is not ("constant" or "reduce-on-plateau" or "cosine"))
            fail("schedule.type", "must be 'constant', 'reduce-on-plateau' or 'cosine'");
        if (Factor is <= 0 or >= 1) fail("schedule.factor", "must be in (0, 1)");
        if (Patience < 1) fail("schedule.patience", "must be at least 1");
        if (Alpha is < 0 or > 1) fail("schedule.alpha", "must be in [0, 1]");
        if (DecaySteps < 0) fail("schedule.decaySteps", "must be ≥ 0");
    }
}

/// <summary>Early stopping on validation accuracy (Keras EarlyStopping(monitor='val_accuracy', mode='max')).</summary>
public sealed class EarlyStoppingOptions
{
    /// <summary>Epochs without improvement before stopping. Default 20.</summary>
    public int Patience { get; set; } = 20;

    /// <summary>Restore the best epoch's weights at the end. Default true.</summary>
    public bool RestoreBest { get; set; } = true;
}
