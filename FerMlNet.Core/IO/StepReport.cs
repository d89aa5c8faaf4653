namespace FerMlNet.Core.IO;

/// <summary>What a running step of an <see cref="IStepProgress"/> reports: how far it is and, optionally, a status line.</summary>
/// <param name="progress">Receives (done, total).</param>
/// <param name="status">Receives a short status ("epoch 3/40 loss 1.12 …") that replaces the step's description.</param>
public sealed class StepReport(Action<int, int> progress, Action<string> status)
{
    /// <summary>A report that goes nowhere.</summary>
    public static StepReport Silent { get; } = new((_, _) => { }, _ => { });

    /// <summary>Reports <paramref name="done"/> of <paramref name="total"/>.</summary>
    public void Progress(int done, int total) => progress(done, total);

    /// <summary>Replaces the step's description with <paramref name="text"/>.</summary>
    public void Status(string text) => status(text);
}
