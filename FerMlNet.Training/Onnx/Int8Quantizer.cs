using System.Buffers.Binary;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;
using static FerMlNet.Training.Onnx.OnnxProtos;

namespace FerMlNet.Training.Onnx;

/// <summary>The measured range of one activation tensor and the uint8 quantization chosen for it.</summary>
/// <param name="Tensor">The tensor's name in the graph.</param>
/// <param name="Min">Smallest value seen on the calibration faces.</param>
/// <param name="Max">Largest value seen.</param>
/// <param name="Scale">Quantization step.</param>
/// <param name="ZeroPoint">The uint8 code of 0.0.</param>
public sealed record ActivationRange(string Tensor, float Min, float Max, float Scale, byte ZeroPoint);

/// <summary>What <see cref="Int8Quantizer.Quantize"/> changed.</summary>
/// <param name="FoldedBatchNorms">BatchNormalization nodes folded into the convolution before them.</param>
/// <param name="QuantizedNodes">Conv and Gemm nodes that now read int8 weights and uint8 activations.</param>
/// <param name="Activations">Every quantized activation with its range.</param>
public sealed record QuantizationSummary(int FoldedBatchNorms, int QuantizedNodes, IReadOnlyList<ActivationRange> Activations);

/// <summary>
/// Static int8 quantization of a FerMlNet ONNX graph in the QDQ form ONNX Runtime fuses into integer kernels
/// (QLinearConv, QGemm; VNNI where the CPU has it): BatchNormalization folded into the convolution before it, then
/// every Conv and Gemm reads its input through QuantizeLinear → DequantizeLinear (uint8, per tensor, range measured
/// on calibration faces), its weights as int8 per output channel and its bias as int32 at the product of the two
/// scales. Everything else — flip averaging, the temperature, the softmax — stays float, so the graph keeps the
/// exporter's input and outputs and every consumer runs it unchanged.
/// </summary>
public static class Int8Quantizer
{
    /// <summary>
    /// Weights use 7 of the 8 bits (±63). Without VNNI, x86 int8 kernels multiply uint8 activations by int8 weights
    /// with vpmaddubsw, which adds two products into an int16 and saturates: 2 · 255 · 127 overflows, 2 · 255 · 63 =
    /// 32,130 does not. Measured on fer-fast (AVX2): ±127 lost 0.7 points of validation accuracy, ±63 none. One file
    /// then answers the same on every CPU.
    /// </summary>
    private const float Int8Max = 63f;

    /// <summary>Quantizes <paramref name="model"/> with activation ranges measured on <paramref name="calibrationFaces"/> (48×48 grey bytes).</summary>
    /// <exception cref="InvalidDataException">The graph has nothing to quantize, or a weight is not a float initializer.</exception>
    public static (ModelProto Model, QuantizationSummary Summary) Quantize(ModelProto model, IReadOnlyList<byte[]> calibrationFaces)
    {
        if (calibrationFaces.Count == 0) throw new ArgumentException("Calibration needs at least one face.", nameof(calibrationFaces));
        var result = model.Clone();
        var graph = result.Graph;
        int folded = FoldBatchNorms(graph);
        var targets = graph.Node.Where(n => n.OpType is "Conv" or "Gemm").ToList();
        if (targets.Count == 0) throw new InvalidDataException("The graph has no Conv or Gemm node to quantize.");
        var activations = targets.Select(n => n.Input[0]).Distinct().ToList();
        var ranges = MeasureRanges(result, activations, calibrationFaces);
        foreach (var range in ranges) InsertActivationQdq(graph, range);
        var byTensor = ranges.ToDictionary(r => r.Tensor);
        foreach (var node in targets) QuantizeWeights(graph, node, byTensor[OriginalInput(node)]);
        return (result, new QuantizationSummary(folded, targets.Count, ranges));
    }

    /// <summary>A node's activation input before it was rerouted through its Q/DQ pair.</summary>
    private static string OriginalInput(NodeProto node) =>
        node.Input[0].EndsWith(DequantizedSuffix, StringComparison.Ordinal) ? node.Input[0][..^DequantizedSuffix.Length] : node.Input[0];

    private const string DequantizedSuffix = "_dq";

    /// <summary>
    /// Folds each BatchNormalization that reads a Conv's output (and is that output's only reader) into the Conv:
    /// W′ = W · γ/√(σ²+ε) per output channel, b′ = (b − μ) · γ/√(σ²+ε) + β. Exact, and it leaves Conv → ReLU, the
    /// pair ONNX Runtime runs as one integer kernel.
    /// </summary>
    private static int FoldBatchNorms(GraphProto graph)
    {
        int folded = 0;
        foreach (var bn in graph.Node.Where(n => n.OpType == "BatchNormalization").ToList())
        {
            var conv = graph.Node.SingleOrDefault(n => n.OpType == "Conv" && n.Output[0] == bn.Input[0]);
            if (conv is null || graph.Node.Count(n => n.Input.Contains(bn.Input[0])) != 1 || conv.Input.Count < 3) continue;
            float epsilon = bn.Attribute.FirstOrDefault(a => a.Name == "epsilon")?.F ?? 1e-5f;
            var (gamma, beta, mean, variance) = (ValuesOf(graph, bn.Input[1]), ValuesOf(graph, bn.Input[2]), ValuesOf(graph, bn.Input[3]), ValuesOf(graph, bn.Input[4]));
            var weight = Initializer(graph, conv.Input[1]);
            var w = ReadFloats(weight);
            var b = ValuesOf(graph, conv.Input[2]);
            int perChannel = w.Length / gamma.Length;
            for (int o = 0; o < gamma.Length; o++)
            {
                float s = gamma[o] / MathF.Sqrt(variance[o] + epsilon);
                for (int k = 0; k < perChannel; k++) w[o * perChannel + k] *= s;
                b[o] = (b[o] - mean[o]) * s + beta[o];
            }
            Replace(graph, Floats(weight.Name, [.. weight.Dims], w));
            Replace(graph, Floats(conv.Input[2], [b.Length], b));
            conv.Output[0] = bn.Output[0];
            graph.Node.Remove(bn);
            foreach (var parameter in bn.Input.Skip(1)) graph.Initializer.Remove(Initializer(graph, parameter));
            folded++;
        }
        return folded;
    }

    /// <summary>Runs the graph on the calibration faces with the given tensors exposed and records each one's range.</summary>
    private static List<ActivationRange> MeasureRanges(ModelProto model, List<string> tensors, IReadOnlyList<byte[]> faces)
    {
        var probe = model.Clone();
        foreach (var t in tensors.Where(t => probe.Graph.Output.All(o => o.Name != t)))
            probe.Graph.Output.Add(new ValueInfoProto { Name = t, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } } });
        using var session = new InferenceSession(probe.ToByteArray());
        // Each batch's extremes, averaged over the batches (ONNX Runtime's "moving average" min/max): one outlying
        // pixel of one face does not stretch the whole range, so the common values keep more of the 256 codes.
        var min = tensors.ToDictionary(t => t, _ => 0.0);
        var max = tensors.ToDictionary(t => t, _ => 0.0);
        int batches = 0;
        const int batch = 64;
        for (int start = 0; start < faces.Count; start += batch, batches++)
        {
            var input = Scoring.FaceTensor.FromFaces(faces.Skip(start).Take(batch).ToArray());
            using var outputs = session.Run([NamedOnnxValue.CreateFromTensor(OnnxExporter.InputName, input)], tensors);
            foreach (var output in outputs)
            {
                float lo = 0, hi = 0;
                foreach (float v in output.AsTensor<float>()) { if (v < lo) lo = v; if (v > hi) hi = v; }
                min[output.Name] += lo;
                max[output.Name] += hi;
            }
        }
        foreach (var t in tensors) { min[t] /= batches; max[t] /= batches; }
        return tensors.Select(t =>
        {
            // The range always holds 0 (so zero padding is exact); uint8 codes 0…255 span it.
            float lo = (float)min[t], hi = (float)max[t];
            float scale = Math.Max(hi - lo, 1e-8f) / 255f;
            byte zeroPoint = (byte)Math.Clamp(MathF.Round(-lo / scale), 0, 255);
            return new ActivationRange(t, lo, hi, scale, zeroPoint);
        }).ToList();
    }

    /// <summary>Routes every reader of the tensor through QuantizeLinear → DequantizeLinear.</summary>
    private static void InsertActivationQdq(GraphProto graph, ActivationRange range)
    {
        string t = range.Tensor, quantized = t + "_q", dequantized = t + DequantizedSuffix;
        foreach (var node in graph.Node)
            for (int i = 0; i < node.Input.Count; i++)
                if (node.Input[i] == t) node.Input[i] = dequantized;
        graph.Initializer.Add(Floats(t + "_scale", [], [range.Scale]));
        graph.Initializer.Add(UInt8s(t + "_zero_point", [], [range.ZeroPoint]));
        int at = graph.Node.IndexOf(graph.Node.FirstOrDefault(n => n.Input.Contains(dequantized))!);
        graph.Node.Insert(at, Node("DequantizeLinear", dequantized, [quantized, t + "_scale", t + "_zero_point"], dequantized));
        graph.Node.Insert(at, Node("QuantizeLinear", quantized, [t, t + "_scale", t + "_zero_point"], quantized));
    }

    /// <summary>
    /// Replaces a Conv's or Gemm's float weight by int8 per output channel (symmetric) and its bias by int32 at
    /// scale activation scale × weight scale, each read through DequantizeLinear.
    /// </summary>
    private static void QuantizeWeights(GraphProto graph, NodeProto node, ActivationRange input)
    {
        var weight = Initializer(graph, node.Input[1]);
        var w = ReadFloats(weight);
        // Output channels: axis 0 of a Conv kernel [O, I, kh, kw] and of a Gemm weight read transposed (transB = 1).
        bool transposed = node.OpType == "Conv" || node.Attribute.Any(a => a.Name == "transB" && a.I == 1);
        int axis = transposed ? 0 : 1;
        int channels = (int)weight.Dims[axis];
        int inner = w.Length / channels;
        float[] scales = new float[channels];
        var codes = new sbyte[w.Length];
        for (int o = 0; o < channels; o++)
        {
            float maxAbs = 0;
            for (int k = 0; k < inner; k++) maxAbs = Math.Max(maxAbs, Math.Abs(w[Index(o, k)]));
            scales[o] = Math.Max(maxAbs, 1e-12f) / Int8Max;
            for (int k = 0; k < inner; k++) codes[Index(o, k)] = (sbyte)Math.Clamp(MathF.Round(w[Index(o, k)] / scales[o]), -Int8Max, Int8Max);
        }
        int Index(int o, int k) => transposed ? o * inner + k : k * channels + o;

        string name = weight.Name;
        graph.Initializer.Remove(weight);
        graph.Initializer.Add(Int8s(name + "_quantized", [.. weight.Dims], codes));
        graph.Initializer.Add(Floats(name + "_scale", [channels], scales));
        graph.Initializer.Add(Int8s(name + "_zero_point", [channels], new sbyte[channels]));
        int at = graph.Node.IndexOf(node);
        graph.Node.Insert(at, Node("DequantizeLinear", name + DequantizedSuffix, [name + "_quantized", name + "_scale", name + "_zero_point"],
            name + DequantizedSuffix, Int("axis", axis)));
        node.Input[1] = name + DequantizedSuffix;
        if (node.Input.Count < 3 || node.Input[2].Length == 0) return;

        var biasTensor = Initializer(graph, node.Input[2]);
        var bias = ReadFloats(biasTensor);
        var biasScales = scales.Select(s => s * input.Scale).ToArray();
        var biasCodes = bias.Select((v, o) => (int)Math.Round(v / biasScales[o])).ToArray();
        string biasName = biasTensor.Name;
        graph.Initializer.Remove(biasTensor);
        graph.Initializer.Add(Int32s(biasName + "_quantized", [bias.Length], biasCodes));
        graph.Initializer.Add(Floats(biasName + "_scale", [bias.Length], biasScales));
        graph.Initializer.Add(Int32s(biasName + "_zero_point", [bias.Length], new int[bias.Length]));
        graph.Node.Insert(at + 1, Node("DequantizeLinear", biasName + DequantizedSuffix,
            [biasName + "_quantized", biasName + "_scale", biasName + "_zero_point"], biasName + DequantizedSuffix, Int("axis", 0)));
        node.Input[2] = biasName + DequantizedSuffix;
    }

    private static TensorProto Initializer(GraphProto graph, string name) =>
        graph.Initializer.SingleOrDefault(i => i.Name == name)
        ?? throw new InvalidDataException($"'{name}' is not an initializer of the graph; only constant weights can be quantized.");

    private static float[] ValuesOf(GraphProto graph, string name) => ReadFloats(Initializer(graph, name));

    /// <summary>A float initializer's values, stored as float_data or as little-endian raw bytes.</summary>
    private static float[] ReadFloats(TensorProto tensor)
    {
        if (tensor.DataType != (int)TensorProto.Types.DataType.Float)
            throw new InvalidDataException($"Initializer '{tensor.Name}' is not float.");
        if (tensor.FloatData.Count > 0) return [.. tensor.FloatData];
        var raw = tensor.RawData.Span;
        var values = new float[raw.Length / sizeof(float)];
        for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(raw[(i * 4)..]);
        return values;
    }

    private static void Replace(GraphProto graph, TensorProto tensor)
    {
        graph.Initializer.Remove(Initializer(graph, tensor.Name));
        graph.Initializer.Add(tensor);
    }

    private static TensorProto UInt8s(string name, long[] dims, byte[] values) =>
        Raw(name, TensorProto.Types.DataType.Uint8, dims, values);

    private static TensorProto Int8s(string name, long[] dims, sbyte[] values) =>
        Raw(name, TensorProto.Types.DataType.Int8, dims, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    private static TensorProto Int32s(string name, long[] dims, int[] values)
    {
        var bytes = new byte[values.Length * sizeof(int)];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(i * sizeof(int)), values[i]);
        return Raw(name, TensorProto.Types.DataType.Int32, dims, bytes);
    }

    /// <summary>
    /// An integer tensor as raw little-endian bytes: int32_data would hold every int8 as a varint, ten bytes for a
    /// negative one, making the int8 file larger than the float one.
    /// </summary>
    private static TensorProto Raw(string name, TensorProto.Types.DataType type, long[] dims, byte[] bytes)
    {
        var t = new TensorProto { Name = name, DataType = (int)type, RawData = ByteString.CopyFrom(bytes) };
        t.Dims.AddRange(dims);
        return t;
    }
}
