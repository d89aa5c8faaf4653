using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FerMlNet.Training.Models;

/// <summary>
/// A sequential CNN of the notebook built from <see cref="LayerSpec"/>s, each registered as a named TorchSharp
/// sub-module (so state dictionaries, checkpoints and the ONNX graph share the names). The forward pass returns
/// logits; softmax is applied by the losses and by the exported ONNX graph.
/// Keras semantics are reproduced where they differ from PyTorch's defaults:
/// <list type="bullet">
/// <item>BatchNorm: Keras momentum 0.99 / epsilon 1e-3 = PyTorch momentum 0.01 / eps 1e-3.</item>
/// <item>Kernels are glorot-uniform initialised and biases zero (PyTorch uses kaiming-uniform and uniform biases).</item>
/// </list>
/// </summary>
public sealed class FerNet : nn.Module<Tensor, Tensor>
{
    /// <summary>Keras BatchNormalization epsilon.</summary>
    public const double BatchNormEpsilon = 1e-3;

    /// <summary>Keras BatchNormalization momentum (PyTorch momentum = 1 − this).</summary>
    public const double KerasBatchNormMomentum = 0.99;

    private readonly List<(LayerSpec Spec, nn.Module<Tensor, Tensor> Module)> _layers = [];

    /// <summary>Builds the network for <paramref name="inputChannels"/>×48×48 inputs.</summary>
    public FerNet(string name, int inputChannels, IReadOnlyList<LayerSpec> layers,
        double kerasBatchNormMomentum = KerasBatchNormMomentum) : base(name)
    {
        double torchMomentum = 1 - kerasBatchNormMomentum;
        Architecture = layers;
        InputChannels = inputChannels;
        foreach (var (spec, channels, _, features) in LayerShapes.Walk(layers, inputChannels))
        {
            nn.Module<Tensor, Tensor> module = spec.Kind switch
            {
                LayerKind.Conv => nn.Conv2d(channels, spec.Units, 3, padding: 1),
                LayerKind.BatchNorm when features > 0 => nn.BatchNorm1d(features, BatchNormEpsilon, torchMomentum),
                LayerKind.BatchNorm => nn.BatchNorm2d(channels, BatchNormEpsilon, torchMomentum),
                LayerKind.Relu => nn.ReLU(),
                LayerKind.MaxPool => nn.MaxPool2d(2, 2),
                LayerKind.Dropout => nn.Dropout(spec.Rate),
                LayerKind.Flatten => nn.Flatten(),
                LayerKind.GlobalAveragePool => nn.AdaptiveAvgPool2d(1),
                LayerKind.Dense => nn.Linear(features, spec.Units),
                LayerKind.SqueezeExcite => new SqueezeExcitation(spec.Name, channels, spec.Units),
                LayerKind.ResidualStart or LayerKind.ResidualAdd => nn.Identity(),
                LayerKind.Upsample => nn.Upsample([spec.Units, spec.Units], mode: UpsampleMode.Bilinear, align_corners: false),
                _ => throw new ArgumentOutOfRangeException(nameof(layers), spec.Kind, "unknown layer kind"),
            };
            _layers.Add((spec, module));
            register_module(spec.Name, module);
        }
        InitializeLikeKeras();
    }

    /// <summary>The layer list this network was built from.</summary>
    public IReadOnlyList<LayerSpec> Architecture { get; }

    /// <summary>1 for grayscale input, 3 for the RGB variant.</summary>
    public int InputChannels { get; }

    /// <summary>Layers with their TorchSharp modules, in order.</summary>
    public IReadOnlyList<(LayerSpec Spec, nn.Module<Tensor, Tensor> Module)> Layers => _layers;

    /// <summary>
    /// Whether the convolutions and dense layers hold bf16 weights and run on bf16 activations, everything between them
    /// (BatchNorm, activations, pooling) staying fp32 — the split autocast makes; see <see cref="UseBf16Gemms"/>.
    /// </summary>
    public bool Bf16Gemms { get; private set; }

    /// <summary>
    /// Turns the convolutions and dense layers to bf16 (their inputs are cast on the way in and their outputs back to
    /// fp32), for the compute copy of bf16 training (Engine.Bf16ComputeCopy). BatchNorm stays fp32: its batch mean and
    /// variance in bf16 would cost the gradients most of their precision.
    /// </summary>
    public void UseBf16Gemms()
    {
        foreach (var (spec, module) in _layers)
            if (spec.Kind is LayerKind.Conv or LayerKind.Dense) module.to(ScalarType.BFloat16);
        Bf16Gemms = true;
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        var x = input;
        Tensor? skip = null;
        foreach (var (spec, module) in _layers)
        {
            var next = spec.Kind switch
            {
                LayerKind.ResidualStart => skip = x,
                LayerKind.ResidualAdd => x.add(skip ?? throw new InvalidOperationException($"'{spec.Name}' has no residual start")),
                LayerKind.Conv or LayerKind.Dense when Bf16Gemms => module.forward(x.to(ScalarType.BFloat16)).to(ScalarType.Float32),
                _ => module.forward(x),
            };
            if (spec.Kind == LayerKind.GlobalAveragePool) next = next.flatten(1);
            x = next;
        }
        return x;
    }

    /// <summary>
    /// Parameters counted as Keras counts them: every weight and bias plus BatchNorm's moving mean and variance
    /// (PyTorch's num_batches_tracked counter is not a parameter). Returns (total, trainable).
    /// </summary>
    public (long Total, long Trainable) CountParameters()
    {
        long trainable = parameters().Sum(p => p.numel());
        long moving = _layers.Where(l => l.Spec.Kind == LayerKind.BatchNorm)
            .Sum(l => 2 * ((NormBase)l.Module).running_mean!.numel());
        return (trainable + moving, trainable);
    }

    /// <summary>Sum over kernels of λ·Σw² (Keras kernel_regularizer=l2(λ); biases are never regularised).</summary>
    public Tensor L2Penalty()
    {
        Tensor? total = null;
        foreach (var (spec, module) in _layers)
        {
            if (spec.L2 <= 0) continue;
            var weight = spec.Kind == LayerKind.Conv ? ((Conv2d)module).weight! : ((Linear)module).weight!;
            var term = weight.square().sum().mul(spec.L2);
            total = total is null ? term : total.add(term);
        }
        return total ?? zeros(1).squeeze();
    }

    private void InitializeLikeKeras()
    {
        using var _ = no_grad();
        // Layer order, as before SE gates existed, so every older architecture draws the same initial weights.
        foreach (var (_, module) in _layers)
        {
            IEnumerable<nn.Module> parts = module is SqueezeExcitation se ? [se.Reduce, se.Expand] : [module];
            foreach (var part in parts)
            {
                var (weight, bias) = part switch
                {
                    Conv2d conv => (conv.weight, conv.bias),
                    Linear linear => (linear.weight, linear.bias),
                    _ => (null, null),
                };
                if (weight is null) continue;
                nn.init.xavier_uniform_(weight);
                nn.init.zeros_(bias!);
            }
        }
    }
}
