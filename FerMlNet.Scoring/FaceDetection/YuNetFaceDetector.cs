using FerMlNet.Preprocessing;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using SkiaSharp;

namespace FerMlNet.Scoring.FaceDetection;

/// <summary>
/// Face detection with YuNet (ONNX, ~230 KB, run by ONNX Runtime; no OpenCV). The photo is scaled to fit
/// <see cref="FaceDetectorOptions.MaxInputSide"/>, padded right and bottom to multiples of 32, fed as BGR 0-255
/// planes; each stride's grid gives anchor-free boxes and five landmarks, filtered by score and non-maximum
/// suppression. One instance is safe to share between threads (ONNX Runtime sessions are).
/// </summary>
internal sealed class YuNetFaceDetector : IDisposable
{
    private static readonly int[] Strides = [8, 16, 32];
    private readonly InferenceSession _session;
    private readonly FaceDetectorOptions _options;

    /// <summary>Loads the detector model.</summary>
    /// <exception cref="FileNotFoundException">The model file is missing (the message names the path).</exception>
    /// <exception cref="InvalidDataException">The file is not a readable ONNX graph (the message names the path and why).</exception>
    public YuNetFaceDetector(FaceDetectorOptions? options = null)
    {
        _options = options ?? new FaceDetectorOptions();
        var path = _options.ModelPath ?? DefaultModelPath;
        if (!File.Exists(path))
            throw new FileNotFoundException($"Face detector model '{path}' does not exist. The FerMlNet.Scoring package copies it " +
                                            $"to the app's {ShippedModels.DetectorRelativePath}; set FaceDetectorOptions.ModelPath to use another copy.", path);
        InputFile.ThrowIfSpecial(path, "Face detector model ");
        using var sessionOptions = new SessionOptions();
        if (_options.Threads > 0) sessionOptions.IntraOpNumThreads = _options.Threads;
        try
        {
            _session = new InferenceSession(path, sessionOptions);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidDataException($"Face detector model '{path}' is not a readable ONNX graph: {FerPredictor.FirstLine(e.Message)}");
        }
        if (!_session.InputMetadata.ContainsKey(FerModelConventions.OnnxInputName))
        {
            _session.Dispose();
            throw new InvalidDataException($"Face detector model '{path}' is not a YuNet graph (it has no input '{FerModelConventions.OnnxInputName}').");
        }
    }

    /// <summary>The shipped dynamic-input YuNet model in the app's folder (never the working directory).</summary>
    public static string DefaultModelPath => ShippedModels.InAppFolder(ShippedModels.DetectorRelativePath);

    /// <summary>
    /// Faces in a decoded photo, best score first. <paramref name="maxInputSide"/> overrides
    /// <see cref="FaceDetectorOptions.MaxInputSide"/> for this call: webcam frames, whose faces are large, can be
    /// searched at 320 px in a third of the time.
    /// </summary>
    public IReadOnlyList<DetectedFace> Detect(SKBitmap photo, int? maxInputSide = null)
    {
        float scale = Math.Min(1f, (float)(maxInputSide ?? _options.MaxInputSide) / Math.Max(photo.Width, photo.Height));
        int width = Math.Max(1, (int)Math.Round(photo.Width * scale)), height = Math.Max(1, (int)Math.Round(photo.Height * scale));
        int paddedW = (width + 31) / 32 * 32, paddedH = (height + 31) / 32 * 32;
        var input = ToBgrPlanes(photo, width, height, paddedW, paddedH);
        using var results = _session.Run([NamedOnnxValue.CreateFromTensor(FerModelConventions.OnnxInputName, input)]);
        var outputs = results.ToDictionary(r => r.Name, r => r.AsTensor<float>());

        var candidates = new List<DetectedFace>();
        foreach (int stride in Strides)
        {
            int cols = paddedW / stride, rows = paddedH / stride;
            var cls = outputs[$"cls_{stride}"];
            var obj = outputs[$"obj_{stride}"];
            var bbox = outputs[$"bbox_{stride}"];
            var kps = outputs[$"kps_{stride}"];
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < cols; c++)
                {
                    int i = r * cols + c;
                    float score = MathF.Sqrt(Math.Clamp(cls[0, i, 0], 0, 1) * Math.Clamp(obj[0, i, 0], 0, 1));
                    if (score < _options.ScoreThreshold) continue;
                    float cx = (c + bbox[0, i, 0]) * stride, cy = (r + bbox[0, i, 1]) * stride;
                    float w = MathF.Exp(bbox[0, i, 2]) * stride, h = MathF.Exp(bbox[0, i, 3]) * stride;
                    var landmarks = new (float, float)[5];
                    for (int k = 0; k < 5; k++)
                        landmarks[k] = ((kps[0, i, 2 * k] + c) * stride / scale, (kps[0, i, 2 * k + 1] + r) * stride / scale);
                    // Boxes are clipped to the photo, so every reported box is a real region of it.
                    float x0 = Math.Max(0, (cx - w / 2) / scale), y0 = Math.Max(0, (cy - h / 2) / scale);
                    float x1 = Math.Min(photo.Width, (cx + w / 2) / scale), y1 = Math.Min(photo.Height, (cy + h / 2) / scale);
                    if (x1 <= x0 || y1 <= y0) continue;
                    var face = new DetectedFace(x0, y0, x1 - x0, y1 - y0, score, landmarks);
                    if (Math.Min(face.Width, face.Height) >= _options.MinFaceSize) candidates.Add(face);
                }
        }
        return NonMaximumSuppression(candidates, _options.NmsIoU);
    }

    /// <summary>Greedy NMS: best score first, dropping boxes that overlap a kept one by more than the IoU.</summary>
    public static List<DetectedFace> NonMaximumSuppression(IEnumerable<DetectedFace> faces, float iou)
    {
        var kept = new List<DetectedFace>();
        foreach (var face in faces.OrderByDescending(f => f.Score))
            if (kept.All(k => k.IoU(face) <= iou)) kept.Add(face);
        return kept;
    }

    private static DenseTensor<float> ToBgrPlanes(SKBitmap photo, int width, int height, int paddedW, int paddedH)
    {
        using var resized = photo.Width == width && photo.Height == height && photo.ColorType == SKColorType.Bgra8888
            ? photo.Copy()
            : photo.Resize(new SKImageInfo(width, height, SKColorType.Bgra8888, SKAlphaType.Premul), SKFilterQuality.Medium)
              ?? throw new InvalidOperationException("could not resize the photo for face detection");
        var tensor = new DenseTensor<float>([1, 3, paddedH, paddedW]);
        var span = tensor.Buffer.Span;
        int plane = paddedH * paddedW;
        var pixels = resized.GetPixelSpan();
        int rowBytes = resized.RowBytes;
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int p = y * rowBytes + x * 4; // BGRA: the detector wants B, G, R planes
                int o = y * paddedW + x;
                span[o] = pixels[p];
                span[plane + o] = pixels[p + 1];
                span[2 * plane + o] = pixels[p + 2];
            }
        return tensor;
    }

    /// <inheritdoc />
    public void Dispose() => _session.Dispose();
}
