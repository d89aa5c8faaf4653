using FerMlNet.Preprocessing;
using FerMlNet.Core.IO;
using FerMlNet.Training.Models;
using Google.Protobuf;
using Onnx;
using TorchSharp.Modules;
using static FerMlNet.Training.Onnx.OnnxProtos;
using static TorchSharp.torch;

namespace FerMlNet.Training.Onnx;

/// <summary>
/// Writes a trained <see cref="FerNet"/> as an ONNX graph (TorchSharp has no ONNX export): Conv, BatchNormalization,
/// Relu, MaxPool, Flatten, GlobalAveragePool, Gemm, squeeze-excitation gates (Sigmoid, Unsqueeze, Mul), residual Add,
/// bilinear Resize and a final Softmax; Dropout is dropped (inference only).
/// Input <see cref="InputName"/> float [batch, C, 48, 48] with a dynamic batch; outputs <see cref="ProbabilitiesName"/>
/// float [batch, 4] (happy, neutral, sad, surprise) and <see cref="LabelName"/> int64 [batch] (arg-max).
/// </summary>
public static class OnnxExporter
{
    /// <summary>Name of the graph input.</summary>
    public const string InputName = FerModelConventions.OnnxInputName;

    /// <summary>Name of the probabilities output.</summary>
    public const string ProbabilitiesName = FerModelConventions.OnnxProbabilitiesName;

    /// <summary>Name of the predicted class index output.</summary>
    public const string LabelName = "label";

    private const int Opset = 13;

    /// <summary>
    /// Builds the ONNX model of <paramref name="network"/> (its current weights, eval semantics). The input is always
    /// one grey channel: the RGB network replicates it to three inside the graph, as the notebook stacked [g, g, g].
    /// </summary>
    public static ModelProto Build(FerNet network, IDictionary<string, string>? metadata = null)
    {
        var graph = new GraphProto { Name = network.GetName() };
        graph.Input.Add(TensorInfo(InputName, TensorProto.Types.DataType.Float, ["batch", 1, 48, 48]));
        string current = InputName;
        string? skip = null;
        if (network.InputChannels > 1)
        {
            graph.Node.Add(Node("Concat", "gray_to_rgb", Enumerable.Repeat(InputName, network.InputChannels).ToArray(),
                "rgb_input", Int("axis", 1)));
            current = "rgb_input";
        }
        var sides = LayerShapes.Walk(network.Architecture, network.InputChannels).Select(input => input.Side).ToList();
        foreach (var ((spec, module), side) in network.Layers.Zip(sides))
        {
            string output = spec.Name;
            switch (spec.Kind)
            {
                case LayerKind.Conv:
                {
                    var conv = (Conv2d)module;
                    graph.Initializer.Add(Initializer($"{spec.Name}.weight", conv.weight!));
                    graph.Initializer.Add(Initializer($"{spec.Name}.bias", conv.bias!));
                    graph.Node.Add(Node("Conv", spec.Name, [current, $"{spec.Name}.weight", $"{spec.Name}.bias"], output,
                        Ints("kernel_shape", 3, 3), Ints("pads", 1, 1, 1, 1), Ints("strides", 1, 1)));
                    break;
                }
                case LayerKind.BatchNorm:
                {
                    var bn = (NormBase)module;
                    graph.Initializer.Add(Initializer($"{spec.Name}.scale", bn.weight!));
                    graph.Initializer.Add(Initializer($"{spec.Name}.bias", bn.bias!));
                    graph.Initializer.Add(Initializer($"{spec.Name}.mean", bn.running_mean!));
                    graph.Initializer.Add(Initializer($"{spec.Name}.var", bn.running_var!));
                    graph.Node.Add(Node("BatchNormalization", spec.Name,
                        [current, $"{spec.Name}.scale", $"{spec.Name}.bias", $"{spec.Name}.mean", $"{spec.Name}.var"],
                        output, Float("epsilon", (float)FerNet.BatchNormEpsilon)));
                    break;
                }
                case LayerKind.Relu:
                    graph.Node.Add(Node("Relu", spec.Name, [current], output));
                    break;
                case LayerKind.MaxPool:
                    graph.Node.Add(Node("MaxPool", spec.Name, [current], output,
                        Ints("kernel_shape", 2, 2), Ints("strides", 2, 2)));
                    break;
                case LayerKind.Upsample:
                    AddUpsample(graph, spec, current, side);
                    break;
                case LayerKind.Dropout:
                    continue; // identity at inference
                case LayerKind.Flatten:
                    graph.Node.Add(Node("Flatten", spec.Name, [current], output, Int("axis", 1)));
                    break;
                case LayerKind.GlobalAveragePool:
                    graph.Node.Add(Node("GlobalAveragePool", spec.Name, [current], spec.Name + "_4d"));
                    graph.Node.Add(Node("Flatten", spec.Name + "_flatten", [spec.Name + "_4d"], output, Int("axis", 1)));
                    break;
                case LayerKind.Dense:
                {
                    var linear = (Linear)module;
                    graph.Initializer.Add(Initializer($"{spec.Name}.weight", linear.weight!));
                    graph.Initializer.Add(Initializer($"{spec.Name}.bias", linear.bias!));
                    graph.Node.Add(Node("Gemm", spec.Name, [current, $"{spec.Name}.weight", $"{spec.Name}.bias"], output,
                        Int("transB", 1)));
                    break;
                }
                case LayerKind.SqueezeExcite:
                    AddSqueezeExcite(graph, spec.Name, (SqueezeExcitation)module, current, output);
                    break;
                case LayerKind.ResidualStart:
                    skip = current;
                    continue;
                case LayerKind.ResidualAdd:
                    graph.Node.Add(Node("Add", spec.Name, [current, skip!], output));
                    break;
            }
            current = output;
        }
        AddProbabilityHead(graph, current);
        graph.Output.Add(TensorInfo(ProbabilitiesName, TensorProto.Types.DataType.Float, ["batch", 4]));
        graph.Output.Add(TensorInfo(LabelName, TensorProto.Types.DataType.Int64, ["batch"]));

        var model = new ModelProto
        {
            IrVersion = 7,
            ProducerName = "FerMlNet",
            ProducerVersion = typeof(OnnxExporter).Assembly.GetName().Version?.ToString() ?? "0",
            Graph = graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        if (metadata is not null)
            foreach (var (key, value) in metadata)
                model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        return model;
    }

    /// <summary>x · σ(expand(ReLU(reduce(GlobalAveragePool(x))))), the gate unsqueezed to (N, C, 1, 1) for the product.</summary>
    private static void AddSqueezeExcite(GraphProto graph, string name, SqueezeExcitation se, string input, string output)
    {
        foreach (var (part, linear) in new[] { ("reduce", se.Reduce), ("expand", se.Expand) })
        {
            graph.Initializer.Add(Initializer($"{name}.{part}.weight", linear.weight!));
            graph.Initializer.Add(Initializer($"{name}.{part}.bias", linear.bias!));
        }
        graph.Initializer.Add(Int64s($"{name}.axes", 2, 3));
        graph.Node.Add(Node("GlobalAveragePool", $"{name}_pool", [input], $"{name}_pool"));
        graph.Node.Add(Node("Flatten", $"{name}_squeeze", [$"{name}_pool"], $"{name}_squeeze", Int("axis", 1)));
        graph.Node.Add(Node("Gemm", $"{name}_reduce", [$"{name}_squeeze", $"{name}.reduce.weight", $"{name}.reduce.bias"],
            $"{name}_reduce", Int("transB", 1)));
        graph.Node.Add(Node("Relu", $"{name}_reduce_relu", [$"{name}_reduce"], $"{name}_reduce_relu"));
        graph.Node.Add(Node("Gemm", $"{name}_expand", [$"{name}_reduce_relu", $"{name}.expand.weight", $"{name}.expand.bias"],
            $"{name}_expand", Int("transB", 1)));
        graph.Node.Add(Node("Sigmoid", $"{name}_gate", [$"{name}_expand"], $"{name}_gate"));
        graph.Node.Add(Node("Unsqueeze", $"{name}_gate_4d", [$"{name}_gate", $"{name}.axes"], $"{name}_gate_4d"));
        graph.Node.Add(Node("Mul", name, [input, $"{name}_gate_4d"], output));
    }

    /// <summary>
    /// Bilinear Resize by scales rather than sizes, because the batch dimension is dynamic; half-pixel centres and
    /// linear mode are Resize's defaults and match TorchSharp's bilinear with align_corners=false.
    /// </summary>
    private static void AddUpsample(GraphProto graph, LayerSpec spec, string input, long side)
    {
        float scale = (float)spec.Units / side;
        graph.Initializer.Add(Floats($"{spec.Name}.scales", [4], [1, 1, scale, scale]));
        graph.Node.Add(Node("Resize", spec.Name, [input, "", $"{spec.Name}.scales"], spec.Name, String("mode", "linear")));
    }

    /// <summary>The graph's head on a logits tensor: Softmax → <see cref="ProbabilitiesName"/>, ArgMax → <see cref="LabelName"/>.</summary>
    internal static void AddProbabilityHead(GraphProto graph, string logits)
    {
        graph.Node.Add(Node("Softmax", "softmax", [logits], ProbabilitiesName, Int("axis", 1)));
        graph.Node.Add(Node("ArgMax", "argmax", [ProbabilitiesName], LabelName, Int("axis", 1), Int("keepdims", 0)));
    }

    /// <summary>Writes the ONNX file atomically (never a half-written model file).</summary>
    public static void Save(FerNet network, string path, IDictionary<string, string>? metadata = null)
    {
        var bytes = Build(network, metadata).ToByteArray();
        AtomicFile.WriteAllBytes(path, bytes);
    }

    private static TensorProto Initializer(string name, Tensor value)
    {
        using var cpu = value.detach().cpu().to_type(ScalarType.Float32).contiguous();
        var proto = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        proto.Dims.AddRange(cpu.shape);
        var data = cpu.data<float>().ToArray();
        var bytes = new byte[data.Length * 4];
        Buffer.BlockCopy(data, 0, bytes, 0, bytes.Length); // raw_data is little-endian, as x64 memory is
        proto.RawData = ByteString.CopyFrom(bytes);
        return proto;
    }
}
