using System.Text.Json.Serialization;

namespace FerMlNet.Training.Engine;

/// <summary>How a mixed batch blends two faces (pipeline key <c>mix.type</c>).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<MixType>))]
public enum MixType
{
    /// <summary>Whole images weighted λ : 1 − λ (Zhang et al. 2018).</summary>
    [JsonStringEnumMemberName("mixup")] Mixup,

    /// <summary>A rectangle of 1 − λ of the area pasted in (Yun et al. 2019).</summary>
    [JsonStringEnumMemberName("cutmix")] CutMix,
}

/// <summary>
/// Mixup (Zhang et al. 2018) or CutMix (Yun et al. 2019): a batch is blended with a shuffled copy of itself — whole
/// images weighted λ : 1 − λ, or a rectangle of 1 − λ of the area pasted in — and the loss is the same blend of the two
/// labels' losses. λ ~ Beta(α, α), one draw per batch. Regularises against memorising noisy labels.
/// </summary>
public sealed class MixOptions
{
    /// <summary>Mixup or CutMix. Default <see cref="MixType.CutMix"/>.</summary>
    public MixType Type { get; set; } = MixType.CutMix;

    /// <summary>α of the Beta(α, α) the mixing share is drawn from: 1 = uniform. Default 1.</summary>
    public double Alpha { get; set; } = 1.0;

    /// <summary>Share of batches that are mixed; the rest train on plain images. Default 0.5.</summary>
    public double Probability { get; set; } = 0.5;

    internal void Validate(Action<string, string> fail)
    {
        if (!Enum.IsDefined(Type)) fail("mix.type", "must be 'mixup' or 'cutmix'");
        if (Alpha is <= 0 or > 10) fail("mix.alpha", "must be in (0, 10]");
        if (Probability is < 0 or > 1) fail("mix.probability", "must be a probability in [0, 1]");
    }
}
