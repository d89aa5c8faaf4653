namespace FerMlNet.Training.Models;

/// <summary>Kinds of layer the notebook's networks use; the ONNX exporter maps each to ONNX operators.</summary>
public enum LayerKind
{
    /// <summary>3×3 convolution, stride 1, 'same' padding, with bias.</summary>
    Conv,
    /// <summary>Batch normalisation over channels (after a conv) or features (after a dense layer).</summary>
    BatchNorm,
    /// <summary>ReLU activation.</summary>
    Relu,
    /// <summary>2×2 max pooling, stride 2, 'valid'.</summary>
    MaxPool,
    /// <summary>Dropout (training only; not exported).</summary>
    Dropout,
    /// <summary>Flatten to (N, C·H·W).</summary>
    Flatten,
    /// <summary>Global average pooling to (N, C).</summary>
    GlobalAveragePool,
    /// <summary>Fully connected layer (Keras Dense).</summary>
    Dense,
    /// <summary>
    /// Not in the notebook: squeeze-and-excitation (Hu et al. 2018) — per-channel gates from the globally pooled
    /// features through Dense(C → Units) → ReLU → Dense(Units → C) → sigmoid, multiplied into the feature map.
    /// </summary>
    SqueezeExcite,
    /// <summary>Not in the notebook: remembers the current feature map as the skip of a residual connection.</summary>
    ResidualStart,
    /// <summary>Not in the notebook: adds the remembered skip to the current feature map (same shape).</summary>
    ResidualAdd,
    /// <summary>
    /// Not in the notebook: bilinear resize of the feature map to Units × Units (half-pixel centres, PyTorch's
    /// align_corners=false, ONNX Resize's default), so a network can work on a finer grid than the 48×48 face.
    /// </summary>
    Upsample,
}

/// <summary>One layer of a network, with the Keras-style settings the trainer and exporter need.</summary>
/// <param name="Name">Layer name (also the TorchSharp sub-module name and the ONNX node name).</param>
/// <param name="Kind">What the layer is.</param>
/// <param name="Units">Output channels (Conv), units (Dense) or side in pixels (Upsample); the rate of a Dropout is in <paramref name="Rate"/>.</param>
/// <param name="Rate">Dropout rate.</param>
/// <param name="L2">Keras kernel_regularizer λ of a Conv or Dense kernel (0 = none).</param>
public sealed record LayerSpec(string Name, LayerKind Kind, int Units = 0, double Rate = 0, double L2 = 0);
