namespace FerMlNet.Training.Models;

/// <summary>
/// The notebook's networks (docs/seed-spec.md §6), layer by layer, with the Keras parameter counts the
/// notebook printed. Names are the architecture keys used by pipeline files.
/// </summary>
public static class ModelZoo
{
    /// <summary>
    /// An architecture: its key, description, input channels and layers, and the notebook's parameter count (null
    /// for FerMlNet's own networks, which the notebook did not have).
    /// </summary>
    public sealed record Architecture(string Key, string Description, int InputChannels,
        Func<IReadOnlyList<double>?, double, IReadOnlyList<LayerSpec>> Layers, long? NotebookParameters);

    /// <summary>Every architecture, by key.</summary>
    public static IReadOnlyDictionary<string, Architecture> All { get; } = new Dictionary<string, Architecture>
    {
        ["model-0"] = new("model-0", "Baseline: 3 blocks Conv→BN→ReLU (32/64/128), Dense 256", 1, (_, _) => Model0(), 1_274_500),
        ["model-a"] = new("model-a", "3 blocks of 2×(Conv→ReLU→BN) (64/128/256), Dense 256 + BN; shared by A, B, C, B+, B++", 1,
            (d, l2) => ModelA(d ?? [0.20, 0.25, 0.30, 0.40], l2, l2OnConvs: true), 3_509_444),
        ["model-c"] = new("model-c", "Model A layers with L2 on the two Dense kernels only (Model C)", 1,
            (d, l2) => ModelA(d ?? [0.25, 0.30, 0.40, 0.50], l2, l2OnConvs: false, l2OnOutput: true), 3_509_444),
        ["model-d"] = new("model-d", "5 blocks (32→512), BN once per block, pools after blocks 1 and 3, GAP, Dense 512", 1,
            (_, l2) => ModelD(l2), 4_980_324),
        ["gray"] = new("gray", "Gray-vs-RGB comparison network, 1 channel (64/128/256, one BN per block, Dense 512)", 1,
            (_, l2) => GrayRgb(l2), 5_867_204),
        ["rgb"] = new("rgb", "Gray-vs-RGB comparison network, 3 channels (gray replicated)", 3,
            (_, l2) => GrayRgb(l2), 5_868_356),
        ["fast"] = new("fast", "FerMlNet's small network for data tools (mislabel folds): Model 0's layout at 16/32/64 filters, Dense 128", 1,
            (_, _) => Fast(), null),
        ["vgg-gap"] = new("vgg-gap", "FerMlNet's CPU network: 4 VGG blocks of 2×(Conv→BN→ReLU) (32/64/128/256), GAP, Dropout, Dense 4", 1,
            (_, l2) => VggGap(l2), null),
        ["vgg-se-res"] = new("vgg-se-res", "vgg-gap with a residual connection around each block's second conv and a squeeze-excitation gate before the add", 1,
            (_, l2) => VggGap(l2, residualSqueezeExcite: true), null),
        ["vgg-gap-wide"] = new("vgg-gap-wide", "vgg-gap with wider early blocks (48/96/128/256): more filters where the face's fine detail still is", 1,
            (_, l2) => VggGap(l2, filters: [48, 96, 128, 256]), null),
        ["vgg-gap-64"] = new("vgg-gap-64", "vgg-gap on the face resized to 64×64 inside the network (bilinear): a finer grid in every block, 4×4 before the GAP instead of 3×3, for 1.8× the work", 1,
            (_, l2) => VggGap(l2, inputSide: 64), null),
    };

    /// <summary>Builds the TorchSharp network of an architecture.</summary>
    public static FerNet Create(string key, IReadOnlyList<double>? dropout = null, double l2 = 0,
        double kerasBatchNormMomentum = FerNet.KerasBatchNormMomentum)
    {
        if (!All.TryGetValue(key, out var arch))
            throw new ArgumentException($"unknown architecture '{key}' (known: {string.Join(", ", All.Keys)})");
        return new FerNet(key, arch.InputChannels, arch.Layers(dropout, l2), kerasBatchNormMomentum);
    }

    /// <summary>Model 0 (§6.1): Conv → BN → ReLU → MaxPool → Drop(0.25) ×3 (32/64/128); Dense 256; Drop 0.5.</summary>
    public static IReadOnlyList<LayerSpec> Model0() => SimpleBlocks([32, 64, 128], 0.25, 256);

    /// <summary>
    /// Not in the notebook: Model 0's layout with a quarter of its convolution work (16/32/64 filters, dropout 0.2)
    /// and a Dense 128 head, so k-fold training for mislabel detection fits a CPU budget.
    /// </summary>
    public static IReadOnlyList<LayerSpec> Fast() => SimpleBlocks([16, 32, 64], 0.2, 128);

    /// <summary>
    /// Not in the notebook: a VGG-style network sized for 2 CPU cores. Four blocks of 2×(Conv → BN → ReLU) at
    /// 32/64/128/256 filters, each ending in MaxPool (48 → 3 px), then GlobalAveragePool → Dropout(0.4) → Dense 4.
    /// About a third of Model A's convolution work (≈ 0.23 vs 0.69 GFLOP per face) and a twentieth of its parameters
    /// (no 9,216-wide Dense layer), so a CPU run affords three times the epochs.
    /// </summary>
    /// <param name="l2">L2 weight on every convolution kernel.</param>
    /// <param name="residualSqueezeExcite">vgg-se-res: a residual connection and squeeze-excitation gate in every block.</param>
    /// <param name="filters">Filters of the four blocks; default 32/64/128/256.</param>
    /// <param name="inputSide">Side the face is resized to before the first block; 48 (the default) adds no resize.</param>
    public static IReadOnlyList<LayerSpec> VggGap(double l2, bool residualSqueezeExcite = false, int[]? filters = null,
        int inputSide = 48)
    {
        var layers = new List<LayerSpec>();
        if (inputSide != 48) layers.Add(new("resize", LayerKind.Upsample, inputSide));
        filters ??= [32, 64, 128, 256];
        for (int b = 0; b < filters.Length; b++)
        {
            string block = $"block{b + 1}";
            for (int c = 1; c <= 2; c++)
            {
                // vgg-se-res: the second conv of a block learns a residual (same channels, no projection needed),
                // gated per channel by squeeze-excitation (reduction 8) before the add, ReLU after it.
                if (residualSqueezeExcite && c == 2) layers.Add(new($"{block}_skip", LayerKind.ResidualStart));
                layers.Add(new($"{block}_conv{c}", LayerKind.Conv, filters[b], L2: l2));
                layers.Add(new($"{block}_bn{c}", LayerKind.BatchNorm));
                if (residualSqueezeExcite && c == 2)
                {
                    layers.Add(new($"{block}_se", LayerKind.SqueezeExcite, filters[b] / 8));
                    layers.Add(new($"{block}_add", LayerKind.ResidualAdd));
                }
                layers.Add(new($"{block}_relu{c}", LayerKind.Relu));
            }
            layers.Add(new($"{block}_pool", LayerKind.MaxPool));
        }
        layers.Add(new("gap", LayerKind.GlobalAveragePool));
        layers.Add(new("gap_drop", LayerKind.Dropout, Rate: 0.4));
        layers.Add(new("output", LayerKind.Dense, 4));
        return layers;
    }

    /// <summary>Blocks of Conv → BN → ReLU → MaxPool → Dropout, then Flatten → Dense → Dropout(0.5) → Dense 4.</summary>
    private static IReadOnlyList<LayerSpec> SimpleBlocks(int[] filters, double blockDropout, int headUnits)
    {
        var layers = new List<LayerSpec>();
        for (int b = 0; b < filters.Length; b++)
        {
            int block = b + 1;
            layers.Add(new($"block{block}_conv", LayerKind.Conv, filters[b]));
            layers.Add(new($"block{block}_bn", LayerKind.BatchNorm));
            layers.Add(new($"block{block}_relu", LayerKind.Relu));
            layers.Add(new($"block{block}_pool", LayerKind.MaxPool));
            layers.Add(new($"block{block}_drop", LayerKind.Dropout, Rate: blockDropout));
        }
        layers.AddRange(Head(headUnits, batchNorm: false, dropout: 0.5, l2: 0, l2OnOutput: false));
        return layers;
    }

    /// <summary>
    /// Model A (§6.2), also B, C, B+, B++ with other dropout and L2: per block 2×(Conv → ReLU → BN), MaxPool, Dropout;
    /// head Flatten → Dense 256 ReLU → BN → Dropout → Dense 4. Dropout rates: [block1, block2, block3, head].
    /// </summary>
    public static IReadOnlyList<LayerSpec> ModelA(IReadOnlyList<double> dropout, double l2, bool l2OnConvs, bool l2OnOutput = false)
    {
        if (dropout.Count != 4) throw new ArgumentException("model-a takes 4 dropout rates: block1, block2, block3, head");
        var layers = new List<LayerSpec>();
        int[] filters = [64, 128, 256];
        for (int b = 0; b < 3; b++)
        {
            for (int c = 1; c <= 2; c++)
            {
                layers.Add(new($"block{b + 1}_conv{c}", LayerKind.Conv, filters[b], L2: l2OnConvs ? l2 : 0));
                layers.Add(new($"block{b + 1}_relu{c}", LayerKind.Relu));
                layers.Add(new($"block{b + 1}_bn{c}", LayerKind.BatchNorm));
            }
            layers.Add(new($"block{b + 1}_pool", LayerKind.MaxPool));
            layers.Add(new($"block{b + 1}_drop", LayerKind.Dropout, Rate: dropout[b]));
        }
        layers.AddRange(Head(256, batchNorm: true, dropout: dropout[3], l2, l2OnOutput));
        return layers;
    }

    /// <summary>
    /// Model D (§6.12): 5 blocks of 2×(Conv → ReLU) then one BN; MaxPool after blocks 1 and 3; dropout 0.25-0.50;
    /// GlobalAveragePool; Dense 512 (L2) → Drop 0.5 → Dense 4.
    /// </summary>
    public static IReadOnlyList<LayerSpec> ModelD(double l2)
    {
        var layers = new List<LayerSpec>();
        int[] filters = [32, 64, 128, 256, 512];
        double[] drops = [0.25, 0.30, 0.35, 0.40, 0.50];
        for (int b = 0; b < 5; b++)
        {
            for (int c = 1; c <= 2; c++)
            {
                layers.Add(new($"block{b + 1}_conv{c}", LayerKind.Conv, filters[b], L2: l2));
                layers.Add(new($"block{b + 1}_relu{c}", LayerKind.Relu));
            }
            layers.Add(new($"block{b + 1}_bn", LayerKind.BatchNorm));
            if (b is 0 or 2) layers.Add(new($"block{b + 1}_pool", LayerKind.MaxPool));
            if (b == 4) layers.Add(new("gap", LayerKind.GlobalAveragePool));
            layers.Add(new($"block{b + 1}_drop", LayerKind.Dropout, Rate: drops[b]));
        }
        layers.Add(new("dense1", LayerKind.Dense, 512, L2: l2));
        layers.Add(new("dense1_relu", LayerKind.Relu));
        layers.Add(new("dense1_drop", LayerKind.Dropout, Rate: 0.5));
        layers.Add(new("output", LayerKind.Dense, 4));
        return layers;
    }

    /// <summary>
    /// The gray-vs-RGB comparison network (§6.13): 3 blocks of 2×(Conv → ReLU), BN, MaxPool, Dropout (64/128/256;
    /// 0.25/0.30/0.40); Flatten → Dense 512 (L2) → Drop 0.5 → Dense 4.
    /// </summary>
    public static IReadOnlyList<LayerSpec> GrayRgb(double l2)
    {
        var layers = new List<LayerSpec>();
        int[] filters = [64, 128, 256];
        double[] drops = [0.25, 0.30, 0.40];
        for (int b = 0; b < 3; b++)
        {
            for (int c = 1; c <= 2; c++)
            {
                layers.Add(new($"block{b + 1}_conv{c}", LayerKind.Conv, filters[b], L2: l2));
                layers.Add(new($"block{b + 1}_relu{c}", LayerKind.Relu));
            }
            layers.Add(new($"block{b + 1}_bn", LayerKind.BatchNorm));
            layers.Add(new($"block{b + 1}_pool", LayerKind.MaxPool));
            layers.Add(new($"block{b + 1}_drop", LayerKind.Dropout, Rate: drops[b]));
        }
        layers.Add(new("flatten", LayerKind.Flatten));
        layers.Add(new("dense1", LayerKind.Dense, 512, L2: l2));
        layers.Add(new("dense1_relu", LayerKind.Relu));
        layers.Add(new("dense1_drop", LayerKind.Dropout, Rate: 0.5));
        layers.Add(new("output", LayerKind.Dense, 4));
        return layers;
    }

    private static IEnumerable<LayerSpec> Head(int units, bool batchNorm, double dropout, double l2, bool l2OnOutput)
    {
        yield return new("flatten", LayerKind.Flatten);
        yield return new("dense1", LayerKind.Dense, units, L2: l2);
        yield return new("dense1_relu", LayerKind.Relu);
        if (batchNorm) yield return new("dense1_bn", LayerKind.BatchNorm);
        yield return new("dense1_drop", LayerKind.Dropout, Rate: dropout);
        yield return new("output", LayerKind.Dense, 4, L2: l2OnOutput ? l2 : 0);
    }
}
