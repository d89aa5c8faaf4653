using FerMlNet.Training.Engine;
using static TorchSharp.torch;

namespace FerMlNet.Tests;

/// <summary>FerMlNet's two augmentations beyond the notebook's, on real faces: random erasing and translation.</summary>
[Collection("TorchSharp")]
public class AugmentationTests
{
    private static Tensor Faces()
    {
        var (pixels, labels) = TrainingTestData.Decode("train", 4);
        return tensor(pixels.Select(p => p / 255f).ToArray()).view(labels.Length, 1, 48, 48);
    }

    private static AugmentationOptions Only(double translate = 0, double erasing = 0) =>
        new() { Flip = false, Rotation = 0, Zoom = 0, Contrast = 0, Translate = translate, Erasing = erasing };

    [Fact]
    public void ErasingReplacesOneRectangleOfTwoToTwentyPercentAndLeavesTheRestAlone()
    {
        using var faces = Faces();
        using var generator = new Generator(3);
        using var erased = Augmentation.Apply(faces, Only(erasing: 1.0), generator);
        var changed = erased.ne(faces).squeeze(1); // [n, 48, 48]
        for (int i = 0; i < faces.shape[0]; i++)
        {
            var mask = changed[i];
            long count = mask.sum().item<long>();
            Assert.InRange(count, 20, (long)(0.2 * 48 * 48));
            var rows = mask.any(1).nonzero().flatten();
            var cols = mask.any(0).nonzero().flatten();
            long height = rows.max().item<long>() - rows.min().item<long>() + 1;
            long width = cols.max().item<long>() - cols.min().item<long>() + 1;
            Assert.Equal(height * width, count); // one solid rectangle, nothing outside it touched
        }
        using var none = Augmentation.Apply(faces, Only(erasing: 0), new Generator(3));
        Assert.Equal(0, none.ne(faces).sum().item<long>()); // off: the input unchanged
    }

    [Fact]
    public void TranslationMovesFacesByAtMostTheFactor()
    {
        using var faces = Faces();
        using var shifted = Augmentation.Apply(faces, Only(translate: 0.1), new Generator(5));
        // The intensity centroid of each face moves, but never by more than 10% of the side plus reflection slack.
        var grid = arange(48, dtype: ScalarType.Float32);
        Tensor Centroid(Tensor x) => x.squeeze(1).mul(grid.view(1, 1, 48)).sum([1, 2]).div(x.squeeze(1).sum([1, 2]));
        var moved = Centroid(shifted).sub(Centroid(faces)).abs();
        Assert.True(moved.max().item<float>() <= 4.8f + 1.5f, $"centroid moved {moved.max().item<float>()} px");
        Assert.True(moved.max().item<float>() > 0.5f, "no face moved");
    }
}
