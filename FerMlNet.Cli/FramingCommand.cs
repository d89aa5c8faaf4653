using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using FerMlNet.Core.Data;
using FerMlNet.Core.IO;
using FerMlNet.Preprocessing;
using FerMlNet.Scoring.FaceDetection;

namespace FerMlNet.Cli;

/// <summary>
/// `fer data framing DATASET`: measures where the face detector's box sits inside the dataset's face crops and prints
/// the crop margin and vertical shift that make a detected photo face look like them (<see cref="FaceFraming"/>).
/// </summary>
internal static class FramingCommand
{
    public static Command Create()
    {
        var dataset = new Argument<string>("dataset") { Description = "Dataset of face crops (ROOT/<split>/<class>/* or ROOT/<class>/*)." };
        var sample = new Option<int>("--sample") { Description = "Faces to measure, spread evenly over the dataset.", DefaultValueFactory = _ => 2000 };
        var json = new Option<bool>("--json") { Description = "Print the measurement as JSON on stdout." };
        var cmd = new Command("framing", "Where the face detector's box sits in the dataset's faces, and the photo crop margin that matches it.")
        {
            dataset, sample, json,
        };
        cmd.SetAction(parse => FerCommandLine.Guard(() =>
        {
            int count = parse.GetValue(sample);
            if (count < 1) throw new UsageException("--sample must be at least 1.");
            var unreadable = new List<string>();
            using var detector = new YuNetFaceDetector();
            var framing = FaceFraming.Measure(CliData.Sample(parse.GetValue(dataset)!, count, unreadable), detector);
            foreach (var line in unreadable) Console.Error.WriteLine(line);
            var result = new FramingJson(framing.Faces, framing.Detected, unreadable.Count, Round(framing.BoxSide),
                Round(framing.BoxSideP10), Round(framing.BoxSideP90), Round(framing.CentreX), Round(framing.CentreY),
                Round(framing.ImpliedMargin), Round(framing.ImpliedVerticalShift), Round(new FaceCropOptions().Margin),
                Round(new FaceCropOptions().VerticalShift));
            if (parse.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(result, ReportJson.IndentedCamelCase));
            else
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"detected {framing.Detected:N0} of {framing.Faces:N0} faces; box side {framing.BoxSide:P1} of the face " +
                    $"(10-90%: {framing.BoxSideP10:P0}-{framing.BoxSideP90:P0}), box centre at ({framing.CentreX:F3}, {framing.CentreY:F3})"));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"photo crops match with margin {framing.ImpliedMargin:F3} and vertical shift {framing.ImpliedVerticalShift:F3} " +
                    $"(FaceCropOptions now: {new FaceCropOptions().Margin:F3}, {new FaceCropOptions().VerticalShift:F3})"));
            }
            return framing.Detected == 0 ? ExitCodes.DataError : ExitCodes.Success;
        }));
        return cmd;
    }

    private static double? Round(double value) => double.IsNaN(value) ? null : Math.Round(value, 4);
}
