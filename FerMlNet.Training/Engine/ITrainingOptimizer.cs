using static TorchSharp.torch;

namespace FerMlNet.Training.Engine;

/// <summary>
/// The optimizer a <see cref="CnnTrainingLoop"/> steps: the parameters it owns, one update from their gradients, and
/// its whole state as named tensors, so a checkpoint holds it beside the weights and a resumed run continues exactly.
/// <see cref="KerasAdam"/> is the one the pipelines use.
/// </summary>
internal interface ITrainingOptimizer
{
    /// <summary>The parameters it updates, by name.</summary>
    IReadOnlyList<(string Name, Tensor Parameter)> Parameters { get; }

    /// <summary>Updates taken so far (restored from a checkpoint on resume).</summary>
    long Step { get; set; }

    /// <summary>Its state tensors, named for the checkpoint (moments and the like).</summary>
    IEnumerable<(string Name, Tensor Tensor)> StateTensors { get; }

    /// <summary>Zeroes the parameters' gradients.</summary>
    void ZeroGrad();

    /// <summary>One update at <paramref name="learningRate"/> from the current gradients.</summary>
    void Update(double learningRate);
}
