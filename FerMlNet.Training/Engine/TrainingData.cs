using FerMlNet.Core.Data;
using FerMlNet.Core;
using FerMlNet.Preprocessing;
using static TorchSharp.torch;

namespace FerMlNet.Training.Engine;

/// <summary>
/// Images and what a network learns from them: the decoded uint8 pixels as one tensor (N, 1, 48, 48), int64 labels
/// (the class each face counts as for accuracy) and float targets (N, 4), the distribution the loss pulls towards — the
/// one-hot label for folder labels, the crowd's vote shares for vote-trained pipelines (<see cref="LabelOptions"/>).
/// </summary>
public sealed class TrainingData : IDisposable
{
    /// <summary>Wraps images of 2,304 bytes each, in order, with their labels; the targets are the one-hot labels.</summary>
    public TrainingData(byte[] pixels, int[] labels) : this(pixels, labels, null) { }

    /// <summary>
    /// Wraps images with their labels and soft targets (<paramref name="targets"/>: four values per image in class
    /// order, each row summing to 1; null for the one-hot labels).
    /// </summary>
    public TrainingData(byte[] pixels, int[] labels, float[]? targets)
    {
        if (pixels.Length != labels.Length * PreprocessingContract.PixelCount)
            throw new ArgumentException("pixels must hold 2,304 bytes per label");
        if (targets is not null && targets.Length != labels.Length * EmotionClasses.Count)
            throw new ArgumentException("targets must hold four values per label");
        Images = tensor(pixels, [labels.Length, 1, PreprocessingContract.ImageSize, PreprocessingContract.ImageSize]);
        Labels = tensor(labels.Select(l => (long)l).ToArray());
        Targets = targets is null
            ? nn.functional.one_hot(Labels, EmotionClasses.Count).to_type(ScalarType.Float32)
            : tensor(targets, [labels.Length, EmotionClasses.Count]);
        LabelList = labels;
    }

    /// <summary>Selects images of a decoded dataset (e.g. one split) with their folder labels.</summary>
    public static TrainingData From(DecodedDataset data, int[] indices) => Select(data.Pixels, data.Labels, indices);

    /// <summary>Selects the given rows of images stored one after another (2,304 bytes each) with their labels.</summary>
    public static TrainingData Select(byte[] pixels, int[] labels, int[] rows, float[]? targets = null) =>
        new(PixelsOf(pixels, rows), rows.Select(r => labels[r]).ToArray(), targets);

    /// <summary>The given rows of images stored one after another (2,304 bytes each), in that order.</summary>
    internal static byte[] PixelsOf(byte[] pixels, IReadOnlyList<int> rows)
    {
        const int size = PreprocessingContract.PixelCount;
        var selected = new byte[rows.Count * size];
        for (int j = 0; j < rows.Count; j++)
            pixels.AsSpan(rows[j] * size, size).CopyTo(selected.AsSpan(j * size));
        return selected;
    }

    internal Tensor Images { get; }
    internal Tensor Labels { get; }
    internal Tensor Targets { get; }

    /// <summary>Labels as class indices.</summary>
    public IReadOnlyList<int> LabelList { get; }

    /// <summary>Number of images.</summary>
    public int Count => LabelList.Count;

    /// <inheritdoc />
    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
        Targets.Dispose();
    }
}
