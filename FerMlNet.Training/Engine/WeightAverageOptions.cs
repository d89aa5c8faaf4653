namespace FerMlNet.Training.Engine;

/// <summary>
/// An exponential moving average of the weights (Polyak averaging): after every optimiser step the average moves
/// 1 − decay of the way to the trained weights. Training is unchanged; each epoch's validation numbers, the best-epoch
/// choice and the kept model are the average's, and history.json records the trained weights' accuracy beside it.
/// </summary>
public sealed class WeightAverageOptions
{
    /// <summary>
    /// Share of the average kept at each step: 0.999 averages over roughly the last 1,000 steps (about 4 epochs of
    /// 14,700 faces in batches of 64). Default 0.999.
    /// </summary>
    public double Decay { get; set; } = 0.999;

    internal void Validate(Action<string, string> fail)
    {
        if (Decay is <= 0 or >= 1) fail("weightAverage.decay", "must be in (0, 1)");
    }
}
