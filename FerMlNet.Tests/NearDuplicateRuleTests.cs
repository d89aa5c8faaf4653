using FerMlNet.Core.Data;
using FerMlNet.Core.Quality;
using FerMlNet.Preprocessing;

namespace FerMlNet.Tests;

/// <summary>
/// The near-duplicate rule: a perceptual-hash candidate counts only when the pixels confirm it. The pixel measure
/// sees a re-cropped or re-exposed copy as the same picture and two people as two; on the embedded dataset the rule
/// keeps every reviewed pair that is one picture above the threshold and none that is two
/// (datasets/reviews/fer4-mit-near-pairs.csv), and the hash alone does not.
/// </summary>
public class NearDuplicateRuleTests
{
    private static byte[] Face(string relative) => FaceImageDecoder.DecodeFile(Path.Combine(TestData.Fer4Mit, relative));

    private static string ReviewFile => Path.Combine(TestData.RepoRoot, "datasets", "reviews", "fer4-mit-near-pairs.csv");

    [Fact]
    public void ACopyMovedOrReExposedCorrelatesFullyAndTwoPeopleDoNot()
    {
        var face = Face("train/happy/18406.jpg");
        const int side = PreprocessingContract.ImageSize;
        Assert.Equal(1, PixelCorrelation.Best(face, face), 9);
        // Moved two pixels right and down (the uncovered edge repeated), and with contrast and brightness changed.
        var moved = new byte[face.Length];
        for (int y = 0; y < side; y++)
            for (int x = 0; x < side; x++)
                moved[y * side + x] = face[Math.Max(0, y - 2) * side + Math.Max(0, x - 2)];
        Assert.True(PixelCorrelation.Best(face, moved) > 0.999);
        var exposed = face.Select(p => (byte)Math.Min(255, p * 0.8 + 30)).ToArray();
        Assert.True(PixelCorrelation.Best(face, exposed) > 0.99);
        // The first pair of the review: a hash candidate (distance 6) that joins two different people.
        Assert.True(PixelCorrelation.Best(face, Face("train/sad/32193.jpg")) < AuditOptions.DefaultNearMinCorrelation);
        Assert.Throws<ArgumentException>(() => PixelCorrelation.Best(face, face.AsSpan(1)));
    }

    [Fact]
    public void TheReviewedSampleIsReadAndAnUnmarkedLineIsRefusedNamingTheLine()
    {
        var reviewed = NearPairReview.Load(ReviewFile);
        Assert.True(reviewed.Count >= 60);
        Assert.All(reviewed, r => Assert.False(string.IsNullOrWhiteSpace(r.Reason)));
        Assert.Contains(reviewed, r => r.SamePicture);
        Assert.Contains(reviewed, r => !r.SamePicture);

        using var dir = TestData.NewTempDir();
        File.WriteAllLines(dir.Combine("review.csv"), [NearPairReview.Header, "train/a.jpg,train/b.jpg,6,0.5000,,"]);
        var e = Assert.Throws<InvalidDataException>(() => NearPairReview.Load(dir.Combine("review.csv")));
        Assert.Contains("line 2", e.Message);
        Assert.Contains("review.csv", e.Message);
    }

    [Fact]
    [Trait(TestSpeed.Trait, TestSpeed.Slow)]
    public void OnTheEmbeddedDatasetTheRuleConfirmsOnlyReviewedSamePicturesAndTheSheetSpansTheCorrelationRange()
    {
        var data = DecodedDatasetCache.Load(DatasetReader.Read(TestData.Fer4Mit));
        var rule = DatasetAudit.Run(data);
        var hashOnly = DatasetAudit.Run(data, new AuditOptions { NearConfirmation = NearDuplicateConfirmation.None });
        Assert.Equal(hashOnly.HashPairs.Count, rule.HashPairs.Count);
        Assert.Equal(hashOnly.HashPairs.Count, hashOnly.NearPairs.Count);
        Assert.All(rule.NearPairs, p => Assert.True(p.Correlation >= AuditOptions.DefaultNearMinCorrelation));
        Assert.True(rule.NearPairs.Count < hashOnly.NearPairs.Count);
        Assert.Equal(hashOnly.ExactCounts, rule.ExactCounts); // the pixel check never touches exact copies

        var reviewed = NearPairReview.Load(ReviewFile);
        var score = NearPairReview.Score(rule, reviewed, ReviewFile);
        Assert.Equal(reviewed.Count, score.Candidates); // every reviewed pair is a candidate of this dataset
        // Every pair the rule confirms on the sample was judged one picture; the hash alone joined different people.
        Assert.Equal(1.0, score.OnSample.RulePrecision);
        Assert.True(score.OnSample.HashOnlyPrecision < 0.8);
        Assert.Equal(score.OnSample.HashOnlyPrecision, NearPairReview.Score(hashOnly, reviewed, ReviewFile).OnSample.RulePrecision);
        Assert.InRange(score.OverAllCandidates.RuleRecall!.Value, score.OnSample.RuleRecall!.Value, 1.0); // the sample over-draws the hard bands

        using var dir = TestData.NewTempDir();
        var sample = NearPairReview.WriteSheet(rule, dir.Path, perBand: 3, seed: 5);
        Assert.True(File.Exists(dir.Combine("near-review.png")));
        Assert.Equal(sample.Count + 1, File.ReadAllLines(dir.Combine("near-review.csv")).Length);
        Assert.True(sample.Min(p => p.Correlation) < 0.6 && sample.Max(p => p.Correlation) > 0.95);
        Assert.Equal(sample.OrderBy(p => p.Correlation), sample);
    }
}
