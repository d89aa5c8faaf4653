using System.CommandLine;
using System.Text.Json;
using FerMlNet.Preprocessing;
using FerMlNet.Core.Data;
using FerMlNet.Core.IO;
using FerMlNet.Cli.Bench;
using Spectre.Console;

namespace FerMlNet.Cli;

/// <summary>
/// `fer bench scale`: how the cost of each step grows with the data. Builds the dataset at several multiples
/// (ScaleDataset: originals plus augmented replicas), runs load (`data stats`), audit, train (one epoch of the
/// small pipeline) and score as child processes with a cold decode cache, and prints wall time, µs per image, peak
/// memory and the growth exponent between factors (1 = linear; n log n shows as slightly above 1).
/// </summary>
internal static class ScaleBenchCommand
{
    private static readonly string[] AllSteps = ["load", "audit", "train", "score"];

    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "Dataset to replicate.", DefaultValueFactory = _ => "datasets/fer4-mit" };
        var factors = new Option<string>("--factors") { Description = "Comma-separated multiples of the dataset.", DefaultValueFactory = _ => "1,4,16" };
        var steps = new Option<string>("--steps") { Description = "Comma-separated steps: load, audit, train, score.", DefaultValueFactory = _ => string.Join(',', AllSteps) };
        var work = new Option<string>("--work") { Description = "Folder for the replicated trees and outputs (removed afterwards unless --keep).", DefaultValueFactory = _ => "runs/bench-scale" };
        var keep = new Option<bool>("--keep") { Description = "Keep the replicated trees." };
        var json = new Option<string?>("--json") { Description = "Also write the results as JSON to this file." };
        var command = new Command("scale", "Time and peak memory of load, audit, train and score at multiples of the dataset, with growth exponents.")
        {
            data, factors, steps, work, keep, json,
        };
        command.SetAction(parse => FerCommandLine.Guard(() =>
        {
            BenchCommand.PrintMachine();
            var multiples = parse.GetValue(factors)!.Split(',', StringSplitOptions.RemoveEmptyEntries)
                .Select(f => int.TryParse(f, out int v) && v >= 1 ? v : throw new UsageException($"--factors: '{f}' is not a whole number ≥ 1."))
                .Order().ToArray();
            var chosen = parse.GetValue(steps)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            foreach (var s in chosen)
                if (!AllSteps.Contains(s)) throw new UsageException($"--steps: unknown step '{s}' (known: {string.Join(", ", AllSteps)}).");
            var source = DatasetReader.Read(parse.GetValue(data)!);
            var root = Path.GetFullPath(parse.GetValue(work)!);
            if (Directory.Exists(root) && Directory.EnumerateFileSystemEntries(root).Any())
                throw new UsageException($"--work '{root}' is not empty; choose another folder or remove it.");
            var fer = typeof(ScaleBenchCommand).Assembly.Location;
            var rows = new List<ScaleRow>();
            try
            {
                foreach (int k in multiples)
                {
                    var tree = Path.Combine(root, $"x{k}");
                    int images = ScaleDataset.Build(source, tree, k);
                    AnsiConsole.MarkupLine($"[grey]{k}×: {images:N0} images in {Markup.Escape(tree)}[/]");
                    foreach (var step in chosen)
                    {
                        var output = Path.Combine(root, $"{step}-x{k}");
                        var env = new Dictionary<string, string> { ["FER_CACHE_DIR"] = Path.Combine(root, $"cache-{step}-x{k}") };
                        var (seconds, peak, exit) = MeasuredProcess.Run("dotnet", [fer, .. StepArguments(step, tree, output)],
                            output + ".log", env);
                        rows.Add(new ScaleRow(step, k, images, seconds, peak, exit));
                        AnsiConsole.MarkupLine($"[grey]  {step}: {seconds:F1} s, peak {peak / 1e6:F0} MB, exit {exit}[/]");
                    }
                    if (!parse.GetValue(keep)) Directory.Delete(tree, recursive: true);
                }
            }
            finally
            {
                if (!parse.GetValue(keep))
                    foreach (var cache in Directory.Exists(root) ? Directory.GetDirectories(root, "cache-*") : [])
                        Directory.Delete(cache, recursive: true);
            }
            Print(rows);
            if (parse.GetValue(json) is { } path)
                AtomicFile.WriteAllText(path, JsonSerializer.Serialize(rows, ReportJson.IndentedCamelCase));
            return rows.All(r => r.ExitCode is ExitCodes.Success or ExitCodes.ItemFailed) ? ExitCodes.Success : ExitCodes.DataError;
        }));
        return command;
    }

    /// <summary>The `fer` arguments of one step on a tree; each writes only under <paramref name="output"/>.</summary>
    private static string[] StepArguments(string step, string tree, string output) => step switch
    {
        "load" => ["data", "stats", tree],
        "audit" => ["data", "audit", tree, "--out", output],
        "train" => ["train", "pipelines/product/mislabel-fast.json", "--data", tree, "--epochs", "1", "--out", output],
        _ => ["score", tree, "--out", output + ".csv"],
    };

    private static void Print(List<ScaleRow> rows)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumns("step", "factor", "images", "wall s", "µs / image", "peak MB", "growth exponent", "exit");
        foreach (var group in rows.GroupBy(r => r.Step))
        {
            ScaleRow? previous = null;
            foreach (var r in group)
            {
                string exponent = previous is null ? "" :
                    $"{Math.Log(r.Seconds / previous.Seconds) / Math.Log((double)r.Images / previous.Images):F2}";
                table.AddRow(r.Step, $"{r.Factor}×", $"{r.Images:N0}", $"{r.Seconds:F1}", $"{r.Seconds * 1e6 / r.Images:F0}",
                    $"{r.PeakBytes / 1e6:F0}", exponent, r.ExitCode.ToString());
                previous = r;
            }
        }
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine("Growth exponent: log(time ratio) / log(image ratio) against the previous factor; 1.0 is linear. " +
            "Each step is a fresh `fer` process with a cold decode cache; one run on a shared machine.");
    }

    /// <summary>One step at one factor.</summary>
    internal sealed record ScaleRow(string Step, int Factor, int Images, double Seconds, long PeakBytes, int ExitCode);
}
