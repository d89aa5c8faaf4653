using System.Text.Json.Serialization;

namespace FerMlNet.Training.Engine;

/// <summary>Where a network trains (<c>fer train --device</c>).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TrainingDevice>))]
public enum TrainingDevice
{
    /// <summary>The CPU through libtorch-cpu, the build this repository ships. The default.</summary>
    [JsonStringEnumMemberName("cpu")] Cpu,

    /// <summary>A CUDA GPU; needs a CUDA build of libtorch in place of libtorch-cpu.</summary>
    [JsonStringEnumMemberName("cuda")] Cuda,
}
