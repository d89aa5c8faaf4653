using System.Text.Json.Nodes;
using FerMlNet.Core;
using FerMlNet.Preprocessing;
using FerMlNet.Scoring.FaceDetection;

namespace FerMlNet.Tests;

/// <summary>
/// The look of faces (brightness, contrast, sharpness), the blur and unsharp mask the photo crop can apply, and
/// `fer data look` on real training faces against real photos.
/// </summary>
public class FaceLookTests
{
    [Fact]
    public void LookOfAFaceFollowsItsDefinitions()
    {
        var flat = Enumerable.Repeat((byte)51, 48 * 48).ToArray();
        var (brightness, contrast, sharpness) = FaceLook.Of(flat);
        Assert.Equal(0.2, brightness, 6);
        Assert.Equal(0, contrast, 6);
        Assert.True(double.IsNaN(sharpness)); // no contrast: sharpness is undefined, and Measure leaves it out

        // A checkerboard of 0/255: every interior pixel's Laplacian is 4·255; std is 127.5, mean 127.5.
        var board = Enumerable.Range(0, 48 * 48).Select(i => (byte)(((i / 48) + (i % 48)) % 2 == 0 ? 0 : 255)).ToArray();
        var look = FaceLook.Of(board);
        Assert.Equal(0.5, look.Brightness, 6);
        Assert.Equal(0.5, look.Contrast, 6);
        Assert.Equal(4 * 255 / 127.5, look.Sharpness, 6);
        Assert.Throws<ArgumentException>(() => FaceLook.Of(new byte[10]));
    }

    [Fact]
    public void BlurSoftensAndUnsharpMaskingSharpensRealFacesWithoutMovingTheirBrightness()
    {
        var faces = TestData.DecodedTrainFaces(5);
        var plain = FaceLook.Measure(faces);
        var blurred = FaceLook.Measure(faces.Select(f => GrayBlur.Gaussian(f, 1)));
        var softened = FaceLook.Measure(faces.Select(f => GrayBlur.Detail(f, -1)));
        var sharpened = FaceLook.Measure(faces.Select(f => GrayBlur.Detail(f, 1)));
        Assert.True(blurred.Sharpness < 0.6 * plain.Sharpness, $"blur σ 1: {blurred.Sharpness:F3} against {plain.Sharpness:F3}");
        Assert.Equal(blurred.Sharpness, softened.Sharpness, 6); // detail −1 is the σ = 1 blur itself
        Assert.True(sharpened.Sharpness > 1.3 * plain.Sharpness, $"detail 1: {sharpened.Sharpness:F3} against {plain.Sharpness:F3}");
        Assert.InRange(blurred.Brightness - plain.Brightness, -0.01, 0.01);
        Assert.InRange(sharpened.Brightness - plain.Brightness, -0.01, 0.01);
        Assert.Equal(faces[0], GrayBlur.Detail(faces[0], 0));
        // A flat face stays flat (the kernel sums to one; mirrored edges add nothing).
        var flat = Enumerable.Repeat((byte)90, 48 * 48).ToArray();
        Assert.Equal(flat, GrayBlur.Gaussian(flat, 2));
    }

    [Fact]
    public void TheCropAppliesItsDetailSetting()
    {
        using var photo = FaceFraming.OnCanvas(TestData.DecodedTrainFaces(1)[0]);
        var box = new DetectedFace(96, 96, 144, 144, 1, []);
        var plain = FaceCropper.Crop(photo, box);
        Assert.Equal(GrayBlur.Detail(plain, 0.5), FaceCropper.Crop(photo, box, new FaceCropOptions { Detail = 0.5f }));
        Assert.Contains("detail 0.5", new FaceCropOptions { Detail = 0.5f }.ToString());
    }

    [Fact]
    [Trait(TestSpeed.Trait, TestSpeed.Slow)]
    public void LookCommandComparesTrainingFacesWithPhotoFacesAndFindsTheMatchingDetail()
    {
        using var dir = TestData.NewTempDir();
        foreach (var cls in new[] { "happy", "sad" })
        {
            Directory.CreateDirectory(dir.Combine("photos", cls));
            foreach (var file in Directory.GetFiles(Path.Combine(TestData.WildDev, cls)).Order(StringComparer.Ordinal).Take(6))
                File.Copy(file, dir.Combine("photos", cls, Path.GetFileName(file)));
        }
        File.WriteAllText(dir.Combine("photos", "happy", "broken.jpg"), "not a jpeg");

        var r = CliProcess.Run("data", "look", TestData.Fer4Mit, dir.Combine("photos"), "--sample", "60", "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("broken.jpg", r.Stderr);
        var json = JsonNode.Parse(r.Stdout)!;
        Assert.Equal(60, json["training"]!["faces"]!.GetValue<int>());
        Assert.InRange(json["photos"]!["faces"]!.GetValue<int>(), 10, 12);
        Assert.Equal(1, json["unreadable"]!.GetValue<int>());
        // The matching detail is the tried amount whose sharpness lies nearest the training faces'.
        double target = json["training"]!["sharpness"]!.GetValue<double>();
        var tried = json["sharpnessByDetail"]!.AsObject().Select(p => (Amount: double.Parse(p.Key, System.Globalization.CultureInfo.InvariantCulture), Sharpness: p.Value!.GetValue<double>())).ToList();
        Assert.Equal(tried.MinBy(t => Math.Abs(t.Sharpness - target)).Amount, json["matchingDetail"]!.GetValue<double>());
        Assert.True(tried.Zip(tried.Skip(1)).All(p => p.First.Sharpness < p.Second.Sharpness), "sharpness rises with the amount");

        var missing = CliProcess.Run("data", "look", TestData.Fer4Mit, dir.Combine("nowhere"));
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("nowhere", missing.Stderr);
    }
}
