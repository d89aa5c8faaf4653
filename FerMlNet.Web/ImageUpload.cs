using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;
using SkiaSharp;

namespace FerMlNet.Web;

/// <summary>
/// Takes the image out of a predict request and checks it before any pixel is decoded: the content type, the file
/// signature (JPEG or PNG only, whatever the request claims), and the width and height from the image header
/// against <see cref="ServeOptions.MaxImageSide"/> and <see cref="ServeOptions.MaxImagePixels"/>, so a
/// decompression bomb is refused at the cost of reading its header. Nothing from the request becomes a file path.
/// </summary>
internal static class ImageUpload
{
    /// <summary>The multipart form field that carries the image.</summary>
    public const string FormField = "image";

    /// <summary>Most form fields and files a multipart body may hold.</summary>
    public const int MaxFormParts = 16;

    private static readonly string[] RawTypes = ["image/jpeg", "image/png", "application/octet-stream"];

    /// <summary>The image bytes of the request; throws <see cref="ApiError"/> with 400/413/415 otherwise.</summary>
    public static async Task<byte[]> ReadAsync(HttpRequest request, ServeOptions options, CancellationToken cancel)
    {
        byte[] bytes = await ReadBodyAsync(request, options, cancel);
        if (bytes.Length == 0) throw new ApiError(400, "The request has no image (empty body).");
        CheckSignature(bytes);
        CheckDimensions(bytes, options);
        return bytes;
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, ServeOptions options, CancellationToken cancel)
    {
        if (request.ContentLength > options.MaxRequestBytes) throw TooLarge(options);
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type))
            throw new ApiError(415, "Send the image as multipart/form-data (field 'image') or as an image/jpeg or image/png body.");
        string mediaType = type.MediaType.Value!.ToLowerInvariant();
        try
        {
            if (mediaType == "multipart/form-data") return await ReadMultipartAsync(request, options, cancel);
            if (!RawTypes.Contains(mediaType))
                throw new ApiError(415, $"Content-Type '{mediaType}' is not accepted; send image/jpeg, image/png or multipart/form-data.");
            return await ReadLimitedAsync(request.Body, options, cancel);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw TooLarge(options);
        }
        catch (InvalidDataException e) // malformed multipart, or a part over the form limits
        {
            if (e.Message.Contains("count limit", StringComparison.OrdinalIgnoreCase))
                throw new ApiError(413, $"The multipart body has more than {MaxFormParts} parts; send one image in the field '{FormField}'.");
            if (e.Message.Contains("headers length limit", StringComparison.OrdinalIgnoreCase))
                throw new ApiError(431, "A part of the multipart body has headers over 8 KB.");
            throw e.Message.Contains("limit", StringComparison.OrdinalIgnoreCase)
                ? TooLarge(options)
                : new ApiError(400, "Malformed multipart body: " + e.Message);
        }
    }

    private static async Task<byte[]> ReadMultipartAsync(HttpRequest request, ServeOptions options, CancellationToken cancel)
    {
        request.HttpContext.Features.Set<IFormFeature>(new FormFeature(request, new FormOptions
        {
            MultipartBodyLengthLimit = options.MaxRequestBytes,
            ValueCountLimit = MaxFormParts,
            MultipartHeadersLengthLimit = 8 * 1024,
            MemoryBufferThreshold = (int)Math.Min(options.MaxRequestBytes, int.MaxValue),
        }));
        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(cancel);
        }
        catch (IOException e) when (!cancel.IsCancellationRequested) // the body ended inside a part
        {
            throw new ApiError(400, "Malformed multipart body: " + e.Message);
        }
        var file = form.Files.GetFile(FormField)
            ?? throw new ApiError(400, $"The multipart body has no file field '{FormField}'.");
        await using var stream = file.OpenReadStream();
        return await ReadLimitedAsync(stream, options, cancel);
    }

    private static async Task<byte[]> ReadLimitedAsync(Stream body, ServeOptions options, CancellationToken cancel)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await body.ReadAsync(chunk, cancel)) > 0)
        {
            if (buffer.Length + read > options.MaxRequestBytes) throw TooLarge(options);
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static void CheckSignature(byte[] bytes)
    {
        bool jpeg = bytes.Length >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF;
        bool png = bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        if (!jpeg && !png)
            throw new ApiError(415, "The body is not a JPEG or PNG image (its first bytes are not a JPEG or PNG signature).");
    }

    private static void CheckDimensions(byte[] bytes, ServeOptions options)
    {
        var (width, height) = PngSize(bytes) ?? CodecSize(bytes);
        if (width <= 0 || height <= 0) throw new ApiError(400, "The image header gives no size.");
        if (width > options.MaxImageSide || height > options.MaxImageSide || (long)width * height > options.MaxImagePixels)
            throw new ApiError(413, $"The image is {width}×{height}; the limit is {options.MaxImageSide} px per side and " +
                                    $"{options.MaxImagePixels:N0} pixels.");
    }

    /// <summary>
    /// A PNG's size straight from its IHDR chunk (always first, at bytes 16-23): Skia's PNG reader wants the chunks up
    /// to the pixel data before it reports a size, and a bomb need not have any.
    /// </summary>
    private static (int, int)? PngSize(byte[] bytes)
    {
        if (bytes[0] != 0x89 || bytes.Length < 24 || !bytes.AsSpan(12, 4).SequenceEqual("IHDR"u8)) return null;
        return ((int)Math.Min(int.MaxValue, System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(16))),
                (int)Math.Min(int.MaxValue, System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(20))));
    }

    /// <summary>The size Skia reads from the header (JPEG: up to the frame header; no pixel is decoded).</summary>
    private static (int, int) CodecSize(byte[] bytes)
    {
        using var data = SKData.CreateCopy(bytes);
        using var codec = SKCodec.Create(data)
            ?? throw new ApiError(400, "The image header cannot be read (corrupt or truncated image).");
        return (codec.Info.Width, codec.Info.Height);
    }

    private static ApiError TooLarge(ServeOptions options) =>
        new(413, $"The request body is larger than {options.MaxRequestBytes:N0} bytes.");
}
