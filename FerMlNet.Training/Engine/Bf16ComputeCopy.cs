using FerMlNet.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace FerMlNet.Training.Engine;

/// <summary>
/// Mixed-precision training without autocast (TorchSharp 0.107 has none): a copy of the network whose convolutions
/// and dense layers run in bfloat16 (BatchNorm, activations and pooling in fp32, as autocast splits them;
/// <see cref="FerNet.UseBf16Gemms"/>) does the forward and backward passes, while the fp32 network keeps the master
/// weights, the BatchNorm statistics, the optimizer's view and everything that is saved or exported. Per step: the
/// master weights, statistics and layer modes are copied into the copy, its fp32 logits go to the loss, and after the
/// backward pass its gradients are added to the master gradients (which also hold any term computed on the master,
/// such as the L2 penalty) and its BatchNorm statistics copied back.
/// </summary>
internal sealed class Bf16ComputeCopy : IDisposable
{
    private readonly FerNet _copy;
    private readonly (Tensor Master, Tensor Copy)[] _parameters;
    private readonly (Tensor Master, Tensor Copy)[] _buffers;
    private readonly (nn.Module Master, nn.Module Copy)[] _modules;

    /// <summary>Builds the copy (<paramref name="create"/> makes a network of the master's architecture) and gives the master fp32 gradients to add to.</summary>
    public Bf16ComputeCopy(FerNet master, Func<FerNet> create)
    {
        _copy = create();
        _copy.UseBf16Gemms();
        var copyParameters = _copy.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);
        _parameters = master.named_parameters().Select(p => ((Tensor)p.parameter, copyParameters[p.name])).ToArray();
        var copyBuffers = _copy.named_buffers().ToDictionary(b => b.name, b => b.buffer);
        _buffers = master.named_buffers().Select(b => (b.buffer, copyBuffers[b.name])).ToArray();
        var copyModules = _copy.named_modules().ToDictionary(m => m.name, m => m.module);
        _modules = master.named_modules().Select(m => (m.module, copyModules[m.name])).ToArray();
        // The master's gradients must exist to be added to: one zero backward pass creates them.
        using (var zero = stack(_parameters.Select(p => p.Master.sum().mul(0)).ToArray()).sum()) zero.backward();
    }

    /// <summary>
    /// Copies the master weights, statistics and train/eval mode of every layer in and returns the copy's fp32 logits
    /// for <paramref name="input"/>.
    /// </summary>
    public Tensor Forward(Tensor input)
    {
        using (no_grad())
        {
            foreach (var (master, copy) in _parameters) copy.copy_(master);
            foreach (var (master, copy) in _buffers) copy.copy_(master);
        }
        foreach (var (master, copy) in _modules)
            if (copy.training != master.training) copy.train(master.training);
        foreach (var (_, copy) in _parameters) copy.grad?.zero_();
        return _copy.forward(input);
    }

    /// <summary>After the backward pass: adds the copy's gradients to the master's and copies the statistics back.</summary>
    public void CollectGradients()
    {
        using var _ = no_grad();
        foreach (var (master, copy) in _parameters)
            if (copy.grad is { } g) master.grad!.add_(g);
        foreach (var (master, copy) in _buffers) master.copy_(copy);
    }

    /// <inheritdoc />
    public void Dispose() => _copy.Dispose();
}
