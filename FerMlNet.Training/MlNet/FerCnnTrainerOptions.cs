using FerMlNet.Preprocessing;
using FerMlNet.Training.Engine;
using Microsoft.ML;

namespace FerMlNet.Training.MlNet;

/// <summary>Options of <see cref="FerCnnTrainer"/>.</summary>
public sealed class FerCnnTrainerOptions
{
    /// <summary>The pipeline to train (architecture, loss, schedule...). Default: Model A's settings.</summary>
    public PipelineOptions Pipeline { get; set; } = new();

    /// <summary>Column of 2,304 floats in [0, 1] (the preprocessing contract's output). Default "Pixels".</summary>
    public string FeatureColumnName { get; set; } = PreprocessingContract.PixelsColumn;

    /// <summary>Key-typed label column whose key values are happy, neutral, sad, surprise in that order. Default "Label".</summary>
    public string LabelColumnName { get; set; } = DefaultLabelColumnName;

    /// <summary>The default of <see cref="LabelColumnName"/>.</summary>
    public const string DefaultLabelColumnName = "Label";

    /// <summary>Validation data with the same columns; null: 10% of the training rows (seeded) are held out.</summary>
    public IDataView? ValidationSet { get; set; }

    /// <summary>
    /// Where the ONNX network is written; null: a file in the temporary folder, deleted when the process exits (ML.NET
    /// reads it again whenever the fitted model is saved).
    /// </summary>
    public string? OnnxModelPath { get; set; }

    /// <summary>Run-time settings (threads, checkpoints, time limit, progress).</summary>
    public TrainerRunOptions Run { get; set; } = new();
}
