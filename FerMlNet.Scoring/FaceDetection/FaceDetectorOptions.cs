namespace FerMlNet.Scoring.FaceDetection;

/// <summary>Options of <see cref="YuNetFaceDetector"/>.</summary>
public sealed class FaceDetectorOptions
{
    /// <summary>
    /// The ONNX file: YuNet with a dynamic input (H and W multiples of 32). Default: the shipped
    /// models/face-detection-yunet/yunet_s_dynamic.onnx, found next to the program or above the working directory.
    /// </summary>
    public string? ModelPath { get; set; }

    /// <summary>
    /// Lowest face score kept. Default: 0.75 — on six group photos it found all 22 faces with one false positive,
    /// where OpenCV's 0.9 missed 4 (models/face-detection-yunet/README.md).
    /// </summary>
    public float ScoreThreshold { get; set; } = 0.75f;

    /// <summary>Boxes overlapping a better one by more than this IoU are dropped. Default: 0.3.</summary>
    public float NmsIoU { get; set; } = 0.3f;

    /// <summary>
    /// The photo is scaled so its longer side is at most this before detection (speed: 640 px takes ~5 ms on one
    /// core); boxes are mapped back to the original pixels. Default: 640.
    /// </summary>
    public int MaxInputSide { get; set; } = 640;

    /// <summary>Faces whose shorter box side is below this many original pixels are ignored. Default: 20.</summary>
    public int MinFaceSize { get; set; } = 20;

    /// <summary>ONNX Runtime intra-op threads; 0 = ONNX Runtime's default. Default: 1 (a second thread did not help here).</summary>
    public int Threads { get; set; } = 1;
}
