using FerMlNet.Core;
using FerMlNet.Preprocessing;
using FerMlNet.Scoring;
using FerMlNet.Training.Engine;
using FerMlNet.Training.Onnx;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace FerMlNet.Training.MlNet;

/// <summary>
/// ML.NET trainer for the notebook's CNNs: Fit trains with TorchSharp, writes the network as ONNX and returns a
/// transformer that scores through ONNX Runtime (adding Score, the 4 probabilities), so the whole pipeline saves as a
/// model.zip that loads without TorchSharp. Reach it with <c>mlContext.MulticlassClassification.Trainers.FerCnn()</c>.
/// </summary>
public sealed class FerCnnTrainer : IEstimator<ITransformer>
{
    private readonly MLContext _context;
    private readonly FerCnnTrainerOptions _options;

    /// <summary>The options this trainer was made with.</summary>
    internal FerCnnTrainerOptions Options => _options;

    internal FerCnnTrainer(MLContext context, FerCnnTrainerOptions options)
    {
        _context = context;
        _options = options;
        options.Pipeline.Validate("FerCnnTrainerOptions.Pipeline");
    }

    /// <summary>The last training result (history, best epoch), for callers that report it.</summary>
    public TrainingResult? LastResult { get; private set; }

    /// <inheritdoc />
    public ITransformer Fit(IDataView input)
    {
        var (pixels, labels) = ReadRows(input);
        TrainingData train, validation;
        if (_options.ValidationSet is { } valView)
        {
            var (vp, vl) = ReadRows(valView);
            train = new TrainingData(pixels, labels);
            validation = new TrainingData(vp, vl);
        }
        else
        {
            var order = Enumerable.Range(0, labels.Length).ToArray();
            new Random(_options.Pipeline.Seed).Shuffle(order);
            int nVal = Math.Max(1, labels.Length / 10);
            train = TrainingData.Select(pixels, labels, order[nVal..]);
            validation = TrainingData.Select(pixels, labels, order[..nVal]);
        }
        using (train)
        using (validation)
            LastResult = CnnTrainer.Train(_options.Pipeline, train, validation, _options.Run);

        var onnxPath = _options.OnnxModelPath ?? TemporaryOnnxPath();
        OnnxExporter.Save(LastResult.Network, onnxPath);
        return _context.Transforms.ApplyFerOnnxModel(onnxPath).Fit(input);
    }

    /// <summary>
    /// A file in the temporary folder for a network no one asked to keep, deleted when the process exits. Not sooner:
    /// ML.NET reads the file again by name whenever the fitted model is saved. (Handing ML.NET the graph's bytes
    /// instead leaves two copies in the temporary folder that disposing the model does not remove, measured with
    /// ML.NET 5.0.1.)
    /// </summary>
    private static string TemporaryOnnxPath()
    {
        var path = Path.Combine(Path.GetTempPath(), $"fercnn-{Guid.NewGuid():N}.onnx");
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        };
        return path;
    }

    /// <inheritdoc />
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        if (!inputSchema.TryFindColumn(_options.FeatureColumnName, out var features)
            || features.ItemType != NumberDataViewType.Single)
            throw new ArgumentException($"FerCnn needs a float vector column '{_options.FeatureColumnName}' " +
                "(use mlContext.Transforms.FerPreprocessFromPath() first).");
        // The output columns are those of the ONNX scoring chain; an untrained network of the same architecture
        // has the same graph signature.
        var template = Path.Combine(Path.GetTempPath(), $"fercnn-schema-{Guid.NewGuid():N}.onnx");
        try
        {
            using var network = Models.ModelZoo.Create(_options.Pipeline.Architecture, _options.Pipeline.Dropout);
            OnnxExporter.Save(network, template);
            return _context.Transforms.ApplyFerOnnxModel(template).GetOutputSchema(inputSchema);
        }
        finally
        {
            File.Delete(template);
        }
    }

    private (byte[] Pixels, int[] Labels) ReadRows(IDataView data)
    {
        var pixelsColumn = data.Schema[_options.FeatureColumnName];
        var labelColumn = data.Schema[_options.LabelColumnName];
        if (labelColumn.Type is not KeyDataViewType { Count: EmotionClasses.Count })
            throw new ArgumentException($"Label column '{_options.LabelColumnName}' must be a key type with 4 values " +
                "(happy, neutral, sad, surprise), e.g. from MapValueToKey with keyData in that order.");
        var pixels = new List<byte>();
        var labels = new List<int>();
        using var cursor = data.GetRowCursor([pixelsColumn, labelColumn]);
        var getPixels = cursor.GetGetter<VBuffer<float>>(pixelsColumn);
        var getLabel = cursor.GetGetter<uint>(labelColumn);
        VBuffer<float> buffer = default;
        uint key = 0;
        while (cursor.MoveNext())
        {
            getPixels(ref buffer);
            getLabel(ref key);
            if (key == 0) continue; // missing label
            if (buffer.Length != PreprocessingContract.PixelCount)
                throw new ArgumentException($"Column '{_options.FeatureColumnName}' has {buffer.Length} values per row; " +
                    $"the preprocessing contract gives {PreprocessingContract.PixelCount}.");
            foreach (var v in buffer.DenseValues()) pixels.Add((byte)Math.Clamp(MathF.Round(v * 255f), 0, 255));
            labels.Add((int)key - 1);
        }
        return (pixels.ToArray(), labels.ToArray());
    }
}

internal static class SchemaShapeExtensions
{
    public static bool TryFindColumn(this SchemaShape schema, string name, out SchemaShape.Column column)
    {
        column = schema.FirstOrDefault(c => c.Name == name);
        return column.Name == name;
    }
}
