using FerMlNet.Core.IO;
using FerMlNet.Preprocessing;
using FerMlNet.Scoring;
using FerMlNet.Training.Models;
using FerMlNet.Training.Onnx;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace FerMlNet.Training.MlNet;

/// <summary>Writes a trained network as the product's two hand-off files: model.onnx and an ML.NET model.zip.</summary>
public static class ModelFiles
{
    /// <summary>
    /// Writes <paramref name="onnxPath"/> (dynamic batch, for ONNX Runtime users) and <paramref name="zipPath"/>:
    /// the ML.NET pipeline image path → preprocessing contract → ONNX network → Score (the ONNX bytes are embedded). Both writes are
    /// atomic. Returns the fitted ML.NET transformer; dispose it (it holds an ONNX Runtime session).
    /// </summary>
    public static TransformerChain<ITransformer> Write(FerNet network, string onnxPath, string zipPath, IDictionary<string, string> metadata)
    {
        OnnxExporter.Save(network, onnxPath, metadata);
        return WriteZip(onnxPath, zipPath);
    }

    /// <summary>
    /// Writes the ML.NET <paramref name="zipPath"/> around an existing ONNX file (image path → preprocessing contract →
    /// ONNX network → Score), atomically. Returns the fitted ML.NET transformer; dispose it (it holds an ONNX Runtime
    /// session).
    /// </summary>
    public static TransformerChain<ITransformer> WriteZip(string onnxPath, string zipPath)
    {
        var ml = new MLContext(seed: 0);
        var empty = ml.Data.LoadFromEnumerable(Array.Empty<FerImageInput>());
        var transformer = ml.Transforms.FerPreprocessFromPath()
            .Append(ml.Transforms.ApplyFerOnnxModel(onnxPath))
            .Fit(empty);
        AtomicFile.Write(zipPath, stream => ml.Model.Save(transformer, empty.Schema, stream));
        return transformer;
    }
}
