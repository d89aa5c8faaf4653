using System.Diagnostics;
using FerMlNet.Core.Data;
using FerMlNet.Training.Engine;
using FerMlNet.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace FerMlNet.Training.Bench;

/// <summary>
/// The compute core of a training step — forward and backward of a pipeline's network on a batch of real faces — in a
/// given floating-point precision, for `fer bench precision`. No optimizer, augmentation or batch assembly: what bf16
/// kernels could change. TorchSharp 0.107 has no autocast, so the bf16 case runs the whole network in bf16 (the loss is
/// taken in fp32), the upper bound of a bf16 scheme that keeps fp32 master weights.
/// </summary>
internal static class PrecisionThroughput
{
    /// <summary>Images per second of forward + backward at the pipeline's batch size, over <paramref name="steps"/> steps after 2 warm-up steps.</summary>
    public static double ForwardBackwardImagesPerSecond(PipelineOptions options, DecodedDataset decoded, int[] rows, ScalarType precision, int steps)
    {
        manual_seed(options.Seed);
        using var network = ModelZoo.Create(options.Architecture, options.Dropout, options.L2, options.BatchNormMomentum);
        network.to(precision);
        network.train();
        int batch = Math.Min(options.BatchSize, rows.Length);
        using var data = TrainingData.From(decoded, rows[..batch]);
        using var all = arange(0, batch, dtype: ScalarType.Int64);
        using var images = CnnTrainer.Batch(data, all, network.InputChannels, CPU).to(precision);
        using var labels = data.Labels.index_select(0, all);
        void Step()
        {
            using var scope = NewDisposeScope();
            network.zero_grad();
            var loss = nn.functional.cross_entropy(network.forward(images).to(ScalarType.Float32), labels);
            loss.backward();
        }
        for (int i = 0; i < 2; i++) Step();
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < steps; i++) Step();
        return steps * batch / clock.Elapsed.TotalSeconds;
    }
}
