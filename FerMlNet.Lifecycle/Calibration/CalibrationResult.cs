using FerMlNet.Training.MlNet;
using FerMlNet.Lifecycle.Evaluation;

namespace FerMlNet.Lifecycle.Calibration;

/// <summary>What <see cref="ModelCalibrator.Calibrate"/> wrote and measured.</summary>
/// <param name="Folder">The calibrated run folder (model.onnx, model.zip, calibration.json, metrics.json, run.json, report.html).</param>
/// <param name="Record">calibration.json: what was fitted, on which faces, and the scores before and after.</param>
/// <param name="Validation">The calibrated model's ML.NET evaluation on the validation split (metrics.json).</param>
public sealed record CalibrationResult(string Folder, CalibrationRecord Record, EvaluationMetrics Validation);
