namespace FerMlNet.Training.Engine;

/// <summary>
/// Knowledge distillation (Hinton et al. 2015): the student also learns a teacher's softened answers through
/// T²·KL(softmax(teacher/T) ‖ softmax(student/T)); the batch loss is (1 − weight) · the pipeline's loss + weight · that
/// term. The teacher is either trained runs (<see cref="Teachers"/>: their averaged logits on the same augmented batch,
/// one forward pass per teacher per batch) or a published model (<see cref="TeacherModel"/>: its log-probabilities on
/// each unaugmented training face, computed once before the first epoch, so an ensemble teacher costs no more per
/// batch than none).
/// </summary>
public sealed class DistillationOptions
{
    /// <summary>Run folders (or their checkpoint.bin) whose best weights are the teachers; any architecture. Default none.</summary>
    public string[] Teachers { get; set; } = [];

    /// <summary>
    /// A FerMlNet model file (model.zip or .onnx, e.g. models/fer-default.onnx, ensemble, TTA and calibration included)
    /// used as a fixed teacher instead of <see cref="Teachers"/>. On a mixed batch the student learns the blend of the
    /// two faces' teacher answers in the batch's proportion. Default null.
    /// </summary>
    public string? TeacherModel { get; set; }

    /// <summary>Share of the distillation term in the loss. Default 0.5.</summary>
    public double Weight { get; set; } = 0.5;

    /// <summary>Softening temperature T of both distributions. Default 2.</summary>
    public double Temperature { get; set; } = 2.0;

    internal void Validate(Action<string, string> fail)
    {
        if (TeacherModel is not null)
        {
            if (string.IsNullOrWhiteSpace(TeacherModel)) fail("distillation.teacherModel", "must name a model.zip or .onnx file");
            if (Teachers.Length > 0) fail("distillation", "name either teachers (runs) or teacherModel (a model file), not both");
        }
        else if (Teachers.Length == 0 || Teachers.Any(string.IsNullOrWhiteSpace))
            fail("distillation.teachers", "must name at least one run folder or checkpoint file (or set teacherModel)");
        if (Weight is <= 0 or > 1) fail("distillation.weight", "must be in (0, 1]");
        if (Temperature is < 1 or > 20) fail("distillation.temperature", "must be in [1, 20]");
    }
}
