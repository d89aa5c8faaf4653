using System.Text.Json.Serialization;

namespace FerMlNet.Training.Engine;

/// <summary>The training loss (pipeline key <c>loss.type</c>).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<LossType>))]
public enum LossType
{
    /// <summary>Cross-entropy on the (possibly smoothed or soft) targets.</summary>
    [JsonStringEnumMemberName("crossentropy")] CrossEntropy,

    /// <summary>The notebook's FocalLoss.</summary>
    [JsonStringEnumMemberName("focal")] Focal,

    /// <summary>Generalised cross-entropy, a label-noise-robust loss (not in the notebook).</summary>
    [JsonStringEnumMemberName("gce")] GeneralizedCrossEntropy,
}

/// <summary>Loss settings.</summary>
public sealed class LossOptions
{
    /// <summary>Cross-entropy, focal or generalised cross-entropy. Default <see cref="LossType.CrossEntropy"/>.</summary>
    public LossType Type { get; set; } = LossType.CrossEntropy;

    /// <summary>Label smoothing: targets y·(1 − ls) + ls / 4. Default 0.</summary>
    public double LabelSmoothing { get; set; }

    /// <summary>Focal γ. Default 2.</summary>
    public double Gamma { get; set; } = 2.0;

    /// <summary>Focal α (one scalar for every class, as the notebook). Default 0.25.</summary>
    public double Alpha { get; set; } = 0.25;

    /// <summary>GCE exponent q in (0, 1]: 0.7 is the paper's choice; smaller is closer to cross-entropy. Default 0.7.</summary>
    public double Q { get; set; } = 0.7;

    internal void Validate(Action<string, string> fail)
    {
        if (!Enum.IsDefined(Type)) fail("loss.type", "must be 'crossentropy', 'focal' or 'gce'");
        if (Q is <= 0 or > 1) fail("loss.q", "must be in (0, 1]");
        if (LabelSmoothing is < 0 or >= 1) fail("loss.labelSmoothing", "must be in [0, 1)");
        if (Gamma < 0) fail("loss.gamma", "must be ≥ 0");
        if (Alpha is <= 0 or > 1) fail("loss.alpha", "must be in (0, 1]");
    }
}
