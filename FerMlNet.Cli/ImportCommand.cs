using System.CommandLine;
using FerMlNet.Preprocessing;
using FerMlNet.Core;
using FerMlNet.Core.Data;
using FerMlNet.Scoring.FaceDetection;
using FerMlNet.Lifecycle.Quality;
using Spectre.Console;

namespace FerMlNet.Cli;

/// <summary>`fer data import SOURCE --map SRC=DST[,..] --into ROOT`: outside photos → 48×48 gray faces in a dataset.</summary>
internal static class ImportCommand
{
    public static Command Create()
    {
        var source = new Argument<string>("source") { Description = "Folder of class folders of photos (any size, colour)." };
        var map = new Option<string>("--map") { Description = "Class mapping SRC=DST[,..], e.g. happiness=happy,surprised=surprise.", Required = true };
        var into = new Option<string>("--into") { Description = "Dataset root the faces are added to (ROOT/<split>/<class>).", Required = true };
        var split = new Option<string>("--split") { Description = "Split the faces go into.", DefaultValueFactory = _ => "train" };
        var balance = new Option<bool>("--balance") { Description = "Only add until each class reaches the largest class's count." };
        var prefix = new Option<string>("--prefix") { Description = "File-name prefix of imported faces.", DefaultValueFactory = _ => "import-" };
        var noDetect = new Option<bool>("--no-detect") { Description = "Centre-crop whole photos instead of detecting faces." };
        var minFace = new Option<int>("--min-face") { Description = "Smallest face box side in pixels.", DefaultValueFactory = _ => 48 };
        var cmd = new Command("import", "Photos → largest face → 48×48 gray → into a dataset (the notebook's AffectNet migration).")
        {
            source, map, into, split, balance, prefix, noDetect, minFace,
        };
        cmd.SetAction(parse => FerCommandLine.Guard(() =>
        {
            var options = new ImportOptions
            {
                Split = ParseSplit(parse.GetValue(split)!),
                Balance = parse.GetValue(balance),
                Prefix = parse.GetValue(prefix)!,
                DetectFaces = !parse.GetValue(noDetect),
                MinFaceSize = parse.GetValue(minFace),
            };
            if (options.Prefix.IndexOfAny(['/', '\\']) >= 0 || options.Prefix.Contains(".."))
                throw new UsageException("--prefix must be a plain file-name prefix.");
            foreach (var pair in parse.GetValue(map)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var parts = pair.Split('=', StringSplitOptions.TrimEntries);
                int label = parts.Length == 2 ? EmotionClasses.IndexOfFolder(parts[1]) : -1;
                if (label < 0)
                    throw new UsageException($"--map entry '{pair}' must be SRC=DST with DST one of {string.Join(", ", EmotionClasses.Names)}.");
                options.Map[parts[0]] = label;
            }
            using var detector = options.DetectFaces ? new YuNetFaceDetector() : null;
            var (manifest, fileName) = FerCommandLine.WithProgress("Importing photos", report =>
                PhotoImporter.Run(parse.GetValue(source)!, parse.GetValue(into)!, options, detector, report));
            AnsiConsole.MarkupLine($"{manifest.Added.Count} faces added, {manifest.Rejected.Count} photos rejected; " +
                                   $"see [bold]{Markup.Escape(fileName)}[/] in the dataset root.");
            return ExitCodes.Success;
        }));
        return cmd;
    }

    private static DatasetSplit ParseSplit(string name) =>
        SplitNames.TryNormalize(name) is { } s && s != DatasetSplit.All
            ? s
            : throw new UsageException($"--split '{name}' must be train, val or test.");
}
