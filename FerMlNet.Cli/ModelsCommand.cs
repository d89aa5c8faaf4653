using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
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
                Console.WriteLine(new JsonArray(rows.Select(r => (JsonNode)r).ToArray())
                    .ToJsonString(ReportJson.Indented));
                return ExitCodes.Success;
            }
            var table = new Table().Border(TableBorder.Rounded)
                .AddColumns("pipeline", "architecture", "params", "trainable", "MFLOP / face", "description");
            foreach (var r in rows)
                table.AddRow(Markup.Escape((string)r["name"]!), Markup.Escape((string)r["architecture"]!),
                    $"{(long)r["params"]!:N0}", $"{(long)r["trainableParams"]!:N0}",
                    r["forwardFlopsPerFace"] is { } f ? $"{(long)f / 1e6:N0}" : "–", Markup.Escape((string)r["description"]!));
            AnsiConsole.Write(table);
            return ExitCodes.Success;
        }));
        return cmd;
    }

    public static List<JsonObject> List(string pipelinesDirectory)
    {
        if (!Directory.Exists(pipelinesDirectory))
            throw new DirectoryNotFoundException($"Pipeline folder '{pipelinesDirectory}' does not exist.");
        var counts = new Dictionary<string, (long, long)>();
        var rows = new List<JsonObject>();
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
            rows.Add(new JsonObject
            {
                ["name"] = p.Name,
                ["file"] = Path.GetRelativePath(pipelinesDirectory, file).Replace('\\', '/'),
                ["description"] = p.Description,
                ["architecture"] = p.Architecture,
                ["params"] = c.Item1,
                ["trainableParams"] = c.Item2,
                ["forwardFlopsPerFace"] = FerMlNet.Training.Bench.TrainingThroughput.ForwardFlops(p),
                ["notebookParams"] = ModelZoo.All.TryGetValue(p.Architecture, out var zoo) ? zoo.NotebookParameters : null,
            });
        }
        return rows;
    }
}
