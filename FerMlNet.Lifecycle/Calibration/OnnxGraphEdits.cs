using FerMlNet.Training.Onnx;
using Google.Protobuf;
using Onnx;
using static FerMlNet.Training.Onnx.OnnxProtos;

namespace FerMlNet.Lifecycle.Calibration;

/// <summary>
/// Edits of an exported FerMlNet ONNX graph that act on its logits (the tensor feeding the final Softmax), so they
/// apply to any trained network — including the shipped default model — without retraining:
/// flip test-time augmentation, and a calibrated logit adjustment (temperature and per-class bias).
/// The edited graph keeps the exporter's input and outputs, so every consumer (model.zip, FerPredictor, the web app)
/// uses it unchanged.
/// </summary>
public static class OnnxGraphEdits
{
    private const string FlippedInput = "tta_flipped";
    private const string TtaBatch = "tta_batch";
    private const string ShiftBatch = "tta_shift_batch";

    /// <summary>The name of the logits tensor: the input of the Softmax that produces the probabilities.</summary>
    public static string LogitsName(ModelProto model) => SoftmaxNode(model.Graph).Input[0];

    /// <summary>
    /// Test-time augmentation: the graph runs each face and its mirror image as one batch of 2N and averages the two
    /// logits before the softmax (faces are left-right symmetric in meaning; the networks were trained with flips).
    /// Costs twice the inference work.
    /// </summary>
    public static ModelProto WithFlipAveraging(ModelProto model)
    {
        var result = model.Clone();
        var graph = result.Graph;
        if (AveragesOverFlips(model))
            throw new InvalidDataException("the model already averages over flips");
        graph.Initializer.Add(Int64s("tta_flip_starts", -1));
        graph.Initializer.Add(Int64s("tta_flip_ends", long.MinValue)); // with step −1: slice to the first column
        graph.Initializer.Add(Int64s("tta_flip_axes", 3));
        graph.Initializer.Add(Int64s("tta_flip_steps", -1));
        AverageOverViews(graph, "tta", TtaBatch,
            [Node("Slice", "tta_flip", [OnnxExporter.InputName, "tta_flip_starts", "tta_flip_ends", "tta_flip_axes", "tta_flip_steps"], FlippedInput)]);
        return result;
    }

    /// <summary>Whether the graph already averages each face with its mirror image (<see cref="WithFlipAveraging"/>).</summary>
    public static bool AveragesOverFlips(ModelProto model) => model.Graph.Node.Any(n => n.Output.Contains(TtaBatch));

    /// <summary>
    /// An <see cref="Ensemble"/> with flip test-time augmentation, added member by member: the logits are the same as
    /// flipping the whole ensemble, but a member that already averages over flips (a published model calibrated with
    /// --tta) is left as it is — its answer for a face and its mirror is the same, so flipping it again would double
    /// its work and change nothing.
    /// </summary>
    public static ModelProto EnsembleWithFlipAveraging(IReadOnlyList<ModelProto> members) =>
        Ensemble(members.Select(m => AveragesOverFlips(m) ? m : WithFlipAveraging(m)).ToList());

    /// <summary>
    /// Test-time augmentation by translation: the graph runs each face as it is and moved by <paramref name="pixels"/>
    /// up, down, left and right (the border reflected, as the training augmentation `translate` does) as one batch of
    /// 5N and averages the five logits before the softmax. Costs five times the inference work; applied on top of
    /// <see cref="WithFlipAveraging"/>, ten times (every shifted face is also mirrored).
    /// </summary>
    public static ModelProto WithShiftAveraging(ModelProto model, int pixels)
    {
        if (pixels is < 1 or > 8) throw new ArgumentOutOfRangeException(nameof(pixels), "must be 1–8 pixels");
        var result = model.Clone();
        var graph = result.Graph;
        if (graph.Node.Any(n => n.Output.Contains(ShiftBatch)))
            throw new InvalidDataException("the model already averages over shifts");
        int side = Preprocessing.PreprocessingContract.ImageSize;
        graph.Initializer.Add(Int64s("tta_shift_pads", 0, 0, pixels, pixels, 0, 0, pixels, pixels));
        graph.Initializer.Add(Int64s("tta_shift_axes", 2, 3));
        var views = new List<NodeProto>
        {
            Node("Pad", "tta_shift_pad", [OnnxExporter.InputName, "tta_shift_pads"], "tta_shift_padded", String("mode", "reflect")),
        };
        (int Dy, int Dx)[] shifts = [(-pixels, 0), (pixels, 0), (0, -pixels), (0, pixels)];
        foreach (var (dy, dx) in shifts)
        {
            // Window of the padded face whose top-left is (p + dy, p + dx): the face moved by (−dy, −dx).
            string name = $"tta_shift_{(dy < 0 ? "m" : "p")}{Math.Abs(dy)}_{(dx < 0 ? "m" : "p")}{Math.Abs(dx)}";
            graph.Initializer.Add(Int64s($"{name}_starts", pixels + dy, pixels + dx));
            graph.Initializer.Add(Int64s($"{name}_ends", pixels + dy + side, pixels + dx + side));
            views.Add(Node("Slice", name, ["tta_shift_padded", $"{name}_starts", $"{name}_ends", "tta_shift_axes"], name));
        }
        AverageOverViews(graph, "tta_shift", ShiftBatch, views);
        return result;
    }

    /// <summary>
    /// The shared part of test-time augmentation: <paramref name="views"/> (nodes that read the graph input; each one
    /// whose output is not read by another of them is a view of the batch) are concatenated after the input into one
    /// batch that the network reads instead, and the logits of each face's views are averaged before the softmax.
    /// </summary>
    private static void AverageOverViews(GraphProto graph, string prefix, string batch, IReadOnlyList<NodeProto> views)
    {
        foreach (var node in graph.Node)
            for (int i = 0; i < node.Input.Count; i++)
                if (node.Input[i] == OnnxExporter.InputName) node.Input[i] = batch;
        var viewOutputs = views.Select(v => v.Output[0]).Where(o => !views.Any(v => v.Input.Contains(o))).ToArray();
        graph.Initializer.Add(Int64s($"{prefix}_views_shape", viewOutputs.Length + 1, -1, 4));
        for (int i = 0; i < views.Count; i++) graph.Node.Insert(i, views[i]);
        graph.Node.Insert(views.Count, Node("Concat", $"{prefix}_concat", [OnnxExporter.InputName, .. viewOutputs], batch, Int("axis", 0)));

        var softmax = SoftmaxNode(graph);
        int at = graph.Node.IndexOf(softmax);
        graph.Node.Insert(at, Node("Reshape", $"{prefix}_views", [softmax.Input[0], $"{prefix}_views_shape"], $"{prefix}_views"));
        graph.Node.Insert(at + 1, Node("ReduceMean", $"{prefix}_mean", [$"{prefix}_views"], $"{prefix}_logits", Ints("axes", 0), Int("keepdims", 0)));
        softmax.Input[0] = $"{prefix}_logits";
    }

    /// <summary>
    /// Calibrated logits: softmax((logits + bias) / temperature). The bias moves decision boundaries between classes
    /// (e.g. sad against neutral); the temperature only changes how confident the probabilities are.
    /// </summary>
    public static ModelProto WithLogitAdjustment(ModelProto model, double temperature, IReadOnlyList<double> bias)
    {
        if (temperature <= 0) throw new ArgumentOutOfRangeException(nameof(temperature), "must be positive");
        var result = model.Clone();
        var graph = result.Graph;
        var softmax = SoftmaxNode(graph);
        string logits = softmax.Input[0];
        int at = graph.Node.IndexOf(softmax);
        graph.Initializer.Add(Floats("calibration_bias", [1, bias.Count], bias.Select(b => (float)b).ToArray()));
        graph.Initializer.Add(Floats("calibration_inverse_temperature", [], [(float)(1 / temperature)]));
        graph.Node.Insert(at, Node("Add", "calibration_add_bias", [logits, "calibration_bias"], "calibration_biased"));
        graph.Node.Insert(at + 1, Node("Mul", "calibration_scale", ["calibration_biased", "calibration_inverse_temperature"], "calibrated_logits"));
        softmax.Input[0] = "calibrated_logits";
        return result;
    }

    /// <summary>
    /// An ensemble as one graph: every member reads the same input, their logits are averaged, then the usual Softmax
    /// and ArgMax. Members' tensors and nodes get an "mK_" prefix so their names cannot collide. The cost is the sum of
    /// the members' inference work.
    /// </summary>
    public static ModelProto Ensemble(IReadOnlyList<ModelProto> members)
    {
        if (members.Count < 2) throw new ArgumentException("an ensemble needs at least two models", nameof(members));
        var result = members[0].Clone();
        var graph = result.Graph;
        graph.Node.Clear();
        graph.Initializer.Clear();
        graph.Name = "ensemble";
        var memberLogits = new List<string>();
        for (int k = 0; k < members.Count; k++)
        {
            var member = members[k].Graph;
            var softmax = SoftmaxNode(member);
            string Rename(string tensor) => tensor == OnnxExporter.InputName || tensor.Length == 0 ? tensor : $"m{k}_{tensor}";
            foreach (var node in member.Node)
            {
                if (node == softmax || node.Input.Contains(OnnxExporter.ProbabilitiesName)) continue; // the head is rebuilt once
                var copy = node.Clone();
                copy.Name = $"m{k}_{node.Name}";
                for (int i = 0; i < copy.Input.Count; i++) copy.Input[i] = Rename(copy.Input[i]);
                for (int i = 0; i < copy.Output.Count; i++) copy.Output[i] = Rename(copy.Output[i]);
                graph.Node.Add(copy);
            }
            foreach (var initializer in member.Initializer)
            {
                var copy = initializer.Clone();
                copy.Name = Rename(initializer.Name);
                graph.Initializer.Add(copy);
            }
            memberLogits.Add(Rename(softmax.Input[0]));
        }
        graph.Initializer.Add(Floats("ensemble_inverse_count", [], [1f / members.Count]));
        graph.Node.Add(Node("Sum", "ensemble_sum", memberLogits.ToArray(), "ensemble_sum"));
        graph.Node.Add(Node("Mul", "ensemble_mean", ["ensemble_sum", "ensemble_inverse_count"], "ensemble_logits"));
        OnnxExporter.AddProbabilityHead(graph, "ensemble_logits");
        return result;
    }

    /// <summary>Adds the logits tensor as an extra graph output (float [batch, 4]) so a calibration can read it.</summary>
    public static ModelProto WithLogitsOutput(ModelProto model)
    {
        var result = model.Clone();
        string logits = LogitsName(result);
        result.Graph.Output.Add(TensorInfo(logits, TensorProto.Types.DataType.Float, ["batch", 4]));
        return result;
    }

    /// <summary>Sets (or replaces) a metadata entry of the model.</summary>
    public static void SetMetadata(ModelProto model, string key, string value)
    {
        var existing = model.MetadataProps.FirstOrDefault(p => p.Key == key);
        if (existing is not null) existing.Value = value;
        else model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
    }

    private static NodeProto SoftmaxNode(GraphProto graph) =>
        graph.Node.SingleOrDefault(n => n.OpType == "Softmax" && n.Output.Contains(OnnxExporter.ProbabilitiesName))
        ?? throw new InvalidDataException($"not a FerMlNet graph: no Softmax producing '{OnnxExporter.ProbabilitiesName}'");
}
