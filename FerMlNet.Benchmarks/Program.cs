using BenchmarkDotNet.Running;

// In process: BenchmarkDotNet's default toolchain builds a fresh host project whose copy of libLibTorchSharp.so misses
// the Debian 12 ELF fix (Directory.Build.targets), so TorchSharp fails to load there ("doesn't contain a reference to
// libtorch-cpu-linux-x64"). This build output is already fixed; each benchmark still gets its own warm-up and pilot.
string[] arguments = args.Contains("--inProcess") ? args : [.. args, "--inProcess"];
BenchmarkSwitcher.FromAssembly(typeof(FerMlNet.Benchmarks.InferenceBenchmarks).Assembly).Run(arguments);
