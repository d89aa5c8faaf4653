using System.CommandLine;
using FerMlNet.Training.Engine;
using FerMlNet.Lifecycle.Runs;
using Spectre.Console;

namespace FerMlNet.Cli;

/// <summary>`fer train PIPELINE`: trains one pipeline and writes model.zip, model.onnx, history.json, metrics.json, run.json, report.html.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var pipeline = new Argument<string>("pipeline") { Description = "Pipeline name or file, e.g. model-bplusplus or pipelines/notebook/model-bplusplus.json." };
        var data = new Option<string?>("--data") { Description = "Dataset root (default: the pipeline's dataset)." };
        var output = new Option<string?>("--out") { Description = "Run folder (default: runs/<pipeline name>)." };
        var epochs = new Option<int?>("--epochs") { Description = "Override the pipeline's maximum epochs." };
        var maxMinutes = new Option<double>("--max-minutes") { Description = "Stop cleanly with the best weights once the run has trained M minutes (wall clock, counted across --resume)." };
        var resume = new Option<bool>("--resume") { Description = "Continue from RUNDIR/checkpoint.bin after an interruption." };
        var threads = new Option<int>("--threads") { Description = "Intra-op threads (default: one per core)." };
        var device = new Option<TrainingDevice>("--device") { Description = "cpu or cuda (a CUDA build of libtorch).", DefaultValueFactory = _ => TrainingDevice.Cpu };
        var cmd = new Command("train", "Train one pipeline; writes model.zip, model.onnx, history.json, metrics.json, run.json, report.html.")
        {
            pipeline, data, output, epochs, maxMinutes, resume, threads, device,
        };
        cmd.SetAction(parse => FerCommandLine.Guard(() =>
        {
            var options = PipelineOptions.LoadByNameOrPath(parse.GetValue(pipeline)!);
            if (parse.GetValue(epochs) is { } e) options.Epochs = e;
            if (parse.GetValue(data) is { } d) options.Dataset = d;
            options.Validate(parse.GetValue(pipeline)!);
            RequirePrerequisiteRuns(options);
            var runDir = parse.GetValue(output) ?? Path.Combine("runs", options.Name);
            if (!parse.GetValue(resume) && File.Exists(Path.Combine(runDir, "model.zip")))
                throw new UsageException($"'{runDir}' already holds a trained model; choose another --out, or --resume.");
            Run(options, runDir, new TrainerRunOptions
            {
                Resume = parse.GetValue(resume),
                MaxMinutes = parse.GetValue(maxMinutes),
                Threads = parse.GetValue(threads),
                Device = parse.GetValue(device),
            });
            return ExitCodes.Success;
        }));
        return cmd;
    }

    /// <summary>
    /// Refuses, before any image is decoded, a pipeline whose warm-start run or distillation teachers have no
    /// checkpoint, naming the key and the command that trains the run (run folders are not in the repository).
    /// </summary>
    internal static void RequirePrerequisiteRuns(PipelineOptions options)
    {
        foreach (var (key, run) in options.PrerequisiteRuns())
        {
            var checkpoint = Checkpoint.InRun(run);
            if (File.Exists(checkpoint)) continue;
            var how = PipelineCatalog.OfRunFolder(run) is { } name ? $"./fer train {name} --data {options.Dataset} --out {run}" : "fer train its pipeline with --out there";
            throw new UsageException($"{key} '{run}' has no checkpoint ({checkpoint}); train that run first: {how}.");
        }
        if (options.Distillation?.TeacherModel is { } model && !File.Exists(model))
            throw new UsageException($"distillation.teacherModel '{model}' does not exist (a model.zip or .onnx written by " +
                "`fer train` or `fer publish`, such as models/fer-default.onnx).");
    }

    /// <summary>Runs the training job with the CLI's progress display and prints its one-line summary.</summary>
    internal static TrainingJobResult Run(PipelineOptions options, string runDir, TrainerRunOptions run)
    {
        var result = TrainingJob.Run(options, runDir, run, CliProgress.Instance);
        var (record, metrics) = (result.Run, result.Validation);
        AnsiConsole.MarkupLine(record.FrozenBackbone is not null
            ? $"[green]{Markup.Escape(options.Name)}[/]: validation accuracy {metrics.Accuracy:P2} on {metrics.Images:N0} images " +
              $"({record.TrainImages:N0} training images) → {Markup.Escape(runDir)}"
            : $"[green]{Markup.Escape(options.Name)}[/]: best val_accuracy {record.BestValAccuracy:P2} at epoch {record.BestEpoch} " +
              $"({record.StopReason}); ML.NET validation accuracy {metrics.Accuracy:P2} on {metrics.Images:N0} images → {Markup.Escape(runDir)}");
        return result;
    }
}
