namespace FerMlNet.Training.Engine;

/// <summary>
/// Sharpness-aware minimisation (Foret et al., 2021): Adam steps with the loss's gradient at w + ρ·g/‖g‖, the worst
/// point of a ball of radius ρ around the weights to first order, so training prefers minima that stay low nearby.
/// </summary>
public sealed class SharpnessOptions
{
    /// <summary>Radius ρ of the neighbourhood, in weight space (L2 over all parameters). Default 0.05, the paper's.</summary>
    public double Rho { get; set; } = 0.05;

    internal void Validate(Action<string, string> fail)
    {
        if (Rho is <= 0 or > 10) fail("sharpness.rho", "must be in (0, 10]");
    }
}
