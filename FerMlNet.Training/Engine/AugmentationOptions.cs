namespace FerMlNet.Training.Engine;

/// <summary>The notebook's soft augmentation (Keras RandomFlip/RandomRotation/RandomZoom/RandomContrast), plus FerMlNet's translation and random erasing (off by default).</summary>
public sealed class AugmentationOptions
{
    /// <summary>Random horizontal flip (p = 0.5). Default true.</summary>
    public bool Flip { get; set; } = true;

    /// <summary>Rotation factor as a fraction of a full turn: 0.05 = ±18°. Default 0.05.</summary>
    public double Rotation { get; set; } = 0.05;

    /// <summary>Zoom factor: scale drawn from [1 − z, 1 + z] (both axes). Default 0.05.</summary>
    public double Zoom { get; set; } = 0.05;

    /// <summary>Contrast factor: (x − mean)·f + mean with f in [1 − c, 1 + c] per image. Default 0.05.</summary>
    public double Contrast { get; set; } = 0.05;

    /// <summary>
    /// Not in the notebook (Keras RandomTranslation): shift drawn from [−t, t] of the side on each axis, reflected at
    /// the border. Default 0 (off): faces in the dataset are roughly centred, photos cropped by the detector less so.
    /// </summary>
    public double Translate { get; set; }

    /// <summary>
    /// Not in the notebook: random erasing (Zhong et al. 2017) — with this probability a rectangle of 2–20% of the face
    /// (aspect 0.3–3.3) is filled with uniform noise, so the network cannot rely on one region (a mouth, an eye).
    /// Default 0 (off).
    /// </summary>
    public double Erasing { get; set; }

    /// <summary>
    /// Not in the notebook (Keras RandomBrightness): a shift drawn from [−b, b] added to every pixel (the [0, 1]
    /// scale), clipped to [0, 1]. Photo faces are darker than FER-2013's (`fer data look`: median 0.46 against 0.51).
    /// Default 0 (off).
    /// </summary>
    public double Brightness { get; set; }

    /// <summary>
    /// Not in the notebook: unsharp masking with an amount drawn from [−d, d] per image, x + a·(x − blur(x)) with a
    /// σ = 1 Gaussian (the photo crop's <c>FaceCropOptions.Detail</c>), clipped to [0, 1]: negative amounts soften,
    /// positive ones sharpen, so the network does not learn FER-2013's texture (photo crops are softer:
    /// `fer data look`). Default 0 (off).
    /// </summary>
    public double Detail { get; set; }

    internal void Validate(Action<string, string> fail)
    {
        if (Brightness is < 0 or > 0.5) fail("augmentation.brightness", "must be in [0, 0.5] (of the [0, 1] grey range)");
        if (Detail is < 0 or > 3) fail("augmentation.detail", "must be in [0, 3] (unsharp-mask amount)");
        if (Translate is < 0 or > 0.5) fail("augmentation.translate", "must be in [0, 0.5] (fraction of the side)");
        if (Erasing is < 0 or > 1) fail("augmentation.erasing", "must be a probability in [0, 1]");
        if (Rotation is < 0 or > 0.5) fail("augmentation.rotation", "must be in [0, 0.5] (fraction of a turn)");
        if (Zoom is < 0 or >= 1) fail("augmentation.zoom", "must be in [0, 1)");
        if (Contrast is < 0 or >= 1) fail("augmentation.contrast", "must be in [0, 1)");
    }
}
