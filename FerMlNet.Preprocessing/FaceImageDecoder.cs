using SkiaSharp;

namespace FerMlNet.Preprocessing;

/// <summary>
/// The fast path of the preprocessing contract: decodes straight into 48×48 grey bytes without an IDataView, using the
/// same Skia operations as ML.NET's image transforms (so both paths give the same pixels; a test measures it).
/// Bytes are kept as 0-255; divide by 255 for the network (see <see cref="ToUnitFloats"/>).
/// </summary>
public static class FaceImageDecoder
{
    // ML.NET's ConvertToGrayscale colour matrix (MLImage.CloneWithGrayscale).
    private static readonly SKColorFilter GrayscaleFilter = SKColorFilter.CreateColorMatrix(
    [
        PreprocessingContract.LumaWeights.R, PreprocessingContract.LumaWeights.G, PreprocessingContract.LumaWeights.B, 0, 0,
        PreprocessingContract.LumaWeights.R, PreprocessingContract.LumaWeights.G, PreprocessingContract.LumaWeights.B, 0, 0,
        PreprocessingContract.LumaWeights.R, PreprocessingContract.LumaWeights.G, PreprocessingContract.LumaWeights.B, 0, 0,
        0, 0, 0, 1, 0,
    ]);

    /// <summary>Decodes a file into 2,304 grey bytes.</summary>
    /// <exception cref="ImageDecodeException">Not a regular file, empty, unreadable, not an image, too large or too small.</exception>
    public static byte[] DecodeFile(string path) => Decode(ReadFile(path));

    /// <summary>The bytes of an input image file (<see cref="InputFile.ReadAllBytes"/>), its failure as an <see cref="ImageDecodeException"/>.</summary>
    /// <exception cref="ImageDecodeException">Not a regular file, too large or unreadable.</exception>
    public static byte[] ReadFile(string path)
    {
        try { return InputFile.ReadAllBytes(path); }
        catch (InputFileException e) { throw new ImageDecodeException(e.Message); }
    }

    /// <summary>Decodes encoded image bytes (JPEG, PNG, or anything Skia decodes) into 2,304 grey bytes.</summary>
    public static byte[] Decode(ReadOnlySpan<byte> encoded)
    {
        using var bitmap = DecodeBitmap(encoded);
        return FromBitmap(bitmap);
    }

    /// <summary>
    /// Decodes encoded bytes into a 32-bit bitmap, checking the header's dimensions against
    /// <see cref="PreprocessingContract.MaxImageSide"/> and <see cref="PreprocessingContract.MaxImagePixels"/>
    /// before any pixel is decoded.
    /// </summary>
    internal static SKBitmap DecodeBitmap(ReadOnlySpan<byte> encoded)
    {
        if (encoded.Length == 0) throw new ImageDecodeException("empty file (0 bytes)");
        using var data = SKData.CreateCopy(encoded);
        using var codec = SKCodec.Create(data)
            ?? throw new ImageDecodeException("not a decodable image (expected JPEG, PNG, GIF, WebP or BMP)");
        var info = codec.Info;
        if (info.Width <= 0 || info.Height <= 0)
            throw new ImageDecodeException("image header has no size");
        if (info.Width < PreprocessingContract.MinImageSide || info.Height < PreprocessingContract.MinImageSide)
            throw new ImageDecodeException($"image too small ({info.Width}×{info.Height}; at least " +
                $"{PreprocessingContract.MinImageSide} px per side: smaller images hold no readable face)");
        if (info.Width > PreprocessingContract.MaxImageSide || info.Height > PreprocessingContract.MaxImageSide
            || (long)info.Width * info.Height > PreprocessingContract.MaxImagePixels)
            throw new ImageDecodeException($"image too large ({info.Width}×{info.Height}; limit " +
                $"{PreprocessingContract.MaxImageSide} per side and {PreprocessingContract.MaxImagePixels / 1_000_000} Mpx)");
        // The steps of SKBitmap.Decode (what ML.NET's MLImage.CreateFromStream calls), so the pixels match its path
        // exactly; done by hand to see the codec's result, because SKBitmap.Decode quietly accepts a truncated file
        // and fills the missing rows.
        var decodeInfo = info;
        if (decodeInfo.AlphaType == SKAlphaType.Unpremul) decodeInfo.AlphaType = SKAlphaType.Premul;
        decodeInfo.ColorSpace = null;
        var bitmap = new SKBitmap(decodeInfo);
        var result = codec.GetPixels(decodeInfo, bitmap.GetPixels());
        if (result != SKCodecResult.Success)
        {
            bitmap.Dispose();
            throw new ImageDecodeException(result == SKCodecResult.IncompleteInput
                ? "truncated image data (the file ends before the image does)"
                : $"image data is corrupt ({result})");
        }
        if (bitmap.ColorType is SKColorType.Bgra8888 or SKColorType.Rgba8888) return bitmap;
        using (bitmap)
        {
            return bitmap.Copy(SKColorType.Bgra8888)
                ?? throw new ImageDecodeException($"unsupported pixel format {bitmap.ColorType}");
        }
    }

    /// <summary>Applies resize (IsoCrop, centre) and grayscale to a decoded bitmap and returns 2,304 grey bytes.</summary>
    internal static byte[] FromBitmap(SKBitmap bitmap)
    {
        using var resized = ResizeIsoCropCenter(bitmap, PreprocessingContract.ImageSize, PreprocessingContract.ImageSize);
        using var gray = new SKBitmap(resized.Width, resized.Height, isOpaque: true);
        using (var canvas = new SKCanvas(gray))
        using (var paint = new SKPaint { ColorFilter = GrayscaleFilter, FilterQuality = SKFilterQuality.High })
            canvas.DrawBitmap(resized, 0f, 0f, paint);
        return RedChannel(gray);
    }

    /// <summary>Converts 0-255 grey bytes to the network's [0, 1] floats.</summary>
    public static float[] ToUnitFloats(ReadOnlySpan<byte> pixels)
    {
        var result = new float[pixels.Length];
        for (int i = 0; i < pixels.Length; i++) result[i] = pixels[i] * FerModelConventions.PixelScale;
        return result;
    }

    // Mirrors MLImage.ResizeWithCrop (CropAnchorCentral): scale so the image covers the target, centre it, and draw
    // with the high-quality filter onto an opaque bitmap.
    private static SKBitmap ResizeIsoCropCenter(SKBitmap image, int width, int height)
    {
        float widthAspect = (float)width / image.Width;
        float heightAspect = (float)height / image.Height;
        int destX = 0, destY = 0;
        float aspect;
        if (heightAspect < widthAspect)
        {
            aspect = widthAspect;
            destY = (int)((height - (image.Height * aspect)) / 2);
        }
        else
        {
            aspect = heightAspect;
            destX = (int)((width - (image.Width * aspect)) / 2);
        }
        int destWidth = (int)(image.Width * aspect);
        int destHeight = (int)(image.Height * aspect);
        var dst = new SKBitmap(width, height, isOpaque: true);
        using var canvas = new SKCanvas(dst);
        using var paint = new SKPaint { FilterQuality = SKFilterQuality.High };
        canvas.DrawBitmap(image, new SKRect(0, 0, image.Width, image.Height),
            new SKRect(destX, destY, destX + destWidth, destY + destHeight), paint);
        return dst;
    }

    private static byte[] RedChannel(SKBitmap bitmap)
    {
        int redOffset = bitmap.ColorType == SKColorType.Rgba8888 ? 0 : 2; // Bgra8888 stores B, G, R, A
        var span = bitmap.GetPixelSpan();
        var result = new byte[bitmap.Width * bitmap.Height];
        int rowBytes = bitmap.RowBytes;
        for (int y = 0; y < bitmap.Height; y++)
            for (int x = 0; x < bitmap.Width; x++)
                result[y * bitmap.Width + x] = span[y * rowBytes + x * 4 + redOffset];
        return result;
    }

    /// <summary>A 48×48 Gray8 bitmap of 2,304 grey bytes (rows copied with the bitmap's own row stride).</summary>
    /// <exception cref="ArgumentException">The span is not 2,304 bytes.</exception>
    internal static SKBitmap ToBitmap(ReadOnlySpan<byte> pixels)
    {
        if (pixels.Length != PreprocessingContract.PixelCount)
            throw new ArgumentException($"Expected {PreprocessingContract.PixelCount} grey pixels, got {pixels.Length}.");
        var bitmap = new SKBitmap(new SKImageInfo(PreprocessingContract.ImageSize, PreprocessingContract.ImageSize,
            SKColorType.Gray8, SKAlphaType.Opaque));
        const int size = PreprocessingContract.ImageSize;
        unsafe
        {
            var target = (byte*)bitmap.GetPixels();
            for (int y = 0; y < size; y++)
                pixels.Slice(y * size, size).CopyTo(new Span<byte>(target + y * bitmap.RowBytes, size));
        }
        return bitmap;
    }
}
