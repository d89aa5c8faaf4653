using FerMlNet.Training.Bench;

namespace FerMlNet.Training.Engine;

/// <summary>Whether this machine trains faster in bf16: libtorch's oneDNN has bf16 kernels only with AVX512_BF16 or AMX.</summary>
internal static class Bf16Support
{
    /// <summary>The /proc/cpuinfo flags of a CPU with bf16 kernels.</summary>
    public static readonly string[] Flags = ["avx512_bf16", "amx_bf16"];

    /// <summary>Whether the CPU this process runs on has one of <see cref="Flags"/> (false where /proc/cpuinfo is absent).</summary>
    public static bool OnThisCpu { get; } =
        File.Exists(MachineFacts.CpuInfoPath) && HasBf16Kernels(File.ReadAllText(MachineFacts.CpuInfoPath));

    /// <summary>Whether a /proc/cpuinfo text names one of <see cref="Flags"/>.</summary>
    public static bool HasBf16Kernels(string cpuInfo) => MachineFacts.ParseCpuInfo(cpuInfo).Flags.Overlaps(Flags);
}
