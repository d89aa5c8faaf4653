using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FerMlNet.Training.Models;

/// <summary>
/// Squeeze-and-excitation gate (<see cref="LayerKind.SqueezeExcite"/>): x · σ(W₂ ReLU(W₁ mean_hw(x))), with named
/// sub-layers "reduce" and "expand" so checkpoints and the ONNX graph share the names.
/// </summary>
public sealed class SqueezeExcitation : nn.Module<Tensor, Tensor>
{
    /// <summary>Builds the gate for <paramref name="channels"/> channels squeezed to <paramref name="reduced"/>.</summary>
    public SqueezeExcitation(string name, long channels, long reduced) : base(name)
    {
        Reduce = nn.Linear(channels, reduced);
        Expand = nn.Linear(reduced, channels);
        register_module("reduce", Reduce);
        register_module("expand", Expand);
    }

    /// <summary>Dense C → reduced.</summary>
    public Linear Reduce { get; }

    /// <summary>Dense reduced → C.</summary>
    public Linear Expand { get; }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var squeezed = input.mean([2, 3]);
        var gate = Expand.forward(nn.functional.relu(Reduce.forward(squeezed))).sigmoid();
        return input.mul(gate.unsqueeze(-1).unsqueeze(-1)).MoveToOuterDisposeScope();
    }
}
