namespace FerMlNet.Lifecycle.Calibration;

/// <summary>Options of <see cref="ModelCalibrator.Calibrate"/> (`fer calibrate`); every choice is fitted on validation only.</summary>
public sealed class CalibrationOptions
{
    /// <summary>
    /// Run folders with model.onnx (from `fer train`), or published model files (models/NAME.onnx beside its card);
    /// several make an ensemble whose logits are averaged. Required.
    /// </summary>
    public IReadOnlyList<string> Sources { get; set; } = [];

    /// <summary>Dataset root with a val split: the one the sources were trained on. Required.</summary>
    public string DataRoot { get; set; } = "";

    /// <summary>The new run folder for the calibrated model (created; its files are replaced). Required.</summary>
    public string OutputFolder { get; set; } = "";

    /// <summary>
    /// Average the logits of each face and its mirror image (twice the inference work; a member that already does is not
    /// flipped again). Default false.
    /// </summary>
    public bool FlipAveraging { get; set; }

    /// <summary>Also average each face moved by this many pixels up, down, left and right (1–8; 0, the default, is off).</summary>
    public int ShiftPixels { get; set; }

    /// <summary>What the class-bias search maximises. Default <see cref="LogitCalibrator.Objective.MacroF1"/>.</summary>
    public LogitCalibrator.Objective Objective { get; set; } = LogitCalibrator.Objective.MacroF1;

    /// <summary>
    /// Keep the fitted class biases even when their 2-fold cross-fitted score gains less than one face's worth over none
    /// (by default they are then dropped and only the temperature is kept). Default false.
    /// </summary>
    public bool KeepBias { get; set; }

    /// <summary>The labels the temperature and biases are fitted to. Default <see cref="CalibrationLabels.Folder"/>.</summary>
    public CalibrationLabels Labels { get; set; } = CalibrationLabels.Folder;
}
