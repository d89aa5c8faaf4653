namespace FerMlNet.Scoring;

/// <summary>
/// Where the models shipped with FerMlNet.Scoring sit: the package (and every project of this repository that
/// references the library) copies them into the app's own folder under <c>models/</c>, so they are found from the
/// program's location whatever the working directory is.
/// </summary>
public static class ShippedModels
{
    /// <summary>
    /// The default model: four networks trained on the FER+ crowd's votes, with flip test-time augmentation
    /// (models/fer-default.json).
    /// </summary>
    public const string DefaultModelRelativePath = "models/fer-default.zip";

    /// <summary>
    /// The fast model: the default's first network alone (trained on the crowd's votes, flip test-time augmentation),
    /// about 4× faster at batch 1 (models/fer-fast.json).
    /// </summary>
    public const string FastModelRelativePath = "models/fer-fast.zip";

    /// <summary>
    /// The fast model as a static int8 copy (models/fer-fast-int8.json): the same top answer as <see cref="FastModelRelativePath"/> for 99% of faces,
    /// about 1.8× faster on CPUs with AVX512_VNNI, AVX-VNNI or AMX and slower on those without.
    /// </summary>
    public const string FastInt8ModelRelativePath = "models/fer-fast-int8.zip";

    /// <summary>The YuNet face detector with a dynamic input size (models/face-detection-yunet/README.md).</summary>
    public const string DetectorRelativePath = "models/face-detection-yunet/yunet_s_dynamic.onnx";

    /// <summary>The default model in the app's folder.</summary>
    public static string DefaultModel => InAppFolder(DefaultModelRelativePath);

    /// <summary>The fast model in the app's folder.</summary>
    public static string FastModel => InAppFolder(FastModelRelativePath);

    /// <summary>The int8 fast model in the app's folder.</summary>
    public static string FastInt8Model => InAppFolder(FastInt8ModelRelativePath);

    /// <summary>A shipped file's path in the app's folder (<see cref="AppContext.BaseDirectory"/>).</summary>
    public static string InAppFolder(string relativePath) => Path.Combine(AppContext.BaseDirectory, relativePath);
}
