using System.Diagnostics;
using System.Text.Json;
using FerMlNet.Core.Data;
using FerMlNet.Core.IO;
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
    // The keys pytorch_peer.py reads: camelCase, nulls written.
    private static readonly JsonSerializerOptions SpecJson = new(JsonSerializerDefaults.Web);

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
            AtomicFile.WriteAllBytes(data, bytes); // whole or absent: a later run reuses the file when it exists
        }
        float[]? weights = options.ClassWeights == ClassWeighting.Balanced
            ? Losses.BalancedClassWeights(rows[..count].Select(r => decoded.Labels[r]).ToArray()) : null;
        var spec = new PeerSpec(data, count, steps, Warmup: 2, threads, options.Seed, options.BatchSize, options.LearningRate,
            inputChannels, weights,
            options.Augmentation is { } a ? new PeerAugmentation(a.Flip, a.Rotation, a.Zoom, a.Contrast) : null,
            new PeerLoss(WireName.Of(options.Loss.Type), options.Loss.LabelSmoothing, options.Loss.Gamma, options.Loss.Alpha),
            [.. layers.Select(l => new PeerLayer(l.Name, l.Kind.ToString(), l.Units, l.Rate, l.L2))]);
        var path = Path.Combine(folder, options.Name + ".json");
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(spec, SpecJson));
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

/// <summary>The spec file pytorch_peer.py trains from.</summary>
/// <param name="Data">The faces file: raw 48×48 uint8 images, then one label byte each.</param>
/// <param name="Count">Faces in it.</param>
/// <param name="Steps">Timed optimizer steps.</param>
/// <param name="Warmup">Untimed steps first.</param>
/// <param name="Threads">Torch threads.</param>
/// <param name="Seed">Seed of the peer's initialisation and shuffles.</param>
/// <param name="BatchSize">Faces a step.</param>
/// <param name="LearningRate">Adam's learning rate.</param>
/// <param name="InputChannels">1 (gray) or 3 (the gray channel repeated).</param>
/// <param name="ClassWeights">Loss weight per class (null: unweighted).</param>
/// <param name="Augmentation">The pipeline's augmentation (null: none).</param>
/// <param name="Loss">The pipeline's loss.</param>
/// <param name="Layers">The network, layer by layer.</param>
internal sealed record PeerSpec(string Data, int Count, int Steps, int Warmup, int Threads, int Seed, int BatchSize,
    double LearningRate, int InputChannels, float[]? ClassWeights, PeerAugmentation? Augmentation, PeerLoss Loss,
    IReadOnlyList<PeerLayer> Layers);

/// <summary>The augmentation of a <see cref="PeerSpec"/>.</summary>
internal sealed record PeerAugmentation(bool Flip, double Rotation, double Zoom, double Contrast);

/// <summary>The loss of a <see cref="PeerSpec"/> (its wire name and settings).</summary>
internal sealed record PeerLoss(string Type, double LabelSmoothing, double Gamma, double Alpha);

/// <summary>One layer of a <see cref="PeerSpec"/>.</summary>
internal sealed record PeerLayer(string Name, string Kind, int Units, double Rate, double L2);
