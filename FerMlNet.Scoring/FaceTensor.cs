using FerMlNet.Preprocessing;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace FerMlNet.Scoring;

/// <summary>
/// The preprocessing contract's last step for ONNX Runtime: 48×48 grey bytes scaled to [0, 1] floats in an
/// [N, C, 48, 48] input tensor (the grey face repeated in every channel). One place, so the predictor, calibration and
/// the benchmarks feed networks exactly the same numbers.
/// </summary>
internal static class FaceTensor
{
    /// <summary>Builds the input tensor of <paramref name="faces"/> (each 2,304 bytes) with <paramref name="channels"/> channels.</summary>
    /// <exception cref="ArgumentException">A face is not 48×48 grey bytes.</exception>
    public static DenseTensor<float> FromFaces(IReadOnlyList<byte[]> faces, int channels = 1)
    {
        const int size = PreprocessingContract.PixelCount;
        var input = new DenseTensor<float>([faces.Count, channels, PreprocessingContract.ImageSize, PreprocessingContract.ImageSize]);
        var span = input.Buffer.Span;
        for (int i = 0; i < faces.Count; i++)
        {
            if (faces[i].Length != size)
                throw new ArgumentException($"Face {i} has {faces[i].Length} bytes; a 48×48 grey face has {size}.");
            for (int c = 0; c < channels; c++)
            {
                var target = span.Slice((i * channels + c) * size, size);
                for (int p = 0; p < size; p++) target[p] = faces[i][p] * FerModelConventions.PixelScale;
            }
        }
        return input;
    }
}
