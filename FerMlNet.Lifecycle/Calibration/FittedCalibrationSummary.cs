namespace FerMlNet.Lifecycle.Calibration;

/// <summary>
/// The "fittedCalibration" of a metrics.json that <c>fer evaluate</c> wrote for a published model: where the card's
/// calibration was fitted and its scores there, so <c>fer compare</c> can rank the model by the cross-fitted figure
/// when the metrics are on the faces it was fitted on.
/// </summary>
/// <param name="Card">The file name of the card (or run folder) the calibration comes from.</param>
/// <param name="FittedOn">The faces the calibration was fitted on.</param>
/// <param name="CalibratedInSample">Its score on them, in sample.</param>
/// <param name="CalibratedCrossFitted">Its score on them, cross-fitted (each fold scored by a fit on the others).</param>
public sealed record FittedCalibrationSummary(string Card, CalibrationRecord.FitSet FittedOn,
    CalibrationRecord.Score CalibratedInSample, CalibrationRecord.Score CalibratedCrossFitted)
{
    /// <summary>The summary of <paramref name="record"/> from <paramref name="card"/> (a card or a run folder); null without a cross-fitted score.</summary>
    public static FittedCalibrationSummary? Of(CalibrationRecord record, string card) =>
        record.CalibratedCrossFitted is { } crossFitted
            ? new(Path.GetFileName(card), record.FittedOn, record.CalibratedInSample, crossFitted)
            : null;
}
