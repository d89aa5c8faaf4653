using FerMlNet.Training.MlNet;
using FerMlNet.Lifecycle.Evaluation;

namespace FerMlNet.Lifecycle.Runs;

/// <summary>What <see cref="TrainingJob.Run"/> wrote and measured.</summary>
/// <param name="Folder">The run folder.</param>
/// <param name="Run">Its run.json.</param>
/// <param name="Validation">Its metrics.json: the exported model's ML.NET evaluation on the validation split.</param>
public sealed record TrainingJobResult(string Folder, RunRecord Run, EvaluationMetrics Validation);
