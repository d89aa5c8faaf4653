using FerMlNet.Lifecycle.Calibration;
using FerMlNet.Lifecycle.Evaluation;
using FerMlNet.Training.Onnx;

namespace FerMlNet.Lifecycle.Publishing;

/// <summary>
/// Paths as a published card states them: relative to the folder that holds the models folder (the repository root
/// when publishing into REPO/models), so a card shipped in the package names "runs/X" and
/// "datasets/fer4-clean/val/…" rather than the machine it was published on. A path outside that folder stays as it is.
/// </summary>
/// <param name="baseDir">The folder the card's paths are relative to.</param>
internal sealed class CardPaths(string baseDir)
{
    private readonly string _base = Path.GetFullPath(baseDir);

    /// <summary>The path relative to the base with '/' separators, or unchanged when it is relative or outside the base.</summary>
    public string Portable(string path)
    {
        if (!Path.IsPathRooted(path)) return path;
        var relative = Path.GetRelativePath(_base, Path.GetFullPath(path));
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative)
            ? path
            : relative.Replace('\\', '/');
    }

    /// <summary>The calibration with its sources and fit dataset made portable.</summary>
    public CalibrationRecord Portable(CalibrationRecord calibration) => calibration with
    {
        Sources = [.. calibration.Sources.Select(Portable)],
        FittedOn = calibration.FittedOn with { Dataset = Portable(calibration.FittedOn.Dataset) },
    };

    /// <summary>The quantization record with its float source made portable.</summary>
    public QuantizationRecord Portable(QuantizationRecord quantization) => quantization with { Source = Portable(quantization.Source) };

    /// <summary>The metrics with the paths of their most confident mistakes made portable.</summary>
    public EvaluationMetrics Portable(EvaluationMetrics metrics) => metrics with
    {
        Mistakes = metrics.Mistakes?.Select(m => m with { Path = Portable(m.Path) }).ToArray(),
    };
}
