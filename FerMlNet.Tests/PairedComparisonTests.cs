using FerMlNet.Lifecycle.Evaluation;

namespace FerMlNet.Tests;

/// <summary>
/// McNemar's exact test and Holm's adjustment against values computed independently (exact binomial sums with
/// Python's integer arithmetic), and the pairing of two answer files by image path.
/// </summary>
public class PairedComparisonTests
{
    [Theory]
    [InlineData(10, 2, 0.03857421875)]
    [InlineData(2, 10, 0.03857421875)]
    [InlineData(0, 7, 0.015625)]
    [InlineData(5, 5, 1.0)]
    [InlineData(0, 0, 1.0)]
    [InlineData(120, 80, 0.0056851559967503055)]
    [InlineData(1000, 900, 0.02310884510890107)] // C(1900, k) overflows a double: the sum must stay in log space
    public void TheExactPValueIsTwiceTheBinomialTail(int onlyFirst, int onlySecond, double expected) =>
        Assert.Equal(expected, McNemarTest.ExactPValue(onlyFirst, onlySecond), 9);

    [Fact]
    public void HolmMultipliesTheSmallestPByTheNumberOfTestsAndNeverLetsALargerPFallBelowIt()
    {
        var adjusted = McNemarTest.HolmAdjusted([0.01, 0.04, 0.03]);
        Assert.Equal([0.03, 0.06, 0.06], adjusted.Select(p => Math.Round(p, 12)));
        Assert.Equal([1.0], McNemarTest.HolmAdjusted([0.7]).Select(p => Math.Round(p + 0.3, 12)));
    }

    [Fact]
    public void AnswersArePairedByPathWhateverTheirOrderAndImagesOnlyOneRunScoredAreLeftOut()
    {
        var first = Answers("val", ("a.jpg", "sad", "sad"), ("b.jpg", "happy", "happy"), ("c.jpg", "neutral", "sad"), ("only-first.jpg", "sad", "sad"));
        var second = Answers("val", ("c.jpg", "neutral", "neutral"), ("b.jpg", "happy", "sad"), ("a.jpg", "sad", "neutral"));
        var test = McNemarTest.Of(first, second);
        Assert.Equal((3, 2, 1), (test.Images, test.OnlyFirstRight, test.OnlySecondRight));
        Assert.Equal(McNemarTest.ExactPValue(2, 1), test.PValue);
    }

    [Fact]
    public void AnswersOfDifferentSplitsOrFacesAreRefused()
    {
        var val = Answers("val", ("a.jpg", "sad", "sad"));
        Assert.Contains("test split", Assert.Throws<InvalidDataException>(() => McNemarTest.Of(val, Answers("test", ("a.jpg", "sad", "sad")))).Message);
        Assert.Contains("no image", Assert.Throws<InvalidDataException>(() => McNemarTest.Of(val, Answers("val", ("b.jpg", "sad", "sad")))).Message);
    }

    [Fact]
    public void TheAnswersFileRoundTripsAndAMisspeltKeyIsRefusedNamingTheFile()
    {
        using var dir = TestData.NewTempDir();
        var answers = SplitAnswers.Of("val", ["val\\sad\\a.jpg", "val/happy/b.jpg"], [2, 0], [[0.1f, 0.2f, 0.6f, 0.1f], [0.1f, 0.7f, 0.1f, 0.1f]]);
        Assert.Equal(["val/sad/a.jpg", "val/happy/b.jpg"], answers.Images.Select(a => a.Path));
        Assert.Equal([true, false], answers.Images.Select(a => a.Right));
        string path = dir.Combine(SplitAnswers.ValFileName);
        answers.Write(path);
        var read = SplitAnswers.Load(path);
        Assert.Equal(answers.Images, read.Images);
        Assert.DoesNotContain("right", File.ReadAllText(path), StringComparison.OrdinalIgnoreCase);
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"predicted\"", "\"prediction\""));
        var bad = Assert.Throws<InvalidDataException>(() => SplitAnswers.Load(path));
        Assert.Contains(path, bad.Message);
    }

    private static SplitAnswers Answers(string split, params (string Path, string Truth, string Predicted)[] images) =>
        new() { Split = split, Images = [.. images.Select(i => new SplitAnswers.ImageAnswer(i.Path, i.Truth, i.Predicted))] };
}
