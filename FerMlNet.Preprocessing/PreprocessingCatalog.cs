using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

namespace FerMlNet.Preprocessing;

/// <summary>
/// The preprocessing contract as ML.NET estimators (LoadImages → ResizeImages → ConvertToGrayscale → ExtractPixels),
/// reachable the ML.NET way from <c>mlContext.Transforms</c>. These chains are saved inside every <c>model.zip</c>.
/// </summary>
public static class PreprocessingCatalog
{
    /// <summary>
    /// Images given as file paths: reads <paramref name="imagePathColumn"/> and writes
    /// <see cref="PreprocessingContract.PixelsColumn"/> (2,304 floats in [0, 1]).
    /// </summary>
    /// <param name="catalog">The transforms catalog (<c>mlContext.Transforms</c>).</param>
    /// <param name="imageFolder">Folder the paths are relative to; null for absolute paths.</param>
    /// <param name="imagePathColumn">Input column of file paths.</param>
    public static IEstimator<ITransformer> FerPreprocessFromPath(this TransformsCatalog catalog,
        string? imageFolder = null, string imagePathColumn = PreprocessingContract.ImagePathColumn)
    {
        return catalog.LoadImages(PreprocessingContract.ImageColumn, imageFolder, imagePathColumn)
            .Append(catalog.FerPreprocessFromImage());
    }

    /// <summary>
    /// Images already decoded into an <see cref="MLImage"/> column (streams, bytes, camera frames): resize, grey,
    /// extract and scale, writing <see cref="PreprocessingContract.PixelsColumn"/>.
    /// </summary>
    public static IEstimator<ITransformer> FerPreprocessFromImage(this TransformsCatalog catalog,
        string imageColumn = PreprocessingContract.ImageColumn)
    {
        const string resized = "FerResizedImage";
        const string gray = "FerGrayImage";
        return catalog.ResizeImages(resized, PreprocessingContract.ImageSize, PreprocessingContract.ImageSize,
                imageColumn, ImageResizingEstimator.ResizingKind.IsoCrop, ImageResizingEstimator.Anchor.Center)
            .Append(catalog.ConvertToGrayscale(gray, resized))
            .Append(catalog.ExtractPixels(PreprocessingContract.PixelsColumn, gray,
                colorsToExtract: ImagePixelExtractingEstimator.ColorBits.Red,
                orderOfExtraction: ImagePixelExtractingEstimator.ColorsOrder.ARGB,
                interleavePixelColors: false, offsetImage: 0f, scaleImage: FerModelConventions.PixelScale, outputAsFloatArray: true))
            .Append(catalog.DropColumns(resized, gray));
    }
}
