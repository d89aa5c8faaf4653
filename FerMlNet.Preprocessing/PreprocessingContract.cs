namespace FerMlNet.Preprocessing;

/// <summary>
/// The one preprocessing contract every path of the product applies: training, evaluation and scoring.
/// <list type="number">
/// <item>Decode the file (JPEG or PNG) with SkiaSharp, as ML.NET's <c>LoadImages</c> does.</item>
/// <item>Resize to 48×48 with ML.NET's <c>IsoCrop</c> (centre anchor): scale so the shorter side is 48 and crop the
/// middle of the longer side, drawn with Skia's high-quality filter (mipmapped bicubic). A non-square face crop is
/// therefore never stretched. A 48×48 input passes through unchanged.</item>
/// <item>Grayscale with ML.NET's colour matrix: L = 0.3·R + 0.59·G + 0.11·B (PIL's 'L' in the notebook used
/// 0.299/0.587/0.114; the difference is below one grey level on the dataset's images, which are already grey).</item>
/// <item>Scale to [0, 1]: pixel / 255, row-major, one channel (2,304 floats).</item>
/// </list>
/// Order note: the notebook converted to grey before resizing; ML.NET's chain resizes first. For the dataset's 48×48
/// images the order does not matter.
/// </summary>
public static class PreprocessingContract
{
    /// <summary>Side of the square network input, in pixels.</summary>
    public const int ImageSize = 48;

    /// <summary>Values per preprocessed image (48·48, one channel).</summary>
    public const int PixelCount = ImageSize * ImageSize;

    /// <summary>Luma weights of the grayscale step (R, G, B), as ML.NET's ConvertToGrayscale applies them.</summary>
    public static readonly (float R, float G, float B) LumaWeights = (0.3f, 0.59f, 0.11f);

    /// <summary>
    /// Identifies this contract in caches and model metadata. Change it whenever any step above changes, so that no
    /// cache built with the old contract is ever read again.
    /// </summary>
    public const string Version = "fer-pre-v1;skia-2.88;isocrop-center-high;gray-0.3-0.59-0.11;red;div255";

    /// <summary>Input column holding an image file path.</summary>
    public const string ImagePathColumn = "ImagePath";

    /// <summary>Column holding the decoded <c>MLImage</c>.</summary>
    public const string ImageColumn = "Image";

    /// <summary>Output column: 2,304 floats in [0, 1].</summary>
    public const string PixelsColumn = "Pixels";

    /// <summary>
    /// Smallest width and height accepted (16 px, a third of the 48-px input): below it an image is upscaled so far
    /// that any answer would be about the interpolation, so it gets a "too small" error instead of an emotion.
    /// </summary>
    public const int MinImageSide = 16;

    /// <summary>Largest width or height accepted before decoding (a bigger image is refused with a clear reason).</summary>
    public const int MaxImageSide = 8192;

    /// <summary>Largest pixel count accepted before decoding (40 megapixels).</summary>
    public const long MaxImagePixels = 40_000_000;
}
