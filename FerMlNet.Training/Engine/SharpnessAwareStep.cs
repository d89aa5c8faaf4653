using FerMlNet.Training.Models;
using static TorchSharp.torch;

namespace FerMlNet.Training.Engine;

/// <summary>
/// Sharpness-aware minimisation (Foret et al., 2021, "SAM"): the optimiser steps with the gradient taken at the worst
/// nearby weights, w + ρ·g/‖g‖, instead of at w, which favours flat minima. The SAM paper found it most useful under
/// label noise, and FER-2013's labels are noisy (the research log's blind review disputes about a third of the
/// validation errors). Each step costs a second forward and backward pass on the same batch. Measured here (docs/model-quality.md,
/// experiment 28, ρ 0.05 on the 28-epoch distilled student) it did not pay: 0.8 points below the same recipe without it,
/// in 1.6× the training time.
/// </summary>
internal static class SharpnessAwareStep
{
    /// <summary>
    /// Given the gradients of <paramref name="recomputeLoss"/> at the current weights (already back-propagated),
    /// replaces them with its gradients at the ascent point w + ρ·g/‖g‖ (‖g‖ over every parameter together) and puts
    /// the weights back, so the optimiser's next update uses the sharpness-aware gradient. BatchNorm's running
    /// statistics are restored too: the second pass sees the same faces, and counting them twice would shorten the
    /// statistics' memory.
    /// </summary>
    public static void ReplaceGradients(FerNet network, IReadOnlyList<(string Name, Tensor Parameter)> parameters,
        double rho, Func<Tensor> recomputeLoss)
    {
        var withGrad = parameters.Select(p => p.Parameter).Where(p => p.grad is not null).ToList();
        var perturbations = new List<Tensor>(withGrad.Count);
        var statistics = network.named_buffers().Select(b => (Live: b.buffer, Held: b.buffer.detach().clone())).ToList();
        try
        {
            using (no_grad())
            {
                using var norm = stack(withGrad.Select(p => p.grad!.norm()).ToArray()).norm();
                double scale = rho / (norm.item<float>() + 1e-12);
                foreach (var p in withGrad)
                {
                    var e = p.grad!.mul(scale);
                    p.add_(e);
                    perturbations.Add(e);
                    p.grad!.zero_();
                }
            }
            using (var loss = recomputeLoss()) loss.backward();
        }
        finally
        {
            using (no_grad())
            {
                for (int i = 0; i < perturbations.Count; i++) withGrad[i].sub_(perturbations[i]);
                foreach (var (live, held) in statistics) live.copy_(held);
            }
            foreach (var e in perturbations) e.Dispose();
            foreach (var (_, held) in statistics) held.Dispose();
        }
    }
}
