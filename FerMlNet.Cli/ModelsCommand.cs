using System.CommandLine;
using System.Text.Json;
using FerMlNet.Preprocessing;
using FerMlNet.Core.IO;
using FerMlNet.Training.Engine;
using FerMlNet.Training.Models;
using Spectre.Console;

namespace FerMlNet.Cli;

/// <summary>`fer models`: every pipeline with its parameter counts (Keras-style, BN moving statistics included).</summary>
internal static class ModelsCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print as JSON." };
        var dir = new Option<string>("--pipelines") { Description = "Folder of pipeline files.", DefaultValueFactory = _ => PipelineCatalog.Folder };
        var cmd = new Command("models", "List every pipeline: name, description, architecture, parameters.") { json, dir };
        cmd.SetAction(parse => FerCommandLine.Guard(() =>
        {
            var rows = List(parse.GetValue(dir)!);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(rows, ReportJson.IndentedCamelCase));
                return ExitCodes.Success;
            }
            var table = new Table().Border(TableBorder.Rounded)
                .AddColumns("pipeline", "architecture", "params", "trainable", "MFLOP / face", "description");
            foreach (var r in rows)
                table.AddRow(Markup.Escape(r.Name), Markup.Escape(r.Architecture), $"{r.Params:N0}", $"{r.TrainableParams:N0}",
                    r.ForwardFlopsPerFace is { } f ? $"{f / 1e6:N0}" : "–", Markup.Escape(r.Description));
            AnsiConsole.Write(table);
            return ExitCodes.Success;
        }));
        return cmd;
    }

    public static List<PipelineListing> List(string pipelinesDirectory)
    {
        if (!Directory.Exists(pipelinesDirectory))
            throw new DirectoryNotFoundException($"Pipeline folder '{pipelinesDirectory}' does not exist.");
        var counts = new Dictionary<string, (long, long)>();
        var rows = new List<PipelineListing>();
        foreach (var file in PipelineCatalog.Files(pipelinesDirectory))
        {
            var p = PipelineOptions.Load(file);
            var key = $"{p.Architecture}|{string.Join(',', p.Dropout ?? [])}|{p.Transfer?.Head}";
            if (p.Transfer is { } transfer)
                counts[key] = (FerMlNet.Training.Transfer.TransferTrainer.HeadParameterCount(transfer.Head), FerMlNet.Training.Transfer.TransferTrainer.HeadParameterCount(transfer.Head));
            if (!counts.TryGetValue(key, out var c))
            {
                using var net = ModelZoo.Create(p.Architecture, p.Dropout, p.L2);
                counts[key] = c = net.CountParameters();
            }
            rows.Add(new PipelineListing(p.Name, Path.GetRelativePath(pipelinesDirectory, file).Replace('\\', '/'), p.Description,
                p.Architecture, c.Item1, c.Item2, FerMlNet.Training.Bench.TrainingThroughput.ForwardFlops(p),
                ModelZoo.All.TryGetValue(p.Architecture, out var zoo) ? zoo.NotebookParameters : null));
        }
        return rows;
    }
}

/// <summary>One pipeline in <c>fer models</c> (a row of the table, an element of --json).</summary>
/// <param name="Name">The pipeline's name.</param>
/// <param name="File">Its file, relative to the pipelines folder.</param>
/// <param name="Description">What it is and why.</param>
/// <param name="Architecture">Its network.</param>
/// <param name="Params">Parameters.</param>
/// <param name="TrainableParams">Of those, trained.</param>
/// <param name="ForwardFlopsPerFace">Forward-pass FLOPs per 48×48 face (null where not counted, e.g. transfer).</param>
/// <param name="NotebookParams">The notebook's Keras parameter count for the same network, where it has one.</param>
public sealed record PipelineListing(string Name, string File, string Description, string Architecture, long Params,
    long TrainableParams, long? ForwardFlopsPerFace, long? NotebookParams);
