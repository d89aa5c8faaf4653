using FerMlNet.Training.Engine;
using static TorchSharp.torch;

namespace FerMlNet.Tests;

/// <summary>
/// FerMlNet's augmentations beyond the notebook's, on real faces: random erasing, translation, brightness, detail
/// (unsharp masking), mixup and CutMix.
/// </summary>
[Collection(TorchCollection.Name)]
public class AugmentationTests
{
    private static Tensor Faces()
    {
        var (pixels, labels) = TrainingTestData.Decode("train", 4);
        return tensor(pixels.Select(p => p / 255f).ToArray()).view(labels.Length, 1, 48, 48);
    }

    private static AugmentationOptions Only(double translate = 0, double erasing = 0, double brightness = 0, double detail = 0) =>
        new() { Flip = false, Rotation = 0, Zoom = 0, Contrast = 0, Translate = translate, Erasing = erasing, Brightness = brightness, Detail = detail };

    [Fact]
    public void BrightnessShiftsEachFaceByOneAmountWithinTheFactorClippedToTheRange()
    {
        using var faces = Faces();
        using var shifted = Augmentation.Apply(faces, Only(brightness: 0.1), new Generator(11));
        Assert.True(shifted.min().item<float>() >= 0 && shifted.max().item<float>() <= 1);
        for (int i = 0; i < faces.shape[0]; i++)
        {
            // Pixels clear of the clip all moved by the same amount, at most 0.1.
            var inside = faces[i].gt(0.15).logical_and(faces[i].lt(0.85));
            var delta = shifted[i].sub(faces[i]).masked_select(inside);
            Assert.True(delta.max().sub(delta.min()).item<float>() < 1e-5f, $"face {i}: not one shift");
            Assert.InRange(delta[0].item<float>(), -0.1f - 1e-6f, 0.1f + 1e-6f);
        }
        using var off = Augmentation.Apply(faces, Only(), new Generator(11));
        Assert.Equal(0, off.ne(faces).sum().item<long>());
    }

    [Fact]
    public void DetailIsTheCropsUnsharpMaskWithOneAmountPerFace()
    {
        using var faces = Faces();
        // The tensor blur is the photo crop's GrayBlur.Gaussian(·, 1), to the byte rounding.
        var bytes = faces[0].flatten().mul(255).round().to_type(ScalarType.Byte).data<byte>().ToArray();
        var cropBlur = Scoring.FaceDetection.GrayBlur.Gaussian(bytes, 1).Select(b => b / 255f).ToArray();
        using var tensorBlur = Augmentation.GaussianBlur(faces);
        Assert.True(tensorBlur[0].flatten().sub(tensor(cropBlur)).abs().max().item<float>() <= 0.6f / 255);

        using var detailed = Augmentation.Apply(faces, Only(detail: 1.0), new Generator(13));
        var amounts = new List<float>();
        for (int i = 0; i < faces.shape[0]; i++)
        {
            var edge = faces[i].sub(tensorBlur[i]);
            var unclipped = detailed[i].gt(1e-4).logical_and(detailed[i].lt(1 - 1e-4)).logical_and(edge.abs().gt(0.02));
            var ratio = detailed[i].sub(faces[i]).masked_select(unclipped).div(edge.masked_select(unclipped));
            Assert.True(ratio.max().sub(ratio.min()).item<float>() < 1e-3f, $"face {i}: not one amount");
            amounts.Add(ratio.mean().item<float>());
        }
        Assert.All(amounts, a => Assert.InRange(a, -1f, 1f));
        Assert.Contains(amounts, a => a < 0); // some softened
        Assert.Contains(amounts, a => a > 0); // some sharpened
    }

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

    [Fact]
    public void MixupBlendsEachFaceWithItsPartnerByLambdaDrawnFromBeta()
    {
        using var faces = Faces();
        var mixer = new BatchMixer(new MixOptions { Type = MixType.Mixup, Alpha = 1, Probability = 1 }, seed: 7);
        var lambdas = new List<double>();
        for (int draw = 0; draw < 300; draw++)
        {
            var mixed = mixer.Mix(faces)!.Value;
            lambdas.Add(mixed.Lambda);
            if (draw > 0) continue;
            using var expected = faces.mul(mixed.Lambda).add(faces.index_select(0, mixed.Partners).mul(1 - mixed.Lambda));
            Assert.True(mixed.Images.allclose(expected, atol: 1e-6));
            Assert.Equal(Enumerable.Range(0, 16), mixed.Partners.data<long>().Select(p => (int)p).Order()); // a permutation
        }
        // Beta(1, 1) is uniform: mean 1/2, a quarter of the draws below 1/4.
        Assert.InRange(lambdas.Average(), 0.45, 0.55);
        Assert.InRange(lambdas.Count(l => l < 0.25) / 300.0, 0.18, 0.32);
        // Beta(0.2, 0.2) puts most draws near 0 or 1.
        var peaked = new BatchMixer(new MixOptions { Type = MixType.Mixup, Alpha = 0.2, Probability = 1 }, seed: 7);
        var far = Enumerable.Range(0, 300).Count(_ => Math.Abs(peaked.Mix(faces)!.Value.Lambda - 0.5) > 0.4);
        Assert.True(far > 150, $"only {far} of 300 Beta(0.2, 0.2) draws beyond 0.1/0.9");
        var never = new BatchMixer(new MixOptions { Probability = 0 }, seed: 7);
        Assert.All(Enumerable.Range(0, 20), _ => Assert.Null(never.Mix(faces)));
    }

    [Fact]
    public void CutMixPastesOneRectangleOfThePartnerAndLambdaIsTheShareKept()
    {
        using var faces = Faces();
        var mixer = new BatchMixer(new MixOptions { Type = MixType.CutMix, Alpha = 1, Probability = 1 }, seed: 11);
        for (int draw = 0; draw < 20; draw++)
        {
            var mixed = mixer.Mix(faces)!.Value;
            using var partner = faces.index_select(0, mixed.Partners);
            // Every pixel comes from the face or its partner, and the pasted positions form one rectangle whose
            // area is (1 − λ) of the image.
            Assert.True(mixed.Images.eq(faces).logical_or(mixed.Images.eq(partner)).all().item<bool>());
            using var pasted = mixed.Images.ne(faces).logical_and(faces.ne(partner)).any(0).squeeze(0); // [48, 48]
            long count = pasted.sum().item<long>();
            double area = (1 - mixed.Lambda) * 48 * 48;
            Assert.True(count <= area + 1e-9, $"{count} pixels pasted, λ says {area}");
            if (count == 0) continue;
            var rows = pasted.any(1).nonzero().flatten();
            var cols = pasted.any(0).nonzero().flatten();
            long boxArea = (rows.max().item<long>() - rows.min().item<long>() + 1) * (cols.max().item<long>() - cols.min().item<long>() + 1);
            Assert.True(boxArea <= area + 1e-9, $"pasted pixels span {boxArea}, λ says {area}");
        }
    }

    [Fact]
    public void MixedLossIsTheLambdaBlendOfBothLabelsLosses()
    {
        using var images = zeros(3, 1, 48, 48);
        var batch = new MixedBatch(images, tensor(new long[] { 2, 0, 1 }), 0.25);
        using var labels = tensor(new long[] { 10, 20, 30 });
        using var loss = batch.Loss(l => l.to_type(ScalarType.Float32), labels);
        // 0.25·[10, 20, 30] + 0.75·[30, 10, 20]
        Assert.Equal(new[] { 25f, 12.5f, 22.5f }, loss.data<float>().ToArray());
    }

    [Fact]
    public void TrainAccuracyLeavesMixedBatchesOutUnlessEveryBatchIsMixed()
    {
        var accuracy = new TrainAccuracy();
        accuracy.Add(hits: 60, count: 64, mixed: false);
        accuracy.Add(hits: 20, count: 64, mixed: true); // a blend scored against one of its labels: not counted
        accuracy.Add(hits: 4, count: 16, mixed: false);
        Assert.Equal(64.0 / 80, accuracy.Value, 12);
        var allMixed = new TrainAccuracy();
        allMixed.Add(hits: 20, count: 64, mixed: true);
        allMixed.Add(hits: 40, count: 64, mixed: true);
        Assert.Equal(60.0 / 128, allMixed.Value, 12);
        Assert.Equal(0, new TrainAccuracy().Value);
    }
}
