using System.Text.Json;
using FerMlNet.Preprocessing;
using FerMlNet.Scoring.FaceDetection;
using SkiaSharp;

namespace FerMlNet.Tests;

public class FaceImportTests
{
    [Fact]
    public void YuNetFindsOneFaceWithLandmarksInAPortrait()
    {
        using var detector = new YuNetFaceDetector();
        var file = Directory.GetFiles(Path.Combine(TestData.WildDev, "happy")).Order(StringComparer.Ordinal).First();
        using var photo = FaceImageDecoder.DecodeBitmap(File.ReadAllBytes(file));
        var face = Assert.Single(detector.Detect(photo));
        Assert.True(face.Score >= 0.75f);
        Assert.InRange(face.Width, photo.Width * 0.15f, photo.Width * 0.95f);
        Assert.InRange(face.X + face.Width / 2, photo.Width * 0.25f, photo.Width * 0.75f);
        var (rightEye, leftEye, nose, mouthRight, _) = (face.Landmarks[0], face.Landmarks[1], face.Landmarks[2], face.Landmarks[3], face.Landmarks[4]);
        Assert.True(rightEye.X < leftEye.X, "the subject's right eye is on the image's left");
        Assert.True(rightEye.Y < nose.Y && nose.Y < mouthRight.Y);

        using var black = new SKBitmap(320, 240);
        black.Erase(SKColors.Black);
        Assert.Empty(detector.Detect(black));
    }

    [Fact]
    public void DatasetSizedFacesAreUsedWholeNotDetected()
    {
        using var detector = new YuNetFaceDetector();
        var file = TestData.Fer4MitImages("test", "happy", 1)[0];
        using var face = FaceImageDecoder.DecodeBitmap(File.ReadAllBytes(file));
        var crop = Assert.Single(PhotoFaces.Extract(face, detector));
        Assert.Null(crop.Face);
        Assert.Equal(FaceImageDecoder.DecodeFile(file), crop.Pixels);
    }

    [Fact]
    [Trait(TestSpeed.Trait, TestSpeed.Slow)]
    public void ImportAddsFaceCropsRejectsBadPhotosWithReasonsAndNeverOverwrites()
    {
        using var work = TestData.NewTempDir();
        var source = work.Combine("photos");
        foreach (var (from, to) in new[] { ("happy", "happiness"), ("surprise", "surprised"), ("sad", "sadness") })
        {
            Directory.CreateDirectory(Path.Combine(source, to));
            foreach (var f in Directory.GetFiles(Path.Combine(TestData.WildDev, from)).Order(StringComparer.Ordinal).Take(3))
                File.Copy(f, Path.Combine(source, to, Path.GetFileName(f)));
        }
        File.WriteAllBytes(Path.Combine(source, "happiness", "empty.jpg"), []);
        File.WriteAllText(Path.Combine(source, "happiness", "page.jpg"), "<html>not a photo</html>");
        using (var black = new SKBitmap(200, 200))
        {
            black.Erase(SKColors.Black);
            File.WriteAllBytes(Path.Combine(source, "surprised", "black.png"), black.Encode(SKEncodedImageFormat.Png, 100).ToArray());
        }
        var target = work.Combine("dataset");
        TestData.CopySubset(target, 5, ("train", "train"));

        var run = CliProcess.Run("data", "import", source, "--map", "happiness=happy,surprised=surprise", "--into", target, "--prefix", "wild-");
        Assert.True(run.ExitCode == 0, run.Stderr);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(target, "import-wild.json")));
        var root = doc.RootElement;
        Assert.Equal(6, root.GetProperty("added").GetArrayLength());
        var reasons = root.GetProperty("rejected").EnumerateArray()
            .ToDictionary(r => r.GetProperty("source").GetString()!, r => r.GetProperty("reason").GetString()!);
        Assert.Equal("empty file (0 bytes)", reasons["happiness/empty.jpg"]);
        Assert.Contains("not a decodable image", reasons["happiness/page.jpg"]);
        Assert.Equal("no face found", reasons["surprised/black.png"]);
        Assert.Equal("class folder not in --map", root.GetProperty("skippedFolders")[0].GetProperty("reason").GetString());
        Assert.Equal(8, root.GetProperty("countsAfter").GetProperty("happy").GetInt32());
        var added = root.GetProperty("added")[0].GetProperty("path").GetString()!;
        Assert.StartsWith("train/", added);
        Assert.Equal(PreprocessingContract.PixelCount, FaceImageDecoder.DecodeFile(Path.Combine(target, added)).Length);
        using (var png = SKBitmap.Decode(Path.Combine(target, added)))
            Assert.Equal((48, 48), (png.Width, png.Height));

        var before = File.ReadAllBytes(Path.Combine(target, added));
        var again = CliProcess.Run("data", "import", source, "--map", "happiness=happy,surprised=surprise", "--into", target, "--prefix", "wild-");
        Assert.Equal(0, again.ExitCode);
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(target, added)));
        using var second = JsonDocument.Parse(File.ReadAllText(Path.Combine(target, "import-wild-2.json")));
        Assert.Equal(0, second.RootElement.GetProperty("added").GetArrayLength());
        Assert.Contains(second.RootElement.GetProperty("rejected").EnumerateArray(), r => r.GetProperty("reason").GetString()!.Contains("already exists"));
    }

    [Fact]
    [Trait(TestSpeed.Trait, TestSpeed.Slow)]
    public void BalanceStopsAtTheLargestClassCount()
    {
        using var work = TestData.NewTempDir();
        var source = work.Combine("photos", "surprise");
        Directory.CreateDirectory(source);
        foreach (var f in Directory.GetFiles(Path.Combine(TestData.WildDev, "surprise")).Order(StringComparer.Ordinal).Take(6))
            File.Copy(f, Path.Combine(source, Path.GetFileName(f)));
        var target = work.Combine("dataset");
        TestData.CopySubset(target, 4, ("train", "train"));
        foreach (var f in Directory.GetFiles(Path.Combine(target, "train", "surprise")).Skip(1)) File.Delete(f);

        var run = CliProcess.Run("data", "import", work.Combine("photos"), "--map", "surprise=surprise", "--into", target, "--balance");
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal(4, Directory.GetFiles(Path.Combine(target, "train", "surprise")).Length);
        var bad = CliProcess.Run("data", "import", work.Combine("photos"), "--map", "surprise=angry", "--into", target);
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("--map entry 'surprise=angry'", bad.Stderr);
    }
}
