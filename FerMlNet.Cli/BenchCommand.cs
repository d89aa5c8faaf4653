using System.CommandLine;
using FerMlNet.Core.Data;
using FerMlNet.Preprocessing;
using FerMlNet.Training.Bench;
using FerMlNet.Training.Engine;
using Spectre.Console;

namespace FerMlNet.Cli;

/// <summary>
/// `fer bench train`: training throughput of pipelines, measured in one run on the same real faces so the ratios
/// between them hold even on a noisy machine (absolute img/s drift with load; ratios taken minutes apart do not).
/// </summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var bench = new Command("bench", "Benchmarks that print ratios measured in one run.");
        var pipelines = new Option<string>("--pipelines")
        {
            Description = "Comma-separated pipeline names or files.",
            DefaultValueFactory = _ => "model-bplusplus,model-d,model-0,mislabel-fast",
        };
        var steps = new Option<int>("--steps") { Description = "Measured optimizer steps per pipeline (after 2 warm-up steps).", DefaultValueFactory = _ => 20 };
        var data = new Option<string>("--data") { Description = "Dataset whose train images are used (the same ones for every pipeline).", DefaultValueFactory = _ => "datasets/fer4-mit" };
        var threads = new Option<int>("--threads") { Description = "Torch threads (0 = one per core)." };
        var train = new Command("train", "Training img/s (batch as in each pipeline; augmentation, loss, L2 and Adam included) and the ratio to the first pipeline.")
        {
            pipelines, steps, data, threads,
        };
        train.SetAction(parse => FerCommandLine.Guard(() =>
        {
            int n = parse.GetValue(steps);
            if (n < 1) throw new UsageException("--steps must be positive.");
            var machine = PrintMachine();
            var index = DatasetReader.Read(parse.GetValue(data)!);
            var decoded = DecodedDatasetCache.Load(index);
            var trainRows = TrainingThroughput.InterleavedTrainRows(decoded);
            var table = new Table().Border(TableBorder.Rounded).AddColumn(new TableColumn("pipeline").NoWrap())
                .AddColumns("architecture", "batch", "img/s", "ratio to first", "FLOP bound img/s", "of bound");
            double? first = null;
            foreach (var name in parse.GetValue(pipelines)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var options = PipelineOptions.LoadByNameOrPath(name);
                int threadCount = parse.GetValue(threads);
                TrainingThroughput.Measure(name, decoded, trainRows, 2, threadCount); // warm-up: allocator, kernels, thread pool
                double rate = TrainingThroughput.Measure(name, decoded, trainRows, n, threadCount);
                first ??= rate;
                // Training does about three forward passes' work per image (forward, and two GEMMs backward).
                double? bound = TrainingThroughput.ForwardFlops(options) is { } flops
                    ? machine.FlopBoundImagesPerSecond(3.0 * flops, threadCount) : null;
                table.AddRow(Markup.Escape(options.Name), options.Architecture, options.BatchSize.ToString(), $"{rate:F1}", $"{rate / first.Value:F2}×",
                    bound is { } b ? $"{b:F1}" : "–", bound is { } b2 ? $"{rate / b2:P0}" : "–");
            }
            AnsiConsole.Write(table);
            AnsiConsole.MarkupLine($"{n} steps each, {Environment.ProcessorCount} cores, glibc malloc tuned; one run, so the ratios compare like with like.");
            return ExitCodes.Success;
        }));
        bench.Add(train);
        bench.Add(ServeBenchCommand.Create());
        bench.Add(LoadBenchCommand.Create());
        bench.Add(ScoreBenchCommand.Create());
        bench.Add(PeerBenchCommand.Create());
        bench.Add(ScaleBenchCommand.Create());
        return bench;
    }

    /// <summary>
    /// Measures and prints the machine's facts (CPU, extensions, cores, GEMM rate) as the first line of a benchmark,
    /// so its figures can be read against another machine's.
    /// </summary>
    internal static MachineFacts PrintMachine()
    {
        var facts = MachineFacts.Measure();
        AnsiConsole.MarkupLine(Markup.Escape(facts.Describe()));
        return facts;
    }
}
