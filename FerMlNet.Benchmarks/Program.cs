using BenchmarkDotNet.Running;

// In process: BenchmarkDotNet's default toolchain builds a fresh host project whose copy of libLibTorchSharp.so misses
// the Debian 12 ELF fix (Directory.Build.targets), so TorchSharp fails to load there ("doesn't contain a reference to
// libtorch-cpu-linux-x64"). This build output is already fixed; each benchmark still gets its own warm-up and pilot.
string[] arguments = args.Contains("--inProcess") ? args : [.. args, "--inProcess"];
// BenchmarkDotNet names the CPU but not the extensions that pick ONNX Runtime's and libtorch's kernels (AVX-512, VNNI,
// BF16, AMX): the same line as every `fer bench`, so results from different machines can be read side by side.
Console.WriteLine(FerMlNet.Training.Bench.MachineFacts.Measure().Describe());
FerMlNet.Scoring.OnnxRuntimeTelemetry.Disable(); // before any benchmark loads a model: ONNX Runtime reads it once
BenchmarkSwitcher.FromAssembly(typeof(FerMlNet.Benchmarks.InferenceBenchmarks).Assembly).Run(arguments);
