namespace FerMlNet.Lifecycle.Experiments;

/// <summary>One run of the notebook's journey: which pipeline, on which data, for which question.</summary>
/// <param name="Name">Run folder name under the experiment folder.</param>
/// <param name="Pipeline">Pipeline name (pipelines/GROUP/NAME.json, see PipelineCatalog).</param>
/// <param name="OriginalSplits">True for the notebook's original, leaky splits; false for the leakage-free split.</param>
public sealed record ExperimentRun(string Name, string Pipeline, bool OriginalSplits);

/// <summary>The notebook's model journey as runs (seed-spec §6, §11).</summary>
public static class ExperimentPlan
{
    /// <summary>Model 0 on the original splits; A, B, C, B+, B++, D, gray, RGB and ResNet18 transfer (two heads) on the leakage-free split.</summary>
    public static IReadOnlyList<ExperimentRun> Journey { get; } =
    [
        new("model-0-original", "model-0", OriginalSplits: true),
        new("model-a", "model-a", false),
        new("model-b", "model-b", false),
        new("model-c", "model-c", false),
        new("model-bplus", "model-bplus", false),
        new("model-bplusplus", "model-bplusplus", false),
        new("model-d", "model-d", false),
        new("gray", "gray", false),
        new("rgb", "rgb", false),
        new(ExperimentAnswers.TransferName, "transfer-resnet18", false),
        new("transfer-resnet18-mlp", "transfer-resnet18-mlp", false),
    ];
}
