using System.Text.Json.Serialization;

namespace FerMlNet.Training.Engine;

/// <summary>The floating-point precision a network trains in (pipeline key <c>precision</c>).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TrainingPrecision>))]
public enum TrainingPrecision
{
    /// <summary>Everything in 32-bit floats: the notebook's arithmetic, the default.</summary>
    [JsonStringEnumMemberName("fp32")] Fp32,

    /// <summary>
    /// Forward and backward in bfloat16 on a copy of the network, with fp32 master weights, optimizer and loss
    /// (<see cref="Bf16ComputeCopy"/>). Only where the CPU has bf16 kernels (AVX512_BF16 or AMX); elsewhere the run
    /// falls back to fp32 and says so, since libtorch would convert every bf16 product to fp32 and back.
    /// </summary>
    [JsonStringEnumMemberName("bf16")] Bf16,
}
