using System.Text.Json.Nodes;
using FerMlNet.Core;
using FerMlNet.Preprocessing;
using FerMlNet.Scoring.FaceDetection;

namespace FerMlNet.Tests;

/// <summary>
/// The photo crop frames a detected face the way the training data frames its faces, measured on real dataset faces
/// with the real detector.
/// </summary>
public class FaceFramingTests
{
    [Fact]
    [Trait(TestSpeed.Trait, TestSpeed.Slow)]
    public void TheDefaultCropMatchesTheFramingMeasuredOnTrainingFaces()
    {
        using var detector = new YuNetFaceDetector();
        var framing = FaceFraming.Measure(TestData.DecodedTrainFaces(30), detector);
        Assert.True(framing.Detected >= 0.8 * framing.Faces, $"detected {framing.Detected} of {framing.Faces}");
        var defaults = new FaceCropOptions();
        Assert.InRange(framing.ImpliedMargin, defaults.Margin - 0.06, defaults.Margin + 0.06);
        Assert.InRange(framing.ImpliedVerticalShift, defaults.VerticalShift - 0.06, defaults.VerticalShift + 0.06);
    }

    [Fact]
    public void ATrainingFacePlacedInAPhotoComesBackCloserToItselfThanWithTheOldMargin()
    {
        // Each face is enlarged into a larger grey "photo", detected and cropped again: with the measured framing the
        // crop should look like the original face; the old 10% margin shrinks the face inside its crop.
        using var detector = new YuNetFaceDetector();
        double measured = 0, old = 0;
        int n = 0;
        foreach (var face in TestData.DecodedTrainFaces(6))
        {
            using var photo = FaceFraming.OnCanvas(face);
            var box = detector.Detect(photo).MaxBy(f => f.Score);
            if (box is null) continue;
            n++;
            measured += MeanAbsoluteDifference(face, FaceCropper.Crop(photo, box));
            old += MeanAbsoluteDifference(face, FaceCropper.Crop(photo, box, new FaceCropOptions { Margin = 0.1f }));
        }
        Assert.True(n >= 18, $"only {n} of 24 faces detected");
        Assert.True(measured < old, $"mean |crop − face|: measured framing {measured / n:F1}, old margin {old / n:F1}");
    }

    [Fact]
    public void VerticalShiftMovesTheCropDownByTheFractionOfTheBox()
    {
        using var photo = FaceFraming.OnCanvas(TestData.DecodedTrainFaces(1)[0]);
        var box = new DetectedFace(100, 100, 100, 100, 1, []);
        var centred = FaceCropper.Crop(photo, box);
        var shifted = FaceCropper.Crop(photo, box, new FaceCropOptions { VerticalShift = 0.25f });
        // 0.25 of a 100-px box is 25 px of the photo, 12 px of the 48-px crop: row r of the shifted crop is row r + 12 of the centred one.
        double aligned = 0, unaligned = 0;
        for (int r = 0; r < 36; r++)
            for (int c = 0; c < 48; c++)
            {
                aligned += Math.Abs(shifted[r * 48 + c] - centred[(r + 12) * 48 + c]);
                unaligned += Math.Abs(shifted[r * 48 + c] - centred[r * 48 + c]);
            }
        Assert.True(aligned < unaligned / 4, $"aligned {aligned}, unaligned {unaligned}");
    }

    [Fact]
    [Trait(TestSpeed.Trait, TestSpeed.Slow)]
    public void FramingCommandPrintsTheMeasurementAsJson()
    {
        var r = CliProcess.Run("data", "framing", TestData.Fer4Mit, "--sample", "40", "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var json = JsonNode.Parse(r.Stdout)!;
        Assert.Equal(40, json["faces"]!.GetValue<int>());
        Assert.InRange(json["detected"]!.GetValue<int>(), 30, 40);
        Assert.InRange(json["impliedMargin"]!.GetValue<double>(), -0.1, 0.1);
        var usage = CliProcess.Run("data", "framing", TestData.Fer4Mit, "--sample", "0");
        Assert.Equal(1, usage.ExitCode);
        Assert.Contains("--sample", usage.Stderr);
    }

    private static double MeanAbsoluteDifference(byte[] a, byte[] b) => a.Zip(b, (x, y) => Math.Abs(x - y)).Average();
}
