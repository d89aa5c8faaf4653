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

    /// <summary>
    /// The one line that says a bf16 pipeline trains in fp32 here, or null when it trains as asked (fp32 pipelines,
    /// GPUs, CPUs with bf16 kernels).
    /// </summary>
    public static string? FallbackNote(PipelineOptions options, TrainingDevice device) =>
        options.Precision == TrainingPrecision.Bf16 && device == TrainingDevice.Cpu && !OnThisCpu
            ? $"precision bf16: this CPU has neither {string.Join(" nor ", Flags)}, so libtorch has no bf16 " +
              "kernels here and would convert every product to fp32 and back; training in fp32."
            : null;
}
