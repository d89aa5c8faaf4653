using FerMlNet.Core;
using FerMlNet.Preprocessing;
using FerMlNet.Scoring;
using FerMlNet.Training.Models;
using static TorchSharp.torch;

namespace FerMlNet.Training.Engine;

/// <summary>
/// What a distilled student learns from (<see cref="DistillationOptions"/>): either trained networks, frozen and in eval
/// mode, whose averaged logits are computed on each augmented batch, or a published model's answers for every
/// training face, computed once (row i of the cache belongs to training image i).
/// </summary>
internal sealed class TeacherEnsemble : IDisposable
{
    /// <summary>Published models answer with probabilities; a probability this small stands for "never" in log space.</summary>
    private const float ProbabilityFloor = 1e-6f;

    private readonly IReadOnlyList<FerNet> _networks;
    private readonly Tensor? _cachedLogits;

    private TeacherEnsemble(IReadOnlyList<FerNet> networks, Tensor? cachedLogits)
    {
        _networks = networks;
        _cachedLogits = cachedLogits;
    }

    /// <summary>No teacher: the pipeline does not distil.</summary>
    public static TeacherEnsemble None() => new([], null);

    /// <summary>Trained networks as teachers (their logits averaged on each batch the student sees).</summary>
    public static TeacherEnsemble OfNetworks(IReadOnlyList<FerNet> networks) => new(networks, null);

    /// <summary>
    /// A published FerMlNet model as the teacher: its log-probabilities for every unaugmented face of
    /// <paramref name="train"/>, through the same ONNX Runtime path and preprocessing contract as `fer score`.
    /// </summary>
    /// <exception cref="FileNotFoundException">The model file is missing.</exception>
    /// <exception cref="InvalidDataException">The file is not a FerMlNet model.</exception>
    public static TeacherEnsemble OfPublishedModel(string modelPath, TrainingData train, Device device)
    {
        const int chunk = 256;
        using var predictor = FerPredictor.Load(modelPath);
        var pixels = train.Images.contiguous().data<byte>().ToArray();
        var logits = new float[train.Count * EmotionClasses.Count];
        for (int start = 0; start < train.Count; start += chunk)
        {
            int n = Math.Min(chunk, train.Count - start);
            var faces = Enumerable.Range(start, n)
                .Select(i => pixels.AsSpan(i * PreprocessingContract.PixelCount, PreprocessingContract.PixelCount).ToArray())
                .ToList();
            var answers = predictor.PredictBatch(faces);
            for (int i = 0; i < n; i++)
                for (int c = 0; c < EmotionClasses.Count; c++)
                    logits[(start + i) * EmotionClasses.Count + c] = MathF.Log(Math.Max(answers[i].Probabilities[c], ProbabilityFloor));
        }
        return new TeacherEnsemble([], tensor(logits, [train.Count, EmotionClasses.Count]).to(device));
    }

    /// <summary>
    /// The distillation term for one training batch: <paramref name="rows"/> are the batch's training-image indices,
    /// <paramref name="input"/> what the student saw (augmented, perhaps mixed, as <paramref name="mixed"/> says).
    /// </summary>
    public Tensor Loss(Tensor studentLogits, Tensor input, Tensor rows, MixedBatch? mixed, double temperature)
    {
        if (_cachedLogits is null)
            return Losses.Distillation(studentLogits, NetworkLogits(input), temperature);
        Tensor TermFor(Tensor trainingRows) =>
            Losses.Distillation(studentLogits, _cachedLogits.index_select(0, trainingRows), temperature);
        // KL to a blend of two targets differs from the blend of the two KLs by the targets' entropy only, which has
        // no gradient: the mixed batch's own loss rule (λ · own + (1 − λ) · partner's), applied to the training rows as
        // it is to the labels, gives the student the blend.
        var batchRows = rows.to(_cachedLogits.device);
        return mixed is { } m ? m.Loss(TermFor, batchRows) : TermFor(batchRows);
    }

    /// <summary>The mean of the teacher networks' logits for a batch of the student's input, without gradients.</summary>
    private Tensor NetworkLogits(Tensor images)
    {
        if (_networks.Count == 0) throw new InvalidOperationException("no teachers");
        using var _ = no_grad();
        return stack(_networks.Select(t => t.forward(InChannels(images, t.InputChannels))).ToArray()).mean([0]);
    }

    /// <summary>The batch with the teacher's channel count: gray replicated for RGB teachers, or one of the identical gray channels.</summary>
    private static Tensor InChannels(Tensor images, int channels) => images.shape[1] == channels
        ? images
        : channels == 1 ? images.narrow(1, 0, 1) : images.expand(-1, channels, -1, -1).contiguous();

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var t in _networks) t.Dispose();
        _cachedLogits?.Dispose();
    }
}
