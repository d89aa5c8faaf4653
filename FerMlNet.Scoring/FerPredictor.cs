using System.IO.Compression;
using FerMlNet.Preprocessing;
using FerMlNet.Scoring.FaceDetection;
using Microsoft.ML;
using Microsoft.ML.OnnxRuntime;

namespace FerMlNet.Scoring;

/// <summary>
/// Loads a FerMlNet model once (model.zip or .onnx) and classifies faces: one 48×48 image, a batch, an image file or
/// stream, or every face of a photo. One shared ONNX Runtime session serves all threads (ONNX Runtime sessions are
/// thread-safe), so one instance per process is the intended use. Every input goes through the one preprocessing
/// contract, so answers match training and evaluation exactly.
/// </summary>
public sealed class FerPredictor : IDisposable
{
    private const string InputName = FerModelConventions.OnnxInputName, OutputName = FerModelConventions.OnnxProbabilitiesName;
    private readonly InferenceSession _session;
    private readonly FerPredictorOptions _options;
    private readonly YuNetFaceDetector _detector;
    private static int _gpuFallbackNoted;

    private FerPredictor(InferenceSession session, YuNetFaceDetector detector, FerPredictorOptions options, string modelPath, string deviceNote)
    {
        _session = session;
        _detector = detector;
        _options = options;
        ModelPath = modelPath;
        DeviceNote = deviceNote;
        InputChannels = (int)session.InputMetadata[InputName].Dimensions[1];
    }

    /// <summary>The model file this predictor runs.</summary>
    public string ModelPath { get; }

    /// <summary>Where the network runs, and why when it is not where the options asked.</summary>
    public string DeviceNote { get; }

    /// <summary>1 for gray networks, 3 for the RGB network (gray replicated).</summary>
    public int InputChannels { get; }

    /// <summary>The "uncertain" threshold in use.</summary>
    public float UncertainThreshold => _options.UncertainThreshold;

    /// <summary>
    /// Loads the default model shipped with the library (<see cref="ShippedModels.DefaultModel"/>, in the app's folder).
    /// </summary>
    /// <exception cref="FileNotFoundException">The model or the face detector is missing (the message names the path).</exception>
    /// <exception cref="InvalidDataException">The model or the face detector is not readable (the message says why).</exception>
    public static FerPredictor LoadDefault(FerPredictorOptions? options = null) => Load(ShippedModels.DefaultModel, options);

    /// <summary>
    /// Loads a model.zip (ML.NET, as written by `fer train`) or a .onnx file, and the face detector the photo methods
    /// use, so that a missing or broken file fails here rather than at the first photo.
    /// </summary>
    /// <exception cref="FileNotFoundException">The model or the face detector is missing (the message names the path).</exception>
    /// <exception cref="InvalidDataException">The model or the face detector is not readable (the message says why).</exception>
    public static FerPredictor Load(string modelPath, FerPredictorOptions? options = null)
    {
        options ??= new FerPredictorOptions();
        if (options.ClassLogOffsets is { } offsets && (offsets.Length != EmotionClasses.Count || !offsets.All(float.IsFinite)))
            throw new ArgumentException($"ClassLogOffsets needs {EmotionClasses.Count} finite values, one per class.", nameof(options));
        if (!File.Exists(modelPath))
            throw new FileNotFoundException(Directory.Exists(modelPath)
                ? $"Model '{modelPath}' is a folder, not a model.zip or .onnx file."
                : $"Model '{modelPath}' does not exist.", modelPath);
        byte[] onnx = Path.GetExtension(modelPath).Equals(".zip", StringComparison.OrdinalIgnoreCase)
            ? OnnxFromModelZip(modelPath)
            : InputFile.ReadModel(modelPath);
        var (sessionOptions, note) = CreateSessionOptions(options);
        InferenceSession session;
        try
        {
            session = new InferenceSession(onnx, sessionOptions);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidDataException($"Model '{modelPath}' is not a readable ONNX graph: {FirstLine(e.Message)}");
        }
        finally
        {
            sessionOptions.Dispose();
        }
        if (!session.InputMetadata.ContainsKey(InputName) || !session.OutputMetadata.ContainsKey(OutputName))
        {
            session.Dispose();
            throw new InvalidDataException($"Model '{modelPath}' is not a FerMlNet network (it needs an input '{InputName}' " +
                                           $"and an output '{OutputName}').");
        }
        try
        {
            return new FerPredictor(session, new YuNetFaceDetector(options.FaceDetector), options, modelPath, note);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>Classifies one 48×48 grey face (2,304 bytes, row-major, 0-255).</summary>
    public EmotionPrediction PredictPixels(ReadOnlySpan<byte> pixels) => PredictBatch([pixels.ToArray()])[0];

    /// <summary>Classifies many 48×48 grey faces in one ONNX Runtime call (the fast path for batch scoring).</summary>
    public EmotionPrediction[] PredictBatch(IReadOnlyList<byte[]> faces, IReadOnlyList<DetectedFace?>? boxes = null)
    {
        if (faces.Count == 0) return [];
        var input = FaceTensor.FromFaces(faces, InputChannels);
        using var results = _session.Run([NamedOnnxValue.CreateFromTensor(InputName, input)], [OutputName]);
        var probabilities = results[0].AsTensor<float>().ToArray();
        return Enumerable.Range(0, faces.Count).Select(i => EmotionPrediction.From(
            WithClassOffsets(probabilities.AsSpan(i * EmotionClasses.Count, EmotionClasses.Count).ToArray()),
            _options.UncertainThreshold, boxes?[i])).ToArray();
    }

    /// <summary>Classifies a whole image (any size or colour) through the preprocessing contract, without face detection.</summary>
    /// <exception cref="ImageDecodeException">The bytes are not a decodable image.</exception>
    public EmotionPrediction Predict(ReadOnlySpan<byte> encodedImage) => PredictPixels(FaceImageDecoder.Decode(encodedImage));

    /// <summary>Classifies a whole image file.</summary>
    public EmotionPrediction Predict(string imagePath) => PredictPixels(FaceImageDecoder.DecodeFile(imagePath));

    /// <summary>Classifies a whole image read from a stream.</summary>
    public EmotionPrediction Predict(Stream imageStream)
    {
        using var buffer = new MemoryStream();
        imageStream.CopyTo(buffer);
        return Predict(buffer.ToArray());
    }

    /// <summary>
    /// Every face of a photo, largest first: photos go through the face detector (an empty list means no face);
    /// images of at most 64 px are taken as face crops and classified whole.
    /// </summary>
    public IReadOnlyList<EmotionPrediction> PredictFaces(ReadOnlySpan<byte> encodedPhoto)
    {
        using var photo = FaceImageDecoder.DecodeBitmap(encodedPhoto);
        var crops = ExtractFaces(photo);
        return PredictBatch(crops.Select(c => c.Pixels).ToList(), crops.Select(c => c.Face).ToList());
    }

    /// <summary>
    /// The face crops of a decoded photo, as <see cref="PredictFaces(ReadOnlySpan{byte})"/> finds them;
    /// <paramref name="detectorSide"/> overrides the detector's input size (320 suits webcam frames; default 640).
    /// Internal: SkiaSharp stays out of the public API (the web host and the CLI are friends).
    /// </summary>
    internal IReadOnlyList<FaceCrop> ExtractFaces(SkiaSharp.SKBitmap photo, int? detectorSide = null) =>
        PhotoFaces.Extract(photo, _detector, _options.FaceCrop, detectorSide);

    /// <summary>
    /// The face crops of a photo file with this predictor's detector and crop settings (or the whole image when
    /// <paramref name="detectFaces"/> is false); a bad file gives its reason instead of an exception.
    /// </summary>
    internal (IReadOnlyList<FaceCrop> Crops, string? Error) ReadFaces(string path, bool detectFaces) =>
        PhotoFaces.FromFile(path, detectFaces ? _detector : null, _options.FaceCrop);

    /// <summary>Every face of a photo file (see <see cref="PredictFaces(ReadOnlySpan{byte})"/>).</summary>
    public IReadOnlyList<EmotionPrediction> PredictFaces(string photoPath) => PredictFaces(FaceImageDecoder.ReadFile(photoPath));

    /// <summary>
    /// The ONNX graph inside a FerMlNet model.zip. ML.NET's OnnxTransformer stores the model bytes in an entry named
    /// "OnnxModel" as a 4-byte little-endian length followed by the ONNX protobuf; reading it directly lets the
    /// library run one shared ONNX Runtime session (fast, thread-safe) instead of a PredictionEngine per thread.
    /// </summary>
    internal static byte[] OnnxFromModelZip(string zipPath)
    {
        // A pipe or device under a model.zip's name would block the zip reader: refused before it opens (a .onnx is
        // read through InputFile.ReadModel, which refuses it the same way).
        InputFile.ThrowIfSpecial(zipPath, "Model ");
        try
        {
            using var zip = ZipFile.OpenRead(zipPath);
            var entry = zip.Entries.FirstOrDefault(e => e.FullName.EndsWith("/OnnxModel", StringComparison.Ordinal))
                ?? throw new InvalidDataException($"'{zipPath}' is an ML.NET model without an ONNX network; it was not written by FerMlNet.");
            using var stream = entry.Open();
            using var reader = new BinaryReader(stream);
            int length = reader.ReadInt32();
            if (length <= 0 || length > entry.Length - 4)
                throw new InvalidDataException($"'{zipPath}': the embedded ONNX network is truncated.");
            var bytes = reader.ReadBytes(length);
            if (bytes.Length != length) throw new InvalidDataException($"'{zipPath}': the embedded ONNX network is truncated.");
            return bytes;
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith('\''))
        {
            throw new InvalidDataException($"'{zipPath}' is not a readable model.zip ({e.Message}).");
        }
        catch (EndOfStreamException)
        {
            throw new InvalidDataException($"'{zipPath}': the embedded ONNX network is truncated.");
        }
    }

    private static (SessionOptions, string) CreateSessionOptions(FerPredictorOptions options)
    {
        var sessionOptions = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        if (options.IntraOpThreads > 0) sessionOptions.IntraOpNumThreads = options.IntraOpThreads;
        sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", options.AllowSpinning ? "1" : "0");
        if (!options.UseGpu) return (sessionOptions, "cpu");
        try
        {
            sessionOptions.AppendExecutionProvider_CUDA(options.GpuDeviceId);
            return (sessionOptions, $"cuda:{options.GpuDeviceId}");
        }
        catch (Exception e) when (e is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException)
        {
            var note = $"cpu (GPU requested, CUDA unavailable: {FirstLine(e.Message)}; the app needs Microsoft.ML.OnnxRuntime.Gpu.Linux in place of the CPU runtime, and CUDA)";
            // Said once per process: a server that loads a model per request or swaps models should not repeat it.
            if (Interlocked.Exchange(ref _gpuFallbackNoted, 1) == 0) options.Log?.Invoke(note);
            return (sessionOptions, note);
        }
    }

    /// <summary>The deployment's class priors (<see cref="FerPredictorOptions.ClassLogOffsets"/>), when set.</summary>
    private float[] WithClassOffsets(float[] probabilities) =>
        _options.ClassLogOffsets is { } offsets ? DeploymentCalibration.Apply(probabilities, offsets) : probabilities;

    /// <summary>The first line of an ONNX Runtime or serializer message (the rest is a native stack or a path).</summary>
    internal static string FirstLine(string text) => text.Split('\n')[0].Trim();

    /// <inheritdoc />
    public void Dispose()
    {
        _session.Dispose();
        _detector.Dispose();
    }
}
