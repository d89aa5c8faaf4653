using System.Diagnostics;
using FerMlNet.Core.Data;
using FerMlNet.Preprocessing;
using FerMlNet.Training.Engine;
using FerMlNet.Training.Models;
using static TorchSharp.torch;

namespace FerMlNet.Training.Bench;

/// <summary>
/// What the training benchmarks share: the same real faces in the same order for every contender, FerMlNet's
/// training img/s for a number of optimizer steps, and this CPU's measured GEMM rate for the FLOP bound.
/// </summary>
internal static class TrainingThroughput
{
    /// <summary>Train-split rows with the classes interleaved (happy, neutral, sad, surprise, happy, ...) so any prefix holds all four.</summary>
    public static int[] InterleavedTrainRows(DecodedDataset decoded) =>
        decoded.IndicesOf(DatasetSplit.Train).GroupBy(i => decoded.Labels[i])
            .SelectMany(g => g.Select((i, k) => (i, k))).OrderBy(x => x.k).ThenBy(x => decoded.Labels[x.i])
            .Select(x => x.i).ToArray();

    /// <summary>
    /// FerMlNet's training img/s over <paramref name="batches"/> optimizer steps on the first rows, one epoch of a
    /// fresh network, measured by the trainer's own epoch clock (batch assembly, augmentation, forward, loss, backward,
    /// Adam; validation excluded), in the pipeline's precision or <paramref name="precision"/>. A caller runs a short
    /// warm-up first.
    /// </summary>
    public static double Measure(string pipeline, DecodedDataset decoded, int[] rows, int batches, int threads,
        TrainingPrecision? precision = null)
    {
        var options = PipelineOptions.LoadByNameOrPath(pipeline);
        options.Precision = precision ?? options.Precision;
        options.Epochs = 1;
        options.EarlyStopping = null;
        int count = Math.Min(rows.Length, batches * options.BatchSize);
        using var trainData = TrainingData.From(decoded, rows[..count]);
        using var validation = TrainingData.From(decoded, rows[..options.BatchSize]);
        var result = CnnTrainer.Train(options, trainData, validation, new TrainerRunOptions { Threads = threads });
        result.Network.Dispose();
        return result.State.History[0].ImagesPerSecond;
    }

    /// <summary>
    /// Forward FLOPs per image of a pipeline's network, or null for a transfer pipeline (its frozen backbone is an
    /// ONNX graph, not a network of the model zoo).
    /// </summary>
    public static long? ForwardFlops(PipelineOptions options) =>
        ModelZoo.All.TryGetValue(options.Architecture, out var arch) ? FlopCount.Forward(arch.Layers(options.Dropout, options.L2), arch.InputChannels) : null;

    /// <summary>
    /// Measured single-precision GEMM rate (FLOP/s) of libtorch on this CPU with the given threads: the best of
    /// several 1024×1024 products, the ceiling a convolution lowered to GEMM can reach.
    /// </summary>
    public static double GemmFlopsPerSecond(int threads, ScalarType precision = ScalarType.Float32)
    {
        if (threads > 0) set_num_threads(threads);
        const int n = 1024;
        using var a = rand(n, n, dtype: precision);
        using var b = rand(n, n, dtype: precision);
        for (int i = 0; i < 3; i++) matmul(a, b).Dispose(); // warm-up
        double best = 0;
        for (int round = 0; round < 5; round++)
        {
            var clock = Stopwatch.StartNew();
            const int reps = 10;
            for (int i = 0; i < reps; i++) matmul(a, b).Dispose();
            best = Math.Max(best, reps * 2.0 * n * n * n / clock.Elapsed.TotalSeconds);
        }
        return best;
    }
}
