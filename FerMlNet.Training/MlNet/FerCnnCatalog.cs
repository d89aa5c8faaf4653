using FerMlNet.Preprocessing;
using FerMlNet.Training.Engine;
using Microsoft.ML;

namespace FerMlNet.Training.MlNet;

/// <summary>The ML.NET catalog entry points of the FerMlNet CNN trainer.</summary>
public static class FerCnnCatalog
{
    /// <summary>
    /// A FerMlNet CNN as an ML.NET multiclass trainer, by pipeline name: <paramref name="pipeline"/> is a recipe of
    /// pipelines/ ("model-bplusplus", "vgg-gap", ...) or a pipeline file; null trains Model A's settings.
    /// </summary>
    /// <param name="catalog">The multiclass trainers catalog.</param>
    /// <param name="labelColumnName">Key-typed label column (happy, neutral, sad, surprise). Default "Label".</param>
    /// <param name="featureColumnName">The preprocessing contract's 2,304-float pixels column. Default "Pixels".</param>
    /// <param name="pipeline">The recipe to train. Default: Model A's settings.</param>
    public static FerCnnTrainer FerCnn(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = FerCnnTrainerOptions.DefaultLabelColumnName,
        string featureColumnName = PreprocessingContract.PixelsColumn,
        string? pipeline = null) =>
        catalog.FerCnn(new FerCnnTrainerOptions
        {
            LabelColumnName = labelColumnName,
            FeatureColumnName = featureColumnName,
            Pipeline = pipeline is null ? new PipelineOptions() : PipelineOptions.LoadByNameOrPath(pipeline),
        });

    /// <summary>A FerMlNet CNN as an ML.NET multiclass trainer, every setting given (see <see cref="FerCnnTrainerOptions"/>).</summary>
    /// <param name="catalog">The multiclass trainers catalog.</param>
    /// <param name="options">The pipeline, columns, validation data, output path and run-time settings.</param>
    public static FerCnnTrainer FerCnn(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        FerCnnTrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        // The catalog does not expose its MLContext; the trainer only needs one to build built-in ONNX transforms.
        return new FerCnnTrainer(new MLContext(options.Pipeline.Seed), options);
    }
}
