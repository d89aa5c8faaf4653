using System.Runtime.InteropServices;

namespace FerMlNet.Training.Bench;

/// <summary>
/// What a benchmark figure depends on, printed by every `fer bench` command so numbers from different machines can be
/// read side by side: the CPU, the vector extensions that decide which kernels run (AVX2, AVX-512, BF16, VNNI, AMX),
/// cores and threads, and libtorch's measured fp32 GEMM rate, from which a FLOP bound follows.
/// </summary>
/// <param name="CpuModel">The CPU's model name as the kernel reports it.</param>
/// <param name="Extensions">The watched extensions this CPU has, by their usual names.</param>
/// <param name="Missing">The watched extensions it lacks.</param>
/// <param name="PhysicalCores">Cores per socket as /proc/cpuinfo reports them (0 when unknown).</param>
/// <param name="LogicalCores">Logical processors this process may use.</param>
/// <param name="GemmGflopsOneThread">libtorch fp32 1024×1024 GEMM rate on one thread, GFLOP/s.</param>
/// <param name="GemmGflopsAllThreads">The same on every logical core.</param>
/// <param name="Bf16GemmGflopsAllThreads">
/// libtorch's bf16 GEMM rate on every core (0: not measured): fast only with AVX512_BF16 or AMX, where oneDNN has bf16
/// kernels; elsewhere libtorch converts to fp32 and back, and bf16 training could only be slower.
/// </param>
public sealed record MachineFacts(
    string CpuModel, string[] Extensions, string[] Missing, int PhysicalCores, int LogicalCores,
    double GemmGflopsOneThread, double GemmGflopsAllThreads, double Bf16GemmGflopsAllThreads = 0)
{
    /// <summary>The /proc/cpuinfo flags that change which kernels libtorch and ONNX Runtime can use, with their names.</summary>
    private static readonly (string Flag, string Name)[] Watched =
    [
        ("avx2", "AVX2"), ("fma", "FMA"), ("avx512f", "AVX-512F"), ("avx512_bf16", "AVX512_BF16"),
        ("avx512_vnni", "AVX512_VNNI"), ("avx_vnni", "AVX-VNNI"), ("amx_tile", "AMX"), ("amx_bf16", "AMX_BF16"),
    ];

    /// <summary>Where Linux lists the CPU's model and flags.</summary>
    internal const string CpuInfoPath = "/proc/cpuinfo";

    /// <summary>Reads the CPU facts and measures the GEMM rate on one thread and on every core (a few seconds).</summary>
    public static MachineFacts Measure()
    {
        var (model, flags, cores) = File.Exists(CpuInfoPath) ? ParseCpuInfo(File.ReadAllText(CpuInfoPath)) : FromRuntime();
        int logical = Environment.ProcessorCount;
        double one = TrainingThroughput.GemmFlopsPerSecond(1) / 1e9;
        double all = TrainingThroughput.GemmFlopsPerSecond(logical) / 1e9;
        double bf16 = TrainingThroughput.GemmFlopsPerSecond(logical, TorchSharp.torch.ScalarType.BFloat16) / 1e9;
        return new MachineFacts(model, [.. Watched.Where(w => flags.Contains(w.Flag)).Select(w => w.Name)],
            [.. Watched.Where(w => !flags.Contains(w.Flag)).Select(w => w.Name)], cores, logical, one, all, bf16);
    }

    /// <summary>The first processor's model name, flags and core count from the text of /proc/cpuinfo.</summary>
    public static (string Model, HashSet<string> Flags, int Cores) ParseCpuInfo(string cpuInfo)
    {
        string? model = null, flags = null;
        int cores = 0;
        foreach (var line in cpuInfo.Split('\n'))
        {
            int colon = line.IndexOf(':');
            if (colon < 0) continue;
            string key = line[..colon].Trim(), value = line[(colon + 1)..].Trim();
            if (key == "model name") model ??= value;
            else if (key is "flags" or "Features") flags ??= value; // x86 / arm64
            else if (key == "cpu cores" && cores == 0) int.TryParse(value, out cores);
        }
        return (model ?? RuntimeInformation.ProcessArchitecture.ToString(), [.. (flags ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries)], cores);
    }

    /// <summary>Where there is no /proc/cpuinfo: the extensions .NET itself detects.</summary>
    private static (string, HashSet<string>, int) FromRuntime()
    {
        var flags = new HashSet<string>();
        if (System.Runtime.Intrinsics.X86.Avx2.IsSupported) flags.Add("avx2");
        if (System.Runtime.Intrinsics.X86.Fma.IsSupported) flags.Add("fma");
        if (System.Runtime.Intrinsics.X86.Avx512F.IsSupported) flags.Add("avx512f");
        if (System.Runtime.Intrinsics.X86.AvxVnni.IsSupported) flags.Add("avx_vnni");
        return ($"{RuntimeInformation.OSDescription} {RuntimeInformation.ProcessArchitecture}", flags, 0);
    }

    /// <summary>
    /// The most images per second a workload of <paramref name="flopsPerImage"/> can reach at the measured GEMM rate
    /// (perfect kernels, no other work): the yardstick a measured rate is read against. One thread uses the
    /// one-thread rate, any other count (0 = every core) the all-core rate.
    /// </summary>
    public double FlopBoundImagesPerSecond(double flopsPerImage, int threads = 0) =>
        (threads == 1 ? GemmGflopsOneThread : GemmGflopsAllThreads) * 1e9 / flopsPerImage;

    /// <summary>One line for the top of a benchmark's output.</summary>
    public string Describe() =>
        $"machine: {CpuModel}; {(PhysicalCores > 0 ? $"{PhysicalCores} cores, " : "")}{LogicalCores} threads; " +
        $"has {(Extensions.Length > 0 ? string.Join(' ', Extensions) : "none of the watched extensions")}" +
        $"{(Missing.Length > 0 ? $", lacks {string.Join(' ', Missing)}" : "")}; libtorch fp32 GEMM {GemmGflopsOneThread:F1} GFLOP/s " +
        $"on 1 thread, {GemmGflopsAllThreads:F1} on {LogicalCores}" +
        (Bf16GemmGflopsAllThreads > 0 ? $"; bf16 GEMM {Bf16GemmGflopsAllThreads:F1} on {LogicalCores} ({Bf16GemmGflopsAllThreads / GemmGflopsAllThreads:F2}× fp32)" : "");
}
