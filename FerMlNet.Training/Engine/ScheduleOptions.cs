using System.Text.Json.Serialization;

namespace FerMlNet.Training.Engine;

/// <summary>The learning-rate schedule (pipeline key <c>schedule.type</c>).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ScheduleType>))]
public enum ScheduleType
{
    /// <summary>The initial learning rate throughout.</summary>
    [JsonStringEnumMemberName("constant")] Constant,

    /// <summary>Keras ReduceLROnPlateau on val_loss.</summary>
    [JsonStringEnumMemberName("reduce-on-plateau")] ReduceOnPlateau,

    /// <summary>Keras CosineDecay, per step.</summary>
    [JsonStringEnumMemberName("cosine")] Cosine,
}

/// <summary>Learning-rate schedule settings.</summary>
public sealed class ScheduleOptions
{
    /// <summary>Constant, reduce-on-plateau or cosine. Default <see cref="ScheduleType.Constant"/>.</summary>
    public ScheduleType Type { get; set; } = ScheduleType.Constant;

    /// <summary>Plateau: factor. Default 0.5.</summary>
    public double Factor { get; set; } = 0.5;

    /// <summary>Plateau: epochs without val_loss improvement (min_delta 1e-4) before reducing. Default 5.</summary>
    public int Patience { get; set; } = 5;

    /// <summary>Plateau: floor of the learning rate. Default 1e-6.</summary>
    public double MinLearningRate { get; set; } = 1e-6;

    /// <summary>Cosine: final learning rate as a fraction of the initial. Default 0.</summary>
    public double Alpha { get; set; }

    /// <summary>Cosine: decay steps; 0 = the notebook's rule, floor(train images / batch) · epochs.</summary>
    public int DecaySteps { get; set; }

    internal void Validate(Action<string, string> fail)
    {
        if (!Enum.IsDefined(Type)) fail("schedule.type", "must be 'constant', 'reduce-on-plateau' or 'cosine'");
        if (Factor is <= 0 or >= 1) fail("schedule.factor", "must be in (0, 1)");
        if (Patience < 1) fail("schedule.patience", "must be at least 1");
        if (Alpha is < 0 or > 1) fail("schedule.alpha", "must be in [0, 1]");
        if (DecaySteps < 0) fail("schedule.decaySteps", "must be ≥ 0");
    }
}
