using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using FerMlNet.Core.IO;
using FerMlNet.Preprocessing;
using FerMlNet.Training.Onnx;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Onnx;

namespace FerMlNet.Benchmarks;

/// <summary>
/// The fast model in float against its static int8 copy (<see cref="Int8Quantizer"/>, as `fer quantize` writes it),
/// raw ONNX Runtime with 1 intra-op thread, at batch 1 and 64, each batch size with the float model as its baseline.
/// The int8 copy is made in the setup from the shipped float file with ranges measured on 256 training faces, so the benchmark always measures the current quantizer;
/// accuracy is `fer quantize`'s and `fer evaluate`'s business, not this one's.
/// </summary>
[Config(typeof(LatencyConfig))]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class Int8Benchmarks
{
    private InferenceSession _float = null!, _int8 = null!;
    private DenseTensor<float> _one = null!, _batch = null!;

    [GlobalSetup]
    public void Setup()
    {
        string onnx = RepositoryFiles.Find("models/fer-fast.onnx") ?? throw new FileNotFoundException("models/fer-fast.onnx");
        var datasets = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(onnx))!, "datasets", "fer4-mit");
        byte[] model = File.ReadAllBytes(onnx);
        var faces = EmotionClasses.Names.SelectMany(c => Directory.GetFiles(Path.Combine(datasets, "train", c)).Order(StringComparer.Ordinal).Take(64))
            .Select(FaceImageDecoder.DecodeFile).ToList();
        byte[] quantized = Int8Quantizer.Quantize(ModelProto.Parser.ParseFrom(model), faces).Model.ToByteArray();
        var pixels = FaceImageDecoder.DecodeFile(Directory.GetFiles(Path.Combine(datasets, "test", "sad")).Order(StringComparer.Ordinal).First());
        _float = Session(model);
        _int8 = Session(quantized);
        _one = OrtSessionBenchmarks.Faces(pixels, 1);
        _batch = OrtSessionBenchmarks.Faces(pixels, 64);
    }

    private static InferenceSession Session(byte[] model) =>
        new(model, new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, IntraOpNumThreads = 1 });

    [Benchmark(Baseline = true, Description = "fast model fp32, batch 1"), BenchmarkCategory("batch 1")]
    public float Float1() => Run(_float, _one);

    [Benchmark(Description = "fast model int8, batch 1"), BenchmarkCategory("batch 1")]
    public float Int81() => Run(_int8, _one);

    [Benchmark(Baseline = true, Description = "fast model fp32, batch 64", OperationsPerInvoke = 64), BenchmarkCategory("batch 64")]
    public float Float64() => Run(_float, _batch);

    [Benchmark(Description = "fast model int8, batch 64", OperationsPerInvoke = 64), BenchmarkCategory("batch 64")]
    public float Int864() => Run(_int8, _batch);

    private static float Run(InferenceSession session, DenseTensor<float> input)
    {
        using var r = session.Run([NamedOnnxValue.CreateFromTensor(FerModelConventions.OnnxInputName, input)]);
        return r[0].AsTensor<float>()[0, 0];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _float.Dispose();
        _int8.Dispose();
    }
}
