using BenchmarkDotNet.Attributes;
using FerMlNet.Core.IO;
using FerMlNet.Preprocessing;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace FerMlNet.Benchmarks;

/// <summary>
/// ONNX Runtime session settings for the default model, 1 intra-op thread: graph optimisation level and weight
/// pre-packing (ORT re-lays out constant GEMM/conv weights once at load; "session.disable_prepacking" turns it off).
/// FerPredictor uses ORT_ENABLE_ALL with pre-packing; this says whether another setting would pay.
/// </summary>
[Config(typeof(LatencyConfig))]
public class OrtSessionBenchmarks
{
    private InferenceSession _session = null!;
    private DenseTensor<float> _one = null!, _batch = null!;

    /// <summary>Graph optimisation level of the session.</summary>
    [Params(GraphOptimizationLevel.ORT_DISABLE_ALL, GraphOptimizationLevel.ORT_ENABLE_BASIC, GraphOptimizationLevel.ORT_ENABLE_ALL)]
    public GraphOptimizationLevel Level { get; set; }

    /// <summary>Whether constant weights are pre-packed at load.</summary>
    [Params(true, false)]
    public bool Prepacking { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        string onnx = RepositoryFiles.Find("models/fer-default.onnx") ?? throw new FileNotFoundException("models/fer-default.onnx");
        var folder = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(onnx))!, "datasets", "fer4-mit", "test", "sad");
        var pixels = FaceImageDecoder.DecodeFile(Directory.GetFiles(folder).Order(StringComparer.Ordinal).First());
        var options = new SessionOptions { GraphOptimizationLevel = Level, IntraOpNumThreads = 1 };
        if (!Prepacking) options.AddSessionConfigEntry("session.disable_prepacking", "1");
        _session = new InferenceSession(onnx, options);
        _one = Faces(pixels, 1);
        _batch = Faces(pixels, 64);
    }

    /// <summary>N copies of one face as a model input tensor.</summary>
    internal static DenseTensor<float> Faces(byte[] pixels, int n)
    {
        var tensor = new DenseTensor<float>([n, 1, 48, 48]);
        for (int i = 0; i < n * pixels.Length; i++) tensor.Buffer.Span[i] = pixels[i % pixels.Length] * FerModelConventions.PixelScale;
        return tensor;
    }

    [Benchmark(Description = "raw ORT, batch 1")]
    public float Batch1() => Run(_one);

    [Benchmark(Description = "raw ORT, batch 64", OperationsPerInvoke = 64)]
    public float Batch64() => Run(_batch);

    private float Run(DenseTensor<float> input)
    {
        using var r = _session.Run([NamedOnnxValue.CreateFromTensor(FerModelConventions.OnnxInputName, input)]);
        return r[0].AsTensor<float>()[0, 0];
    }

    [GlobalCleanup]
    public void Cleanup() => _session.Dispose();
}
