using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using FerMlNet.Core.Data;
using FerMlNet.Preprocessing;
using FerMlNet.Training.Engine;
using FerMlNet.Training.Models;

namespace FerMlNet.Cli.Bench;

/// <summary>
/// Runs Bench/pytorch_peer.py — the same network and training step in PyTorch — as a child process and reads its
/// img/s. The spec file carries the layer list, the training settings and the path of the faces (raw uint8 images,
/// then one label byte each), so both sides train on identical data.
/// </summary>
internal sealed class PyTorchPeer
{
    private readonly string _python, _script;

    public PyTorchPeer(string python, string script)
    {
        if (!File.Exists(script)) throw new FileNotFoundException($"PyTorch peer script '{script}' is missing from the build output.");
        _python = python;
        _script = script;
        var probe = RunProcess(["-c", "import torch; print(torch.__version__)"], out string error);
        if (probe is null)
            throw new InvalidOperationException($"'{python}' cannot import torch ({FirstLine(error)}). " +
                "Install the peer with: apt-get install -y python3-torch libopenblas0");
        Version = "PyTorch " + probe.Trim();
    }

    /// <summary>"PyTorch x.y.z" as the peer's Python reports it.</summary>
    public string Version { get; }

    /// <summary>Writes the faces (once per folder) and a spec for one pipeline; returns the spec's path.</summary>
    public string WriteSpec(string folder, PipelineOptions options, IReadOnlyList<LayerSpec> layers, int inputChannels,
        DecodedDataset decoded, int[] rows, int steps, int threads)
    {
        int count = Math.Min(rows.Length, steps * options.BatchSize);
        var data = Path.Combine(folder, $"faces-{count}.bin");
        if (!File.Exists(data))
        {
            const int size = PreprocessingContract.PixelCount;
            var bytes = new byte[count * (size + 1)];
            for (int j = 0; j < count; j++)
            {
                decoded.Pixels.AsSpan(rows[j] * size, size).CopyTo(bytes.AsSpan(j * size));
                bytes[count * size + j] = (byte)decoded.Labels[rows[j]];
            }
            File.WriteAllBytes(data, bytes);
        }
        float[]? weights = options.ClassWeights == ClassWeighting.Balanced
            ? Losses.BalancedClassWeights(rows[..count].Select(r => decoded.Labels[r]).ToArray()) : null;
        var spec = new JsonObject
        {
            ["data"] = data, ["count"] = count, ["steps"] = steps, ["warmup"] = 2, ["threads"] = threads,
            ["seed"] = options.Seed, ["batchSize"] = options.BatchSize, ["learningRate"] = options.LearningRate,
            ["inputChannels"] = inputChannels,
            ["classWeights"] = weights is null ? null : new JsonArray(weights.Select(w => (JsonNode)w).ToArray()),
            ["augmentation"] = options.Augmentation is { } a
                ? new JsonObject { ["flip"] = a.Flip, ["rotation"] = a.Rotation, ["zoom"] = a.Zoom, ["contrast"] = a.Contrast } : null,
            ["loss"] = new JsonObject
            {
                ["type"] = WireName.Of(options.Loss.Type), ["labelSmoothing"] = options.Loss.LabelSmoothing,
                ["gamma"] = options.Loss.Gamma, ["alpha"] = options.Loss.Alpha,
            },
            ["layers"] = new JsonArray(layers.Select(l => (JsonNode)new JsonObject
            {
                ["name"] = l.Name, ["kind"] = l.Kind.ToString(), ["units"] = l.Units, ["rate"] = l.Rate, ["l2"] = l.L2,
            }).ToArray()),
        };
        var path = Path.Combine(folder, options.Name + ".json");
        File.WriteAllText(path, spec.ToJsonString());
        return path;
    }

    /// <summary>Runs the peer on a spec, with or without the malloc tuning.</summary>
    public PeerRun Run(string specPath, bool tuned)
    {
        string[] arguments = tuned ? [_script, specPath] : [_script, specPath, "--untuned"];
        var output = RunProcess(arguments, out string error)
            ?? throw new InvalidOperationException($"PyTorch peer failed on {Path.GetFileName(specPath)}: {FirstLine(error)}");
        var last = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
        return JsonSerializer.Deserialize<PeerRun>(last, new JsonSerializerOptions { PropertyNameCaseInsensitive = true })
            ?? throw new InvalidDataException($"PyTorch peer printed no result: {last}");
    }

    private string? RunProcess(IEnumerable<string> arguments, out string error)
    {
        var start = new ProcessStartInfo(_python) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        try
        {
            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync();
            string stdout = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            error = stderr.Result;
            return process.ExitCode == 0 ? stdout : null;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            error = e.Message;
            return null;
        }
    }

    private static string FirstLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault()?.Trim() ?? "no output";

    /// <summary>What the peer script prints.</summary>
    internal sealed record PeerRun(double ImagesPerSecond, double Seconds, string Torch, int Threads, bool MallocTuned, string Blas, bool Mkldnn);
}
