using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using FerMlNet.Core.Data;
using FerMlNet.Core.IO;
using FerMlNet.Preprocessing;
using FerMlNet.Scoring.FaceDetection;

namespace FerMlNet.Cli;

/// <summary>
/// `fer data look FACES PHOTOS`: brightness, contrast and sharpness of the training faces against faces detected and
/// cropped from a folder of photos (<see cref="FaceLook"/>), and the blur that gives the photo crops the training
/// faces' median sharpness. Uses no labels: it says whether a deployment's photos look like the training data.
/// </summary>
internal static class LookCommand
{
    /// <summary>Unsharp-mask amounts tried when matching sharpness (<see cref="GrayBlur.Detail"/>).</summary>
    private static readonly double[] Amounts = [-1, -0.75, -0.5, -0.25, 0, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 2, 2.5, 3];

    public static Command Create()
    {
        var faces = new Argument<string>("faces") { Description = "Dataset of training face crops (ROOT/<split>/<class>/* or ROOT/<class>/*)." };
        var photos = new Argument<string>("photos") { Description = "Folder of photos (recursive); the largest detected face of each is measured." };
        var sample = new Option<int>("--sample") { Description = "Training faces to measure, spread evenly over the dataset.", DefaultValueFactory = _ => 2000 };
        var json = new Option<bool>("--json") { Description = "Print the measurement as JSON on stdout." };
        var cmd = new Command("look", "Brightness, contrast and sharpness of training faces against faces cropped from photos, and the blur that matches them.")
        {
            faces, photos, sample, json,
        };
        cmd.SetAction(parse => FerCommandLine.Guard(() =>
        {
            int count = parse.GetValue(sample);
            if (count < 1) throw new UsageException("--sample must be at least 1.");
            var unreadable = new List<string>();
            var training = FaceLook.Measure(CliData.Sample(parse.GetValue(faces)!, count, unreadable));

            var photoRoot = Path.GetFullPath(parse.GetValue(photos)!);
            if (!Directory.Exists(photoRoot)) throw new DatasetException($"'{photoRoot}' is not a folder.");
            using var detector = new YuNetFaceDetector();
            var crops = new List<byte[]>();
            int noFace = 0;
            foreach (var file in FileTree.Files(photoRoot).Where(DatasetReader.IsImageFile).Order(StringComparer.Ordinal))
            {
                var (found, error) = PhotoFaces.FromFile(file, detector);
                if (error is not null) unreadable.Add($"skipped {file}: {error}");
                else if (found.Count == 0) noFace++;
                else crops.Add(found[0].Pixels);
            }
            foreach (var line in unreadable) Console.Error.WriteLine(line);
            if (crops.Count == 0) throw new DatasetException($"No face was found in the photos under '{photoRoot}'.");
            var photo = FaceLook.Measure(crops);
            var detailed = Amounts.Select(a => (Amount: a, Look: FaceLook.Measure(crops.Select(c => GrayBlur.Detail(c, a))))).ToList();
            var match = detailed.MinBy(b => Math.Abs(b.Look.Sharpness - training.Sharpness));

            var result = new LookJson(Json(training), Json(photo), crops.Count + noFace, noFace, unreadable.Count,
                detailed.ToDictionary(d => d.Amount.ToString(CultureInfo.InvariantCulture), d => Math.Round(d.Look.Sharpness, 4)),
                match.Amount, new FaceCropOptions().Detail);
            if (parse.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(result, ReportJson.IndentedCamelCase));
            else
            {
                Console.WriteLine(Line("training faces", training));
                Console.WriteLine(Line($"photo faces ({crops.Count:N0} of {crops.Count + noFace:N0} photos)", photo));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"detail {match.Amount} gives the photo faces sharpness {match.Look.Sharpness:F3} " +
                    $"(FaceCropOptions.Detail now: {new FaceCropOptions().Detail})"));
            }
            return ExitCodes.Success;
        }));
        return cmd;
    }

    private static FaceLookJson Json(FaceLook look) =>
        new(look.Faces, Math.Round(look.Brightness, 4), Math.Round(look.Contrast, 4), Math.Round(look.Sharpness, 4));

    private static string Line(string what, FaceLook look) => string.Create(CultureInfo.InvariantCulture,
        $"{what}: brightness {look.Brightness:F3}, contrast {look.Contrast:F3}, sharpness {look.Sharpness:F3} (medians over {look.Faces:N0})");
}
