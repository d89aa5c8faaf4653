using System.CommandLine;
using System.Text.Json;
using FerMlNet.Core.Data;
using FerMlNet.Core.IO;
using FerMlNet.Preprocessing;
using FerMlNet.Training.Bench;
using FerMlNet.Cli.Bench;
using FerMlNet.Training.Engine;
using FerMlNet.Training.Models;
using Spectre.Console;

namespace FerMlNet.Cli;

/// <summary>
/// `fer bench peer`: FerMlNet's training throughput against the same network written in PyTorch (Bench/pytorch_peer.py,
/// run by Debian's python3-torch), on the same faces, batch, augmentation, loss, L2 and Adam, the same threads and
/// the same malloc tuning, in alternating rounds of one run; plus the FLOP bound (forward FLOPs × 3 per image against
/// this CPU's measured GEMM rate), so "fast" is judged against the hardware as well as against the peer.
/// </summary>
internal static class PeerBenchCommand
{
    public static Command Create()
    {
        var pipelines = new Option<string>("--pipelines") { Description = "Comma-separated pipeline names or files.", DefaultValueFactory = _ => "model-bplusplus,model-d,model-0" };
        var steps = new Option<int>("--steps") { Description = "Measured optimizer steps per run (after 2 warm-up steps).", DefaultValueFactory = _ => 20 };
        var rounds = new Option<int>("--rounds") { Description = "Alternating rounds (FerMlNet, PyTorch, then PyTorch, FerMlNet, ...); medians are compared.", DefaultValueFactory = _ => 2 };
        var data = new Option<string>("--data") { Description = "Dataset whose train images both sides use.", DefaultValueFactory = _ => "datasets/fer4-mit" };
        var threads = new Option<int>("--threads") { Description = "Intra-op threads on both sides (0 = one per core)." };
        var python = new Option<string>("--python") { Description = "Python with PyTorch (Debian: apt-get install python3-torch libopenblas0).", DefaultValueFactory = _ => "/usr/bin/python3" };
        var untuned = new Option<bool>("--untuned-peer") { Description = "Also run PyTorch without the malloc tuning (shows what the tuning is worth)." };
        var json = new Option<string?>("--json") { Description = "Also write the results as JSON to this file." };
        var command = new Command("peer", "Training img/s of FerMlNet vs the same network in PyTorch, and both against the FLOP bound.")
        {
            pipelines, steps, rounds, data, threads, python, untuned, json,
        };
        command.SetAction(parse => FerCommandLine.Guard(() =>
        {
            int n = parse.GetValue(steps), threadCount = parse.GetValue(threads);
            if (n < 1 || parse.GetValue(rounds) < 1) throw new UsageException("--steps and --rounds must be positive.");
            if (threadCount <= 0) threadCount = Environment.ProcessorCount;
            var script = Path.Combine(AppContext.BaseDirectory, "Bench", "pytorch_peer.py");
            var peer = new PyTorchPeer(parse.GetValue(python)!, script);
            var decoded = DecodedDatasetCache.Load(DatasetReader.Read(parse.GetValue(data)!));
            var rows = TrainingThroughput.InterleavedTrainRows(decoded);
            var machine = BenchCommand.PrintMachine();
            double gemm = TrainingThroughput.GemmFlopsPerSecond(threadCount);
            var work = Directory.CreateTempSubdirectory("fer-bench-peer-").FullName;
            var results = new List<PeerResult>();
            try
            {
                foreach (var name in parse.GetValue(pipelines)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    var options = PipelineOptions.LoadByNameOrPath(name);
                    var arch = ModelZoo.All[options.Architecture];
                    var layers = arch.Layers(options.Dropout, options.L2);
                    string spec = peer.WriteSpec(work, options, layers, arch.InputChannels, decoded, rows, n, threadCount);
                    var fer = new List<double>();
                    var torch = new List<double>();
                    TrainingThroughput.Measure(name, decoded, rows, 2, threadCount); // warm-up
                    for (int r = 0; r < parse.GetValue(rounds); r++)
                    {
                        void Fer() => fer.Add(TrainingThroughput.Measure(name, decoded, rows, n, threadCount));
                        void Torch() => torch.Add(peer.Run(spec, tuned: true).ImagesPerSecond);
                        if (r % 2 == 0) { Fer(); Torch(); } else { Torch(); Fer(); }
                        AnsiConsole.MarkupLine($"[grey]{Markup.Escape(options.Name)} round {r + 1}: FerMlNet {fer[^1]:F1} img/s, PyTorch {torch[^1]:F1} img/s[/]");
                    }
                    double? untunedRate = parse.GetValue(untuned) ? peer.Run(spec, tuned: false).ImagesPerSecond : null;
                    long flops = TrainingThroughput.ForwardFlops(options)!.Value;
                    results.Add(new PeerResult(options.Name, options.Architecture, options.BatchSize, n, fer, torch,
                        BenchMath.Median(fer), BenchMath.Median(torch), BenchMath.Median(fer) / BenchMath.Median(torch), untunedRate, flops, gemm / (3.0 * flops)));
                }
            }
            finally { Directory.Delete(work, recursive: true); }
            Print(results, gemm, threadCount, peer.Version);
            if (parse.GetValue(json) is { } path)
                AtomicFile.WriteAllText(path, JsonSerializer.Serialize(new { machine, gemmGflops = gemm / 1e9, threads = threadCount, peer = peer.Version, results },
                    ReportJson.IndentedCamelCase));
            return ExitCodes.Success;
        }));
        return command;
    }

    private static void Print(List<PeerResult> results, double gemm, int threads, string peerVersion)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumns("pipeline", "fwd MFLOP/img", "FerMlNet img/s",
            "PyTorch img/s", "ratio", "FLOP bound img/s", "FerMlNet / bound");
        foreach (var r in results)
            table.AddRow(Markup.Escape(r.Pipeline), $"{r.ForwardFlops / 1e6:F0}", $"{r.FerMlNet:F1}",
                $"{r.PyTorch:F1}" + (r.PyTorchUntuned is { } u ? $" (untuned {u:F1})" : ""), $"{r.Ratio:F2}×",
                $"{r.FlopBound:F1}", $"{r.FerMlNet / r.FlopBound:P0}");
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"Batch 64, {threads} threads both sides, glibc malloc tuned both sides; GEMM {gemm / 1e9:F1} GFLOP/s " +
            $"(libtorch, 1024² fp32); peer {Markup.Escape(peerVersion)}; medians of alternating rounds in one run.");
    }

    /// <summary>One pipeline's result; rates in training images per second.</summary>
    internal sealed record PeerResult(string Pipeline, string Architecture, int BatchSize, int Steps,
        List<double> FerMlNetRounds, List<double> PyTorchRounds, double FerMlNet, double PyTorch, double Ratio,
        double? PyTorchUntuned, long ForwardFlops, double FlopBound);
}
