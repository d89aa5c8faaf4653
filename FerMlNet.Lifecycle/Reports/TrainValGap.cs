using System.Text.Json;
using System.Text.Json.Nodes;
using FerMlNet.Core.IO;

namespace FerMlNet.Lifecycle.Reports;

/// <summary>
/// The notebook's train–validation gap of a training run (<see cref="GapDiagnosis"/>), in metrics.json's
/// "trainValGap" and run.json's "gap".
/// </summary>
/// <param name="BestEpoch">The epoch of the best validation accuracy (the first on ties).</param>
/// <param name="BestValAccuracy">That validation accuracy.</param>
/// <param name="TrainAccuracyAtBest">Training accuracy of that epoch (dropout and augmentation on).</param>
/// <param name="GapPoints">(train − validation accuracy) × 100 at that epoch, rounded to 2 decimals.</param>
/// <param name="Verdict">The notebook's words for the gap.</param>
/// <param name="FinalGapPoints">The same gap at the last epoch.</param>
/// <param name="BestValLoss">The lowest validation loss of the run.</param>
public sealed record TrainValGap(int BestEpoch, double BestValAccuracy, double TrainAccuracyAtBest, double GapPoints, string Verdict,
    double FinalGapPoints, double BestValLoss)
{
    /// <summary>This record as run.json's "gap" object.</summary>
    public JsonObject ToJsonObject() => JsonSerializer.SerializeToNode(this, ReportJson.IndentedCamelCase)!.AsObject();
}
