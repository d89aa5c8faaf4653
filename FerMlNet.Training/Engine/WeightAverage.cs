using FerMlNet.Training.Models;
using static TorchSharp.torch;

namespace FerMlNet.Training.Engine;

/// <summary>
/// An exponential moving average of the network's weights and BatchNorm statistics (Polyak averaging, as
/// tf.train.ExponentialMovingAverage and timm's ModelEma keep it), updated after every optimiser step. Training never
/// sees it — the trajectory is the same as without it — while validation, best-epoch choice and the kept model use it:
/// the steps wander around a minimum and their average sits nearer its centre. Measured here (experiment 26 of docs/model-quality.md) that
/// pays while the learning rate is still large (+2.3 points mid-schedule) and hardly at the end of a full cosine decay,
/// whose own steps are already small.
/// </summary>
internal sealed class WeightAverage : IDisposable
{
    /// <summary>Prefix of the average's tensors in a checkpoint, so --resume continues the same average.</summary>
    public const string Prefix = "average.";

    private readonly double _decay;
    private readonly List<(string Name, Tensor Live, Tensor Average)> _tensors;

    /// <summary>Starts the average at the network's current weights.</summary>
    public WeightAverage(FerNet network, WeightAverageOptions options)
    {
        _decay = options.Decay;
        _tensors = network.state_dict().Select(kv => (kv.Key, kv.Value, kv.Value.detach().clone())).ToList();
    }

    /// <summary>The averaged tensors under checkpoint names.</summary>
    public IEnumerable<(string Name, Tensor Tensor)> CheckpointTensors => _tensors.Select(t => (Prefix + t.Name, t.Average));

    /// <summary>
    /// Folds the network's current state in after optimiser step <paramref name="step"/> (1-based). The decay ramps up
    /// as min(decay, (1 + step) / (10 + step)), TensorFlow's num_updates rule, so the random start fades out quickly.
    /// Integer buffers (BatchNorm's batch counter) are copied.
    /// </summary>
    public void Update(long step)
    {
        double decay = Math.Min(_decay, (1.0 + step) / (10.0 + step));
        using var _ = no_grad();
        foreach (var (_, live, average) in _tensors)
        {
            if (average.is_floating_point()) average.mul_(decay).add_(live, alpha: 1 - decay);
            else average.copy_(live);
        }
    }

    /// <summary>
    /// Puts the averaged weights into the network until the result is disposed, which puts the trained weights back
    /// (for validation and for keeping the best epoch).
    /// </summary>
    public IDisposable Applied()
    {
        Swap();
        return new Restore(this);
    }

    private void Swap()
    {
        using var _ = no_grad();
        foreach (var (_, live, average) in _tensors)
        {
            using var held = live.clone();
            live.copy_(average);
            average.copy_(held);
        }
    }

    private sealed class Restore(WeightAverage owner) : IDisposable
    {
        private bool _done;

        public void Dispose()
        {
            if (_done) return;
            _done = true;
            owner.Swap();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var (_, _, average) in _tensors) average.Dispose();
    }
}
