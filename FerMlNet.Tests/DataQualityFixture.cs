using FerMlNet.Core.Data;
using FerMlNet.Preprocessing;

namespace FerMlNet.Tests;

/// <summary>
/// A small real dataset with the flaws the data tools must find, built once: 25 images per class from train and 4
/// from test, plus a known cross-split duplicate pair, a known conflicting-label pair, the known blank image, a
/// re-encoded (near) copy and two crafted bad files.
/// </summary>
public sealed class DataQualityFixture : IDisposable
{
    private readonly TempDir _dir = TestData.NewTempDir();

    public DataQualityFixture()
    {
        TestData.CopySubset(Root, 25, ("train", "train"), ("validation", "val"), ("test", "test"));
        Copy("train/happy/16665.jpg", "train/happy/16665.jpg");          // also validation/happy/18425.jpg: cross-split
        Copy("validation/happy/18425.jpg", "val/happy/18425.jpg");
        Copy("train/happy/25285.jpg", "train/happy/25285.jpg");          // same pixels as train/surprise/34012.jpg
        Copy("train/surprise/34012.jpg", "train/surprise/34012.jpg");
        Copy("train/neutral/22927.jpg", "train/neutral/22927.jpg");      // blank
        // A near duplicate: the same face re-encoded as PNG one grey level brighter (different pixels, same face).
        var face = FaceImageDecoder.DecodeFile(Path.Combine(TestData.Fer4Mit, "train/sad", Path.GetFileName(TestData.Fer4MitImages("train", "sad", 1)[0])));
        var brighter = face.Select(p => (byte)Math.Min(255, p + 1)).ToArray();
        File.WriteAllBytes(Path.Combine(Root, "test/sad/brighter-copy.png"), Core.Reports.GrayImages.EncodePng(brighter));
        File.WriteAllBytes(Path.Combine(Root, "train/sad/zero-bytes.jpg"), []);
        var jpeg = File.ReadAllBytes(TestData.Fer4MitImages("train", "happy", 1)[0]);
        File.WriteAllBytes(Path.Combine(Root, "train/happy/truncated.jpg"), jpeg[..(jpeg.Length / 3)]);
        NearCopyOf = "train/sad/" + Path.GetFileName(TestData.Fer4MitImages("train", "sad", 1)[0]);
        Index = DatasetReader.Read(Root, new DatasetReaderOptions { CreateValidationWhenMissing = false });
        Data = DecodedDatasetCache.Load(Index, useCache: false);
    }

    public string Root => _dir.Path;

    /// <summary>The picture whose brighter PNG copy is test/sad/brighter-copy.png.</summary>
    public string NearCopyOf { get; }

    public DatasetIndex Index { get; }

    public DecodedDataset Data { get; }

    private void Copy(string source, string target)
    {
        var path = Path.Combine(Root, target);
        if (!File.Exists(path)) File.Copy(Path.Combine(TestData.Fer4Mit, source), path);
    }

    public void Dispose() => _dir.Dispose();
}
