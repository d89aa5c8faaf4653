using static TorchSharp.torch;

namespace FerMlNet.Training.Engine;

/// <summary>
/// Adam with Keras' update rule and defaults (β1 0.9, β2 0.999, ε 1e-7): lr_t = lr·√(1 − β2^t)/(1 − β1^t),
/// w −= lr_t·m / (√v + ε). PyTorch's Adam uses ε 1e-8 and adds ε after bias-correcting v; matching Keras keeps the
/// notebook's numbers comparable. Written here (a few tensor ops) so its whole state — m, v, t — is checkpointed
/// with the weights and a resumed run continues exactly.
/// </summary>
internal sealed class KerasAdam : ITrainingOptimizer
{
    public const double Beta1 = 0.9, Beta2 = 0.999, Epsilon = 1e-7;

    public KerasAdam(IReadOnlyList<(string Name, Tensor Parameter)> parameters)
    {
        Parameters = parameters;
        First = parameters.Select(p => zeros_like(p.Parameter)).ToArray();
        Second = parameters.Select(p => zeros_like(p.Parameter)).ToArray();
    }

    public IReadOnlyList<(string Name, Tensor Parameter)> Parameters { get; }
    public Tensor[] First { get; }
    public Tensor[] Second { get; }
    public long Step { get; set; }

    /// <summary>The first and second moments, as "adam.m.NAME" and "adam.v.NAME" (the checkpoint's names since the first release).</summary>
    public IEnumerable<(string Name, Tensor Tensor)> StateTensors =>
        Parameters.Select((p, i) => ("adam.m." + p.Name, First[i])).Concat(Parameters.Select((p, i) => ("adam.v." + p.Name, Second[i])));

    public void ZeroGrad()
    {
        foreach (var (_, p) in Parameters) p.grad?.zero_();
    }

    public void Update(double learningRate)
    {
        Step++;
        double lrT = learningRate * Math.Sqrt(1 - Math.Pow(Beta2, Step)) / (1 - Math.Pow(Beta1, Step));
        using var _ = no_grad();
        for (int i = 0; i < Parameters.Count; i++)
        {
            var p = Parameters[i].Parameter;
            var g = p.grad;
            if (g is null) continue;
            First[i].mul_(Beta1).add_(g, alpha: 1 - Beta1);
            Second[i].mul_(Beta2).addcmul_(g, g, value: 1 - Beta2);
            using var denom = Second[i].sqrt().add_(Epsilon);
            p.addcdiv_(First[i], denom, value: -lrT);
        }
    }
}
