using System.CommandLine;
using FerMlNet.Core.Data;
using FerMlNet.Preprocessing;
using FerMlNet.Training.Bench;
using FerMlNet.Cli.Bench;
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
        bench.Add(PrecisionCommand(pipelines, data, threads));
        bench.Add(ServeBenchCommand.Create());
        bench.Add(LoadBenchCommand.Create());
        bench.Add(ScoreBenchCommand.Create());
        bench.Add(PeerBenchCommand.Create());
        bench.Add(ScaleBenchCommand.Create());
        return bench;
    }

    /// <summary>
    /// `fer bench precision`: forward + backward img/s of each pipeline's network in fp32 and in bf16, alternating
    /// rounds in one run, and the ratio — what bf16 kernels give on this CPU before any mixed-precision bookkeeping.
    /// </summary>
    private static Command PrecisionCommand(Option<string> pipelines, Option<string> data, Option<int> threads)
    {
        var steps = new Option<int>("--steps") { Description = "Measured forward+backward steps per round.", DefaultValueFactory = _ => 10 };
        var rounds = new Option<int>("--rounds") { Description = "Alternating fp32/bf16 rounds per pipeline (the median is reported).", DefaultValueFactory = _ => 3 };
        var trainBatches = new Option<int>("--train-batches") { Description = "Optimizer steps per round of whole training steps (fp32 against the bf16 training precision); 0 skips them.", DefaultValueFactory = _ => 20 };
        var command = new Command("precision", "Forward+backward and whole training-step img/s of each pipeline in fp32 and bf16 (alternating, one run) and the ratios.")
        {
            pipelines, steps, rounds, trainBatches, data, threads,
        };
        command.SetAction(parse => FerCommandLine.Guard(() =>
        {
            int n = parse.GetValue(steps), r = parse.GetValue(rounds);
            if (n < 1 || r < 1) throw new UsageException("--steps and --rounds must be positive.");
            PrintMachine();
            if (parse.GetValue(threads) is > 0 and var t) TorchSharp.torch.set_num_threads(t);
            var decoded = DecodedDatasetCache.Load(DatasetReader.Read(parse.GetValue(data)!));
            var rows = TrainingThroughput.InterleavedTrainRows(decoded);
            int trainSteps = parse.GetValue(trainBatches);
            var table = new Table().Border(TableBorder.Rounded).AddColumn(new TableColumn("pipeline").NoWrap())
                .AddColumns("architecture", "batch", "fp32 img/s", "bf16 img/s", "bf16 / fp32");
            // Whole training steps get their own table, so each fits a log's 80 columns.
            var training = new Table().Border(TableBorder.Rounded).AddColumn(new TableColumn("pipeline").NoWrap())
                .AddColumns("batch", "training fp32 img/s", "training bf16 img/s", "bf16 / fp32");
            foreach (var name in parse.GetValue(pipelines)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var options = PipelineOptions.LoadByNameOrPath(name);
                var fp32 = new List<double>();
                var bf16 = new List<double>();
                for (int round = 0; round < r; round++)
                {
                    fp32.Add(PrecisionThroughput.ForwardBackwardImagesPerSecond(options, decoded, rows, TorchSharp.torch.ScalarType.Float32, n));
                    bf16.Add(PrecisionThroughput.ForwardBackwardImagesPerSecond(options, decoded, rows, TorchSharp.torch.ScalarType.BFloat16, n));
                }
                double a = BenchMath.Median([.. fp32]), b = BenchMath.Median([.. bf16]);
                table.AddRow(Markup.Escape(options.Name), options.Architecture, options.BatchSize.ToString(), $"{a:F1}", $"{b:F1}", $"{b / a:F2}×");
                if (trainSteps > 0)
                {
                    // Whole steps through the trainer (batch assembly, augmentation, Adam on fp32 master weights), alternating.
                    TrainingThroughput.Measure(name, decoded, rows, 2, parse.GetValue(threads), TrainingPrecision.Bf16); // warm-up
                    var trainFp32 = new List<double>();
                    var trainBf16 = new List<double>();
                    for (int round = 0; round < r; round++)
                    {
                        trainFp32.Add(TrainingThroughput.Measure(name, decoded, rows, trainSteps, parse.GetValue(threads), TrainingPrecision.Fp32));
                        trainBf16.Add(TrainingThroughput.Measure(name, decoded, rows, trainSteps, parse.GetValue(threads), TrainingPrecision.Bf16));
                    }
                    double c = BenchMath.Median([.. trainFp32]), d = BenchMath.Median([.. trainBf16]);
                    training.AddRow(Markup.Escape(options.Name), options.BatchSize.ToString(), $"{c:F1}", $"{d:F1}", $"{d / c:F2}×");
                }
            }
            AnsiConsole.MarkupLine("forward + backward:");
            AnsiConsole.Write(table);
            if (trainSteps > 0)
            {
                AnsiConsole.MarkupLine("whole training steps:");
                AnsiConsole.Write(training);
            }
            AnsiConsole.MarkupLine($"fwd+bwd: {n} steps a round, forward + backward only (no optimizer, augmentation or batch assembly), the " +
                $"whole network in bf16 with the loss in fp32. training: {trainSteps} optimizer steps a round through the trainer, bf16 = the " +
                $"pipeline key precision bf16 (convolutions and dense layers in bf16 on a copy of the network; fp32 master weights, BatchNorm and Adam" +
                $"{(Bf16Support.OnThisCpu ? "" : "; this CPU has no bf16 kernels, so the trainer falls back to fp32")}). Median of {r} " +
                $"alternating rounds, {Environment.ProcessorCount} cores.");
            return ExitCodes.Success;
        }));
        return command;
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
