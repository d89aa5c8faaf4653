using System.Text;
using System.Text.Json;
using FerMlNet.Core.IO;
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
        using var stream = File.OpenRead(path);
        using var r = new BinaryReader(stream, Encoding.UTF8);
        if (!r.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic))
            throw new InvalidDataException($"'{path}' is not a FerMlNet checkpoint.");
        var state = JsonSerializer.Deserialize<TrainingState>(r.ReadString(), StateJson)
            ?? throw new InvalidDataException($"Checkpoint '{path}' has no training state.");
        int count = r.ReadInt32();
        var byName = tensors.ToDictionary(t => t.Name, t => t.Tensor);
        if (count != tensors.Count)
            throw new InvalidDataException($"Checkpoint '{path}' was made by architecture '{state.Architecture}' " +
                $"({count} tensors); this network has {tensors.Count}. Use the same pipeline, or start without --resume.");
        using var _ = no_grad();
        for (int i = 0; i < count; i++)
        {
            var name = r.ReadString();
            var shape = new long[r.ReadInt32()];
            for (int k = 0; k < shape.Length; k++) shape[k] = r.ReadInt64();
            long numel = shape.Aggregate(1L, (a, b) => a * b);
            var bytes = r.ReadBytes(checked((int)(numel * 4)));
            if (!byName.TryGetValue(name, out var target) || !target.shape.SequenceEqual(shape))
                throw new InvalidDataException($"Checkpoint '{path}' does not fit this network: tensor '{name}' " +
                    $"[{string.Join("×", shape)}] (checkpoint of '{state.Architecture}'). Start without --resume.");
            var data = new float[numel];
            Buffer.BlockCopy(bytes, 0, data, 0, bytes.Length);
            using var source = tensor(data, shape);
            target.copy_(source.to_type(target.dtype));
        }
        return state;
    }
}
