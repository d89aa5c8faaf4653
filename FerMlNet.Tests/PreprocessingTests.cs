using FerMlNet.Core;
using FerMlNet.Core.Data;
using FerMlNet.Preprocessing;
using Microsoft.ML;
using Microsoft.ML.Data;
using SkiaSharp;

namespace FerMlNet.Tests;

public class PreprocessingTests
{
    private sealed class PathRow
    {
        public string ImagePath { get; set; } = "";
    }

    /// <summary>Parity of the ML.NET estimator chain and the fast path: the max absolute difference over the images.</summary>
    private static float MaxParityDifference(IReadOnlyList<string> paths)
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(paths.Select(p => new PathRow { ImagePath = p }));
        var transformed = ml.Transforms.FerPreprocessFromPath().Fit(data).Transform(data);
        // Copy each row: the cursor reuses one VBuffer's storage from row to row.
        var column = transformed.GetColumn<VBuffer<float>>(PreprocessingContract.PixelsColumn)
            .Select(b => b.DenseValues().ToArray()).ToArray();
        float maxDiff = 0;
        for (int i = 0; i < paths.Count; i++)
        {
            var viaMlNet = column[i];
            Assert.Equal(PreprocessingContract.PixelCount, viaMlNet.Length);
            var fast = FaceImageDecoder.ToUnitFloats(FaceImageDecoder.DecodeFile(paths[i]));
            for (int k = 0; k < fast.Length; k++) maxDiff = Math.Max(maxDiff, Math.Abs(fast[k] - viaMlNet[k]));
        }
        return maxDiff;
    }

    /// <summary>
    /// CMYK JPEGs (Adobe, stored inverted) and progressive ones decode to the same face as the baseline RGB encoding
    /// of the same picture: a decoder that ignored the Adobe inversion would give a negative (mean error ≈ 100+).
    /// </summary>
    [Fact]
    public void CmykAndProgressiveJpegsDecodeToTheSameFace()
    {
        byte[] reference = FaceImageDecoder.DecodeFile(HostileCorpus.JpegVariant("progressive.jpg"));
        foreach (var name in new[] { "cmyk.jpg", "cmyk-progressive.jpg", "gray-progressive-optimized.jpg" })
        {
            byte[] pixels = FaceImageDecoder.DecodeFile(HostileCorpus.JpegVariant(name));
            double meanError = pixels.Zip(reference, (a, b) => Math.Abs(a - b)).Average();
            Assert.True(meanError < 6, $"{name}: mean absolute difference {meanError:F1} from the RGB encoding");
        }
    }

    [Fact]
    public void FastPathEqualsTheMlNetChainOnDatasetFaces()
    {
        var paths = EmotionClasses.Names.SelectMany(c => TestData.Fer4MitImages("train", c, 25)).ToList();
        Assert.Equal(0f, MaxParityDifference(paths)); // identical pixels on the dataset's 48×48 faces
    }

    [Fact]
    public void FastPathEqualsTheMlNetChainOnColourNonSquarePhotos()
    {
        using var tmp = TestData.NewTempDir();
        // Real 350×350 photos from wild-dev, turned into colour, non-square images of both orientations.
        var sources = Directory.GetFiles(Path.Combine(TestData.WildDev, "happy")).Order(StringComparer.Ordinal).Take(6).ToArray();
        var paths = new List<string>();
        for (int i = 0; i < sources.Length; i++)
        {
            using var src = SKBitmap.Decode(sources[i]);
            var (w, h) = i % 2 == 0 ? (350, 230) : (200, 341);
            using var dst = new SKBitmap(w, h, SKColorType.Rgba8888, SKAlphaType.Opaque);
            using (var canvas = new SKCanvas(dst))
            using (var paint = new SKPaint { ColorFilter = SKColorFilter.CreateBlendMode(new SKColor(200, 120, 60, 90), SKBlendMode.Overlay) })
                canvas.DrawBitmap(src, new SKRect(0, 0, w, h), paint);
            var path = Path.Combine(tmp.Path, $"photo{i}.{(i % 3 == 0 ? "png" : "jpg")}");
            using var data = dst.Encode(i % 3 == 0 ? SKEncodedImageFormat.Png : SKEncodedImageFormat.Jpeg, 92);
            File.WriteAllBytes(path, data.ToArray());
            paths.Add(path);
        }
        float diff = MaxParityDifference(paths);
        Assert.True(diff == 0f, $"max abs difference {diff}");
    }

    [Fact]
    public void PixelsAreScaledToUnitRangeAndNonSquareImagesAreCroppedNotStretched()
    {
        // A 96×48 image: left half black, right half white. Iso-crop keeps the centre 48×48 at scale 1:
        // columns 0-23 come from the black half and 24-47 from the white half.
        using var bmp = new SKBitmap(96, 48, SKColorType.Bgra8888, SKAlphaType.Opaque);
        for (int y = 0; y < 48; y++)
            for (int x = 0; x < 96; x++)
                bmp.SetPixel(x, y, x < 48 ? SKColors.Black : SKColors.White);
        var pixels = FaceImageDecoder.FromBitmap(bmp);
        Assert.Equal(0, pixels[10 * 48 + 5]);
        Assert.Equal(255, pixels[10 * 48 + 42]);
        var unit = FaceImageDecoder.ToUnitFloats(pixels);
        Assert.Equal(1f, unit.Max());
        Assert.Equal(0f, unit.Min());
    }

    [Theory]
    [InlineData(new byte[0], "empty file")]
    [InlineData(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 }, "not a decodable image")]
    public void BadBytesGiveAClearReason(byte[] bytes, string reason) =>
        Assert.Contains(reason, Assert.Throws<ImageDecodeException>(() => FaceImageDecoder.Decode(bytes)).Reason);

    [Fact]
    public void TruncatedJpegGivesAClearReasonOrDecodesPartially()
    {
        var bytes = File.ReadAllBytes(TestData.Fer4MitImages("train", "sad", 1)[0]);
        var truncated = bytes.AsSpan(0, 20).ToArray(); // the header alone, no image data
        var e = Assert.Throws<ImageDecodeException>(() => FaceImageDecoder.Decode(truncated));
        Assert.False(string.IsNullOrWhiteSpace(e.Reason));
    }

    [Fact]
    public void DecodeCacheGivesTheSamePixelsAndIsNeverStale()
    {
        using var tmp = TestData.NewTempDir();
        using var cache = TestData.NewTempDir();
        TestData.CopySubset(tmp.Path, 10, ("train", "train"), ("validation", "val"));
        var index = DatasetReader.Read(tmp.Path);
        var first = DecodedDatasetCache.Load(index, cache.Path);
        Assert.Single(Directory.GetFiles(cache.Path, "*.ferdc"));
        var second = DecodedDatasetCache.Load(index, cache.Path);
        Assert.Equal(first.ContentKey, second.ContentKey);
        Assert.Equal(first.Pixels, second.Pixels);
        Assert.Equal(first.Labels, second.Labels);

        // Replace one image with another face: the key changes, the pixels follow, the old cache file is gone.
        var target = index.Entries[0].FullPath;
        File.Copy(TestData.Fer4MitImages("test", "surprise", 1)[0], target, overwrite: true);
        var third = DecodedDatasetCache.Load(DatasetReader.Read(tmp.Path), cache.Path);
        Assert.NotEqual(first.ContentKey, third.ContentKey);
        Assert.Equal(FaceImageDecoder.DecodeFile(target), third.ImagePixels(0).ToArray());
        Assert.Single(Directory.GetFiles(cache.Path, "*.ferdc"));
    }

    [Fact]
    public void UnreadableImagesAreRecordedAndTheRestDecoded()
    {
        using var tmp = TestData.NewTempDir();
        using var cache = TestData.NewTempDir();
        TestData.CopySubset(tmp.Path, 3, ("train", "train"));
        File.WriteAllBytes(tmp.Combine("train", "sad", "zero.jpg"), []);
        File.WriteAllText(tmp.Combine("train", "sad", "fake.png"), "<html>not a png</html>");
        var decoded = DecodedDatasetCache.Load(DatasetReader.Read(tmp.Path), cache.Path);
        Assert.Equal(12, decoded.Count - decoded.IndicesOf(DatasetSplit.Val).Length + decoded.IndicesOf(DatasetSplit.Val).Length);
        Assert.Equal(2, decoded.Failures.Count);
        Assert.Contains(decoded.Failures, f => f.Path == "train/sad/zero.jpg" && f.Reason.Contains("empty"));
        Assert.Contains(decoded.Failures, f => f.Path == "train/sad/fake.png" && f.Reason.Contains("not a decodable"));
    }
}
