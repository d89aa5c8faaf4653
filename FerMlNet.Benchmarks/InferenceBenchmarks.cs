using BenchmarkDotNet.Attributes;
using FerMlNet.Core.IO;
using FerMlNet.Core.Native;
using FerMlNet.Preprocessing;
using FerMlNet.Scoring;
using FerMlNet.Training.Models;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace FerMlNet.Benchmarks;

/// <summary>
/// The shipped default model at batch 1 and batch 64, in one BenchmarkDotNet run so the ratios compare like with
/// like: raw ONNX Runtime on a ready tensor (the floor), the Scoring library on the same 48×48 pixels, the library
/// from an image file, and ML.NET's PredictionEngine on model.zip (image path in, so it includes the file decode —
/// compare it with the library's file row), and TorchSharp (libtorch, the training engine) doing the same work in
/// inference mode: every member network of the model's card, on the face and on its mirror image (the default's
/// flip test-time augmentation: two passes a member). ONNX Runtime sessions and libtorch get 1 intra-op thread;
/// ML.NET's OnnxTransformer chooses its own. TorchSharp's weights are freshly initialised, not the trained ones (the
/// networks are shipped as ONNX only): the work per image does not depend on the values.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(LatencyConfig))]
public class InferenceBenchmarks
{
    private InferenceSession _raw = null!;
    private FerPredictor _library = null!;
    private TransformerChain<ITransformer> _zipModel = null!;
    private PredictionEngine<FerImageInput, FerPrediction> _engine = null!;
    private DenseTensor<float> _one = null!, _batch = null!;
    private byte[] _pixels = [];
    private List<byte[]> _faces = [];
    private string _imagePath = "";
    private FerNet[] _members = [];
    private TorchSharp.torch.Tensor _torchOne = null!, _torchBatch = null!;

    [GlobalSetup]
    public void Setup()
    {
        string onnx = RepositoryFiles.Find("models/fer-default.onnx") ?? throw new FileNotFoundException("models/fer-default.onnx");
        string zip = RepositoryFiles.Find("models/fer-default.zip") ?? throw new FileNotFoundException("models/fer-default.zip");
        var folder = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(onnx))!, "datasets", "fer4-mit", "test", "happy");
        _imagePath = Directory.GetFiles(folder).Order(StringComparer.Ordinal).First();
        _pixels = FaceImageDecoder.DecodeFile(_imagePath);
        _faces = Enumerable.Repeat(_pixels, 64).ToList();
        var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, IntraOpNumThreads = 1 };
        _raw = new InferenceSession(onnx, options);
        _one = Tensor(1);
        _batch = Tensor(64);
        _library = FerPredictor.Load(onnx, new FerPredictorOptions { IntraOpThreads = 1 });
        var ml = new MLContext(seed: 0);
        _zipModel = (TransformerChain<ITransformer>)ml.Model.Load(zip, out _);
        _engine = ml.Model.CreatePredictionEngine<FerImageInput, FerPrediction>(_zipModel);
        GlibcMalloc.Tune();
        TorchSharp.torch.set_num_threads(1);
        _members = MemberArchitectures(onnx).Select(architecture => ModelZoo.Create(architecture)).ToArray();
        foreach (var member in _members) member.eval();
        _torchOne = TorchSharp.torch.tensor(_one.Buffer.ToArray(), [1, 1, 48, 48]);
        _torchBatch = TorchSharp.torch.tensor(_batch.Buffer.ToArray(), [64, 1, 48, 48]);
    }

    /// <summary>
    /// The member architectures recorded in the model's card (models/fer-default.json): an ensemble's card names them
    /// joined by '+' ("vgg-gap+vgg-gap+vgg-gap"), a single network's card names one.
    /// </summary>
    private static string[] MemberArchitectures(string onnx)
    {
        var card = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.ChangeExtension(onnx, ".json")))!;
        return ((string)card["pipeline"]!["architecture"]!).Split('+');
    }

    private DenseTensor<float> Tensor(int n)
    {
        var tensor = new DenseTensor<float>([n, 1, 48, 48]);
        for (int i = 0; i < n; i++)
            for (int p = 0; p < _pixels.Length; p++) tensor.Buffer.Span[i * _pixels.Length + p] = _pixels[p] * FerModelConventions.PixelScale;
        return tensor;
    }

    [Benchmark(Baseline = true, Description = "raw ORT, batch 1")]
    public float RawBatch1()
    {
        using var r = _raw.Run([NamedOnnxValue.CreateFromTensor(FerModelConventions.OnnxInputName, _one)]);
        return r[0].AsTensor<float>()[0, 0];
    }

    [Benchmark(Description = "library PredictPixels, batch 1")]
    public float LibraryBatch1() => _library.PredictPixels(_pixels).Confidence;

    [Benchmark(Description = "library Predict(file), batch 1")]
    public float LibraryFile() => _library.Predict(_imagePath).Confidence;

    [Benchmark(Description = "ML.NET PredictionEngine (model.zip, file), batch 1")]
    public float PredictionEngine() => _engine.Predict(new FerImageInput { ImagePath = _imagePath }).Score[0];

    [Benchmark(Description = "raw ORT, batch 64", OperationsPerInvoke = 64)]
    public float RawBatch64()
    {
        using var r = _raw.Run([NamedOnnxValue.CreateFromTensor(FerModelConventions.OnnxInputName, _batch)]);
        return r[0].AsTensor<float>()[0, 0];
    }

    [Benchmark(Description = "library PredictBatch, batch 64", OperationsPerInvoke = 64)]
    public float LibraryBatch64() => _library.PredictBatch(_faces)[0].Confidence;

    [Benchmark(Description = "TorchSharp inference mode, batch 1")]
    public float TorchSharpBatch1() => TorchForward(_torchOne);

    [Benchmark(Description = "TorchSharp inference mode, batch 64", OperationsPerInvoke = 64)]
    public float TorchSharpBatch64() => TorchForward(_torchBatch);

    private float TorchForward(TorchSharp.torch.Tensor input)
    {
        using var _ = TorchSharp.torch.inference_mode();
        using var scope = TorchSharp.torch.NewDisposeScope();
        var mirrored = input.flip(3);
        var sum = _members.Select(m => m.forward(input).softmax(1).add(m.forward(mirrored).softmax(1)))
            .Aggregate((a, b) => a.add(b));
        return sum[0, 0].item<float>() / (2 * _members.Length);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _raw.Dispose();
        _library.Dispose();
        _engine.Dispose();
        _zipModel.Dispose();
        foreach (var member in _members) member.Dispose();
    }
}
