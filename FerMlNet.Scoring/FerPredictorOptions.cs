using FerMlNet.Preprocessing;
using FerMlNet.Scoring.FaceDetection;

namespace FerMlNet.Scoring;

/// <summary>Options of <see cref="FerPredictor"/>.</summary>
public sealed class FerPredictorOptions
{
    /// <summary>
    /// Below this top probability the answer is "uncertain". Default: 0.7, the notebook's production setting.
    /// </summary>
    public float UncertainThreshold { get; set; } = FerModelConventions.DefaultUncertainThreshold;

    /// <summary>ONNX Runtime intra-op threads; 0 = ONNX Runtime's default (one per core). Default: 0.</summary>
    public int IntraOpThreads { get; set; }

    /// <summary>
    /// Whether ONNX Runtime's worker threads spin waiting for work between calls. Spinning shaves a little off
    /// back-to-back batch calls, but after each call the idle workers burn CPU that the next request's decoding
    /// and face detection need; on a 2-core server that made a webcam frame ~40% slower. Default: false.
    /// </summary>
    public bool AllowSpinning { get; set; }

    /// <summary>
    /// Run on a CUDA GPU (needs the Microsoft.ML.OnnxRuntime.Gpu package and a GPU). When that fails the predictor
    /// runs on CPU and <see cref="FerPredictor.DeviceNote"/> says why. Default: false.
    /// </summary>
    public bool UseGpu { get; set; }

    /// <summary>CUDA device index used with <see cref="UseGpu"/>. Default: 0.</summary>
    public int GpuDeviceId { get; set; }

    /// <summary>
    /// Offsets added to the log-probabilities of the four classes before the answer, one per class in the order of
    /// <c>EmotionClasses.Names</c>: a deployment's class priors (<see cref="DeploymentCalibration.ClassLogOffsets"/>,
    /// fitted by `fer calibrate-deployment` on a few labelled photos of the deployment). The probabilities returned are
    /// the adjusted ones. Default: null (the model's own answers).
    /// </summary>
    public float[]? ClassLogOffsets { get; set; }

    /// <summary>Face detector settings for the photo methods; null = defaults.</summary>
    public FaceDetectorOptions? FaceDetector { get; set; }

    /// <summary>Face crop settings for the photo methods; null = defaults.</summary>
    public FaceCropOptions? FaceCrop { get; set; }

    /// <summary>Receives one-line notes (e.g. GPU fallback). Default: none.</summary>
    public Action<string>? Log { get; set; }
}
