using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(FerMlNet.Benchmarks.InferenceBenchmarks).Assembly).Run(args);
