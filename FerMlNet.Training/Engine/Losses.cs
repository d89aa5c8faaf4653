using FerMlNet.Preprocessing;
using FerMlNet.Core;
using static TorchSharp.torch;

namespace FerMlNet.Training.Engine;

/// <summary>
/// Per-sample losses on logits, as the notebook's Keras losses define them. Class weights multiply each sample's loss
/// and the batch loss is the plain mean (Keras' sum_over_batch_size), not a weighted mean.
/// </summary>
internal static class Losses
{
    /// <summary>Keras backend epsilon, used by the focal loss clip.</summary>
    public const double KerasEpsilon = 1e-7;

    /// <summary>Per-sample loss against class indices (the targets are their one-hot vectors).</summary>
    public static Tensor PerSample(Tensor logits, Tensor labels, LossOptions options) =>
        PerSampleOnTargets(logits, OneHot(labels), options);

    /// <summary>The one-hot float targets of class indices.</summary>
    public static Tensor OneHot(Tensor labels) => nn.functional.one_hot(labels, EmotionClasses.Count).to_type(ScalarType.Float32);

    /// <summary>
    /// Per-sample loss against target distributions (N, 4), one-hot or soft (crowd votes); label smoothing blends
    /// them with the uniform distribution either way.
    /// </summary>
    public static Tensor PerSampleOnTargets(Tensor logits, Tensor targets, LossOptions options)
    {
        if (options.LabelSmoothing > 0)
            targets = targets.mul(1 - options.LabelSmoothing).add(options.LabelSmoothing / EmotionClasses.Count);
        if (options.Type == LossType.Focal)
        {
            // FL = Σ_c α·(1 − p_c)^γ · (−y_c·log p_c), every class with its own p (seed-spec §6.6).
            var p = logits.softmax(1).clamp(KerasEpsilon, 1 - KerasEpsilon);
            var ce = targets.mul(p.log()).neg();
            var weight = p.neg().add(1).pow(options.Gamma).mul(options.Alpha);
            return weight.mul(ce).sum(1);
        }
        if (options.Type == LossType.GeneralizedCrossEntropy)
        {
            // Generalised cross-entropy (Zhang & Sabuncu 2018): Σ_c y_c·(1 − p_c^q)/q. q → 0 is cross-entropy, q = 1
            // the mean absolute error; in between, a confidently contradicted (likely mislabelled) face pulls less.
            var p = logits.softmax(1).clamp_min(KerasEpsilon);
            return targets.mul(p.pow(options.Q).neg().add(1).div(options.Q)).sum(1);
        }
        return targets.mul(logits.log_softmax(1)).sum(1).neg();
    }

    /// <summary>Batch loss against class indices.</summary>
    public static Tensor Batch(Tensor logits, Tensor labels, LossOptions options, Tensor? classWeights) =>
        BatchOnTargets(logits, OneHot(labels), options, classWeights);

    /// <summary>
    /// Batch loss against target distributions: each sample's loss times its class weight (for a soft target, the
    /// target-weighted mean of the class weights, which is the one-hot case's weight exactly), then the plain mean.
    /// </summary>
    public static Tensor BatchOnTargets(Tensor logits, Tensor targets, LossOptions options, Tensor? classWeights)
    {
        var perSample = PerSampleOnTargets(logits, targets, options);
        if (classWeights is not null) perSample = perSample.mul(targets.matmul(classWeights));
        return perSample.mean();
    }

    /// <summary>Distillation term: T² · KL(softmax(teacher / T) ‖ softmax(student / T)), averaged over the batch.</summary>
    public static Tensor Distillation(Tensor studentLogits, Tensor teacherLogits, double temperature)
    {
        var teacher = teacherLogits.div(temperature).log_softmax(1);
        var student = studentLogits.div(temperature).log_softmax(1);
        return teacher.exp().mul(teacher.sub(student)).sum(1).mean().mul(temperature * temperature);
    }

    /// <summary>sklearn's 'balanced' weights: n / (classes · count_c).</summary>
    public static float[] BalancedClassWeights(IReadOnlyList<int> labels)
    {
        var counts = new int[EmotionClasses.Count];
        foreach (var l in labels) counts[l]++;
        return counts.Select(c => c == 0 ? 0f : (float)labels.Count / (EmotionClasses.Count * c)).ToArray();
    }
}
