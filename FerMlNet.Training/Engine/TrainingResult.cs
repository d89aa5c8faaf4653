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
}
