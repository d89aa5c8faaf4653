using FerMlNet.Training.Models;

namespace FerMlNet.Training.Engine;

/// <summary>What a training run produced.</summary>
public sealed class TrainingResult
{
    /// <summary>The network holding the best epoch's weights (by validation accuracy), in eval mode.</summary>
    public required FerNet Network { get; init; }

    /// <summary>Final state, including the per-epoch history.</summary>
    public required TrainingState State { get; init; }

    /// <summary>Class weights used (null when none).</summary>
    public float[]? ClassWeights { get; init; }

    /// <summary>The precision the passes ran in (fp32 where the pipeline's bf16 would have been slower).</summary>
    public TrainingPrecision Precision { get; init; }
}
