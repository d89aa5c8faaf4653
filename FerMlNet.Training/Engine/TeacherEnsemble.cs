using FerMlNet.Training.Models;
using static TorchSharp.torch;

namespace FerMlNet.Training.Engine;

/// <summary>Trained networks whose averaged logits a student learns from (knowledge distillation); frozen, eval mode.</summary>
internal sealed class TeacherEnsemble(IReadOnlyList<FerNet> teachers) : IDisposable
{
    /// <summary>The mean of the teachers' logits for a batch of the student's input, without gradients.</summary>
    public Tensor Logits(Tensor images)
    {
        if (teachers.Count == 0) throw new InvalidOperationException("no teachers");
        using var _ = no_grad();
        return stack(teachers.Select(t => t.forward(InChannels(images, t.InputChannels))).ToArray()).mean([0]);
    }

    /// <summary>The batch with the teacher's channel count: gray replicated for RGB teachers, or one of the identical gray channels.</summary>
    private static Tensor InChannels(Tensor images, int channels) => images.shape[1] == channels
        ? images
        : channels == 1 ? images.narrow(1, 0, 1) : images.expand(-1, channels, -1, -1).contiguous();

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var t in teachers) t.Dispose();
    }
}
