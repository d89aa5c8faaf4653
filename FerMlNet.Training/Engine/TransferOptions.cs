using System.Text.Json.Serialization;

namespace FerMlNet.Training.Engine;

/// <summary>The head trained on frozen ResNet18 features (pipeline key <c>transfer.head</c>).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TransferHeadType>))]
public enum TransferHeadType
{
    /// <summary>ML.NET's L-BFGS maximum-entropy classifier.</summary>
    [JsonStringEnumMemberName("lbfgs")] Lbfgs,

    /// <summary>A TorchSharp Dense 256 → Dropout → Dense 4 head.</summary>
    [JsonStringEnumMemberName("mlp")] Mlp,
}

/// <summary>
/// The notebook's transfer recipe with the ImageNet backbone ML.NET ships: frozen ResNet18 features of the faces
/// scaled to 224×224, and a trained head.
/// </summary>
public sealed class TransferOptions
{
    /// <summary>The head trained on the features. Default <see cref="TransferHeadType.Lbfgs"/>.</summary>
    public TransferHeadType Head { get; set; } = TransferHeadType.Lbfgs;

    /// <summary>
    /// At most this many training images per class get features (a CPU budget: the backbone runs at ~6 faces/s on 2
    /// cores); null = all. Validation always uses every image. Default: null.
    /// </summary>
    public int? TrainLimitPerClass { get; set; }

    internal void Validate(Action<string, string> fail)
    {
        if (!Enum.IsDefined(Head)) fail("transfer.head", "must be 'lbfgs' or 'mlp'");
        if (TrainLimitPerClass is < 1) fail("transfer.trainLimitPerClass", "must be at least 1");
    }
}
