using System.Text;
using System.Text.Json;
using FerMlNet.Preprocessing;
using FerMlNet.Core.IO;
using FerMlNet.Training.Models;
using static TorchSharp.torch;

namespace FerMlNet.Training.Engine;

/// <summary>
/// A training checkpoint: named tensors (weights, BatchNorm statistics, the best weights so far, Adam's moments) and
/// the <see cref="TrainingState"/>, in one file written atomically after every epoch. Loading checks that every name
/// and shape matches the network, so a checkpoint of another architecture is refused with a clear message.
/// </summary>
internal static class Checkpoint
{
    private static readonly byte[] Magic = "FERCKPT1"u8.ToArray();

    // "best so far" starts at ±infinity before the first epoch.
    private static readonly JsonSerializerOptions StateJson = new()
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static void Save(string path, TrainingState state, IReadOnlyList<(string Name, Tensor Tensor)> tensors)
    {
        AtomicFile.Write(path, stream =>
        {
            using var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            w.Write(Magic);
            w.Write(JsonSerializer.Serialize(state, StateJson));
            w.Write(tensors.Count);
            foreach (var (name, tensor) in tensors)
            {
                using var cpu = tensor.detach().cpu().to_type(ScalarType.Float32).contiguous();
                w.Write(name);
                w.Write(cpu.shape.Length);
                foreach (var d in cpu.shape) w.Write(d);
                var data = cpu.data<float>().ToArray();
                var bytes = new byte[data.Length * 4];
                Buffer.BlockCopy(data, 0, bytes, 0, bytes.Length);
                w.Write(bytes);
            }
        });
    }

    /// <summary>Reads the state and copies every tensor into <paramref name="tensors"/> (same names and shapes).</summary>
    public static TrainingState Load(string path, IReadOnlyList<(string Name, Tensor Tensor)> tensors)
    {
        var byName = tensors.ToDictionary(t => t.Name, t => t.Tensor);
        return Read(path, (state, count) =>
        {
            if (count != tensors.Count)
                throw new InvalidDataException($"Checkpoint '{path}' was made by architecture '{state.Architecture}' " +
                    $"({count} tensors); this network has {tensors.Count}. Use the same pipeline, or start without --resume.");
        }, name => byName.GetValueOrDefault(name), required: true, remedy: "Start without --resume.");
    }

    /// <summary>
    /// Copies only the best weights of a finished or interrupted run (its "best." tensors) into
    /// <paramref name="stateDict"/>: a warm start for another run of the same architecture, or a teacher.
    /// </summary>
    public static void LoadBestWeights(string path, IReadOnlyDictionary<string, Tensor> stateDict)
    {
        var loaded = new HashSet<string>();
        Read(path, (_, _) => { }, name =>
        {
            if (!name.StartsWith(BestPrefix, StringComparison.Ordinal)) return null;
            var key = name[BestPrefix.Length..];
            loaded.Add(key);
            return stateDict.GetValueOrDefault(key) ?? throw NotThisNetwork(path, $"it has '{key}', which this network lacks");
        }, required: false, remedy: SameArchitecture);
        if (stateDict.Keys.FirstOrDefault(k => !loaded.Contains(k)) is { } missing)
            throw NotThisNetwork(path, $"it lacks '{missing}'");
    }

    /// <summary>The network of a run (its architecture, its best weights), in eval mode: a teacher or a warm start source.</summary>
    public static FerNet LoadBestNetwork(string path)
    {
        var network = ModelZoo.Create(ReadState(path).Architecture);
        LoadBestWeights(path, network.state_dict());
        network.eval();
        return network;
    }

    /// <summary>
    /// A run folder's checkpoint.bin, or the path itself when it names a file (an existing one, or a missing *.bin).
    /// A missing run folder gives the checkpoint it would hold, so an error names the file that is not there.
    /// </summary>
    public static string InRun(string runOrFile) =>
        File.Exists(runOrFile) || (!Directory.Exists(runOrFile) && runOrFile.EndsWith(".bin", StringComparison.Ordinal))
            ? runOrFile : Path.Combine(runOrFile, FileName);

    /// <summary>The checkpoint's file name in a run folder.</summary>
    public const string FileName = "checkpoint.bin";

    /// <summary>Prefix of the best-so-far copies of the network's tensors in a checkpoint.</summary>
    public const string BestPrefix = "best.";

    /// <summary>Only the training state at the head of a checkpoint (architecture, epochs, history), without its tensors.</summary>
    public static TrainingState ReadState(string path)
    {
        using var r = Open(path);
        return ReadHeader(r, path);
    }

    private const string SameArchitecture = "Use a run of the same architecture.";

    private static BinaryReader Open(string path)
    {
        if (!File.Exists(path)) throw new InvalidDataException($"Checkpoint '{path}' does not exist.");
        return new BinaryReader(File.OpenRead(path), Encoding.UTF8);
    }

    private static TrainingState ReadHeader(BinaryReader r, string path)
    {
        if (!r.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic))
            throw new InvalidDataException($"'{path}' is not a FerMlNet checkpoint.");
        return JsonSerializer.Deserialize<TrainingState>(r.ReadString(), StateJson)
            ?? throw new InvalidDataException($"Checkpoint '{path}' has no training state.");
    }

    /// <summary>
    /// Reads the header and every tensor; <paramref name="target"/> names where a tensor goes (null: skip it, or with
    /// <paramref name="required"/> an error). Shapes must match.
    /// </summary>
    private static TrainingState Read(string path, Action<TrainingState, int> checkCount, Func<string, Tensor?> target, bool required,
        string remedy)
    {
        using var r = Open(path);
        var state = ReadHeader(r, path);
        int count = r.ReadInt32();
        checkCount(state, count);
        using var _ = no_grad();
        for (int i = 0; i < count; i++)
        {
            var name = r.ReadString();
            var shape = new long[r.ReadInt32()];
            for (int k = 0; k < shape.Length; k++) shape[k] = r.ReadInt64();
            long numel = shape.Aggregate(1L, (a, b) => a * b);
            var bytes = r.ReadBytes(checked((int)(numel * 4)));
            var destination = target(name);
            if (destination is null && !required) continue;
            if (destination is null || !destination.shape.SequenceEqual(shape))
                throw new InvalidDataException($"Checkpoint '{path}' does not fit this network: tensor '{name}' " +
                    $"[{string.Join("×", shape)}] (checkpoint of '{state.Architecture}'). {remedy}");
            var data = new float[numel];
            Buffer.BlockCopy(bytes, 0, data, 0, bytes.Length);
            using var source = tensor(data, shape);
            destination.copy_(source.to_type(destination.dtype));
        }
        return state;
    }

    private static InvalidDataException NotThisNetwork(string path, string why) =>
        new($"Checkpoint '{path}' does not fit this network: {why}. {SameArchitecture}");
}
