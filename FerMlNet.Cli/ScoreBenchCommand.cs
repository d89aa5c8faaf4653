using System.CommandLine;
using System.Diagnostics;
using FerMlNet.Core.Data;
using FerMlNet.Core.IO;
using FerMlNet.Preprocessing;
using FerMlNet.Scoring;
using FerMlNet.Lifecycle.BatchScoring;
using FerMlNet.Cli.Bench;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Spectre.Console;

namespace FerMlNet.Cli;

/// <summary>
/// `fer bench score`: end-to-end `fer score` (list files, read, decode, contract, batched ONNX Runtime, CSV) against raw
/// ONNX Runtime inference on the same images already preprocessed into tensors — the hardware's pace for this network
/// — alternating the two, in one run, and printing the ratio (goal ≥ 0.9).
/// </summary>
internal static class ScoreBenchCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "Folder of images (recursive).", DefaultValueFactory = _ => "datasets/fer4-mit" };
        var limit = new Option<int>("--limit") { Description = "Images used (the first N in path order; 0 = all).", DefaultValueFactory = _ => 4000 };
        var model = new Option<string>("--model") { Description = "An .onnx network (raw ORT needs the graph itself).", DefaultValueFactory = _ => "models/fer-default.onnx" };
        var rounds = new Option<int>("--rounds") { Description = "Alternating rounds of both; the medians are compared.", DefaultValueFactory = _ => 2 };
        var command = new Command("score", "End-to-end fer score img/s against raw ONNX Runtime on preprocessed tensors, and the ratio.")
        {
            data, limit, model, rounds,
        };
        command.SetAction(parse => FerCommandLine.Guard(() =>
        {
            BenchCommand.PrintMachine();
            var modelPath = parse.GetValue(model)!;
            if (!File.Exists(modelPath)) throw new FileNotFoundException($"Model '{modelPath}' does not exist.");
            var files = FileTree.Files(Path.GetFullPath(parse.GetValue(data)!)).Where(DatasetReader.IsImageFile).ToList();
            if (parse.GetValue(limit) > 0) files = files.Take(parse.GetValue(limit)).ToList();
            if (files.Count == 0) throw new DirectoryNotFoundException($"No images under '{parse.GetValue(data)}'.");
            var work = Directory.CreateTempSubdirectory("fer-bench-score-").FullName;
            try
            {
                var list = Path.Combine(work, "inputs.txt");
                File.WriteAllLines(list, files);
                var faces = files.AsParallel().AsOrdered().Select(f => { try { return FaceImageDecoder.DecodeFile(f); } catch (ImageDecodeException) { return null; } })
                    .Where(f => f is not null).Select(f => f!).ToList();
                InputFile.ThrowIfSpecial(modelPath, "Model ");
                using var session = new InferenceSession(modelPath, new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL });
                var tensors = faces.Chunk(64).Select(batch => FaceTensor.FromFaces(batch)).ToList();
                using var predictor = FerPredictor.Load(modelPath);
                var raw = new List<double>();
                var endToEnd = new List<double>();
                RunRaw(session, tensors.Take(2).ToList()); // warm-up
                for (int r = 0; r < parse.GetValue(rounds); r++)
                {
                    raw.Add(faces.Count / Time(() => RunRaw(session, tensors)));
                    var csv = Path.Combine(work, $"scores-{r}.csv");
                    endToEnd.Add(files.Count / Time(() => BatchScorer.Run(predictor, list, csv, new BatchScoreOptions())));
                }
                double rawMedian = BenchMath.Median(raw), e2eMedian = BenchMath.Median(endToEnd);
                var table = new Table().Border(TableBorder.Rounded).AddColumns("path", "img/s per round", "median img/s");
                table.AddRow("raw ONNX Runtime, preprocessed tensors, batch 64", string.Join(" / ", raw.Select(v => v.ToString("F0"))), $"{rawMedian:F0}");
                table.AddRow("fer score end to end (files → CSV)", string.Join(" / ", endToEnd.Select(v => v.ToString("F0"))), $"{e2eMedian:F0}");
                AnsiConsole.Write(table);
                AnsiConsole.MarkupLine($"ratio end-to-end / raw: [bold]{e2eMedian / rawMedian:F2}[/] (goal ≥ 0.9); {files.Count:N0} images, " +
                                       $"{Environment.ProcessorCount} cores, rounds alternate so both see the same machine.");
            }
            finally
            {
                Directory.Delete(work, recursive: true);
            }
            return ExitCodes.Success;
        }));
        return command;
    }

    private static void RunRaw(InferenceSession session, IReadOnlyList<DenseTensor<float>> tensors)
    {
        foreach (var tensor in tensors)
        {
            using var results = session.Run([NamedOnnxValue.CreateFromTensor(FerModelConventions.OnnxInputName, tensor)]);
        }
    }

    private static double Time(Action action)
    {
        var watch = Stopwatch.StartNew();
        action();
        return watch.Elapsed.TotalSeconds;
    }

}
