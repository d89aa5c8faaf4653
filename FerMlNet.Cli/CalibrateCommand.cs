using System.CommandLine;
using FerMlNet.Lifecycle.Calibration;
using FerMlNet.Training.Engine;
using Spectre.Console;

namespace FerMlNet.Cli;

/// <summary>
/// `fer calibrate RUNDIR [RUNDIR...] --data DATASET [--tta] [--objective macro-f1] --out DIR`: parses the options,
/// calls <see cref="ModelCalibrator.Calibrate"/> (ensemble, flip/shift TTA, class biases and temperature, fitted on
/// validation only) and prints what it fitted.
/// </summary>
internal static class CalibrateCommand
{
    public static Command Create()
    {
        var runDirs = new Argument<string[]>("runs") { Description = "Run folders with model.onnx (from fer train), or published model files (models/NAME.onnx beside its card models/NAME.json); several make an ensemble.", Arity = ArgumentArity.OneOrMore };
        var data = new Option<string>("--data") { Description = "Dataset root with a val split (the one the run was trained on).", Required = true };
        var outDir = new Option<string>("--out") { Description = "New run folder for the calibrated model.", Required = true };
        var tta = new Option<bool>("--tta") { Description = "Average the logits of each face and its mirror image (twice the inference work; an ensemble member that already does, such as a published model calibrated with --tta, is not flipped again)." };
        var shift = new Option<int>("--tta-shift") { Description = "Also average each face moved by this many pixels up, down, left and right (1–8; 0 = off): five times the inference work, ten with --tta." };
        var objective = new Option<string>("--objective") { Description = "What the class-bias search maximises on validation: macro-f1, accuracy, or none (temperature only).", DefaultValueFactory = _ => "macro-f1" };
        var keepBias = new Option<bool>("--keep-bias") { Description = "Keep the fitted class biases even when their 2-fold cross-fitted score on validation gains less than one face's worth (1/n) over none (by default they are then dropped and only the temperature is kept)." };
        var force = new Option<bool>("--force") { Description = "Replace a calibrated model already in --out." };
        var labels = new Option<string>("--labels") { Description = "The labels the temperature and class biases are fitted to: folder (the class folders) or crowd (the FER+ crowd majority, over the validation faces that have one; for vote-trained runs).", DefaultValueFactory = _ => "folder" };
        var cmd = new Command("calibrate", "Ensemble runs, add flip/shift TTA, fit class biases and temperature on validation; write a new model.onnx/model.zip with them in the graph.")
        {
            runDirs, data, outDir, tta, shift, objective, keepBias, force, labels,
        };
        cmd.SetAction(parse => FerCommandLine.Guard(() =>
        {
            var options = new CalibrationOptions
            {
                Sources = parse.GetValue(runDirs)!,
                DataRoot = parse.GetValue(data)!,
                OutputFolder = parse.GetValue(outDir)!,
                FlipAveraging = parse.GetValue(tta),
                ShiftPixels = parse.GetValue(shift),
                Objective = FerCommandLine.ParseWireName<LogitCalibrator.Objective>("--objective", parse.GetValue(objective)!),
                KeepBias = parse.GetValue(keepBias),
                Labels = FerCommandLine.ParseWireName<CalibrationLabels>("--labels", parse.GetValue(labels)!),
            };
            if (options.Sources.Any(r => Path.GetFullPath(r) == Path.GetFullPath(options.OutputFolder)))
                throw new UsageException("--out must be a new folder, not a run given.");
            if (options.ShiftPixels is < 0 or > 8) throw new UsageException($"--tta-shift is {options.ShiftPixels}; use 1–8 pixels, or 0 for none.");
            CliData.PrepareReportFolder(options.OutputFolder, parse.GetValue(force), "model.onnx", "model.zip", "calibration.json");
            Print(ModelCalibrator.Calibrate(options, CliProgress.Instance));
            return ExitCodes.Success;
        }));
        return cmd;
    }

    /// <summary>
    /// What was fitted, every figure on the labels it was fitted to (the crowd's majority or the folder labels), so
    /// before and after compare like with like.
    /// </summary>
    private static void Print(CalibrationResult result)
    {
        var record = result.Record;
        var (before, after) = (record.AsTrained, record.CalibratedInSample);
        var crossFitted = record.CalibratedCrossFitted!; // a fresh calibration always has it; only older files lack it
        string labels = record.FittedOn.Labels ?? WireName.Of(CalibrationLabels.Folder);
        AnsiConsole.MarkupLine($"val ({record.FittedOn.Images:N0}, {labels} labels): accuracy {before.Accuracy:P2} → {after.Accuracy:P2} " +
            $"(cross-fitted {crossFitted.Accuracy:P2}), macro-F1 {before.MacroF1:F3} → {after.MacroF1:F3} " +
            $"(cross-fitted {crossFitted.MacroF1:F3}), NLL {before.Nll:F3} → {after.Nll:F3}, " +
            $"T {record.Temperature:F2}, bias [[{string.Join(", ", record.Bias.Values.Select(b => b.ToString("+0.00;-0.00")))}]] → {Markup.Escape(result.Folder)}");
        if (record.BiasChoice is not null) AnsiConsole.MarkupLine(Markup.Escape(record.BiasChoice.Reason));
    }
}
