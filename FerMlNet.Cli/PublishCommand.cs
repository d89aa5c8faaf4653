using System.CommandLine;
using FerMlNet.Lifecycle.Publishing;
using Spectre.Console;

namespace FerMlNet.Cli;

/// <summary>
/// `fer publish RUNDIR --split-manifest M --test-metrics T`: copies a run's model.zip and model.onnx to
/// models/NAME.* and writes models/NAME.json saying how the model was made and how it scored, so a shipped model can
/// be rebuilt (`fer data split --seed`, `fer train`) and its numbers checked.
/// </summary>
internal static class PublishCommand
{
    public static Command Create()
    {
        var run = new Argument<string>("run") { Description = "Run folder written by `fer train`." };
        var manifest = new Option<string>("--split-manifest") { Description = "manifest.json of the dataset the run trained on (from `fer data split`).", Required = true };
        var test = new Option<string>("--test-metrics") { Description = "metrics.json of `fer evaluate` on that dataset's test split.", Required = true };
        var name = new Option<string>("--name") { Description = "Base name in models/.", DefaultValueFactory = _ => "fer-default" };
        var outDir = new Option<string>("--models") { Description = "Models folder.", DefaultValueFactory = _ => "models" };
        var force = new Option<bool>("--force") { Description = "Replace a published model of that name." };
        var cmd = new Command("publish", "Ship a trained run as models/NAME.zip, .onnx and .json (provenance and metrics).")
        {
            run, manifest, test, name, outDir, force,
        };
        cmd.SetAction(parse => FerCommandLine.Guard(() =>
        {
            var baseName = parse.GetValue(name)!;
            if (baseName.IndexOfAny(['/', '\\']) >= 0) throw new UsageException("--name must be a plain file name.");
            var models = parse.GetValue(outDir)!;
            if (!parse.GetValue(force) && ModelPublisher.Files(models, baseName).FirstOrDefault(File.Exists) is { } existing)
                throw new UsageException($"'{existing}' already exists; add --force to replace the published model.");
            var card = ModelPublisher.Publish(parse.GetValue(run)!, parse.GetValue(manifest)!, parse.GetValue(test)!, baseName, models,
                overwrite: parse.GetValue(force));
            AnsiConsole.MarkupLine($"Published [bold]{Markup.Escape(baseName)}[/]: folder labels validation {card.Validation.Accuracy:P2}, " +
                                   $"test {card.Test.Accuracy:P2} ({card.Test.Images:N0} images)" +
                                   (card.Test.Crowd?.Majority is { } crowdTest && card.Validation.Crowd?.Majority is { } crowdVal
                                       ? $"; FER+ majority validation {crowdVal.Accuracy:P2}, test {crowdTest.Accuracy:P2} ({crowdTest.Images:N0} images)."
                                       : "."));
            return ExitCodes.Success;
        }));
        return cmd;
    }
}
