using FerMlNet.Core.Data;
using System.Security.Cryptography;
using System.Text;
using FerMlNet.Core.IO;
using FerMlNet.Preprocessing;
using FerMlNet.Core.Reports;
using Microsoft.ML;
using Microsoft.ML.Data;
using SkiaSharp;

namespace FerMlNet.Training.Transfer;

/// <summary>
/// Frozen ImageNet ResNet18 features of contract faces, the notebook's transfer recipe: each 48×48 gray face (the one
/// preprocessing contract) is scaled to 224×224 (bicubic), replicated into three channels, and run through ML.NET's
/// DnnImageFeaturizer with the ResNet18 model (Microsoft.ML.DnnImageFeaturizer.ResNet18 0.23.1: its own ImageNet
/// normalisation, then the network up to global pooling) — 512 features per face. Features are cached on disk by the
/// dataset's content key, so head experiments never run the backbone twice.
/// </summary>
public static class ResNet18Features
{
    /// <summary>Features per face.</summary>
    public const int Dimensions = 512;

    private const int Side = 224;
    private const string CacheRevision = "resnet18-0.23.1-bicubic224-v1";

    private sealed class FaceRow
    {
        [VectorType(3 * Side * Side)]
        public float[] Pixels { get; set; } = [];
    }

    /// <summary>
    /// Features of the dataset's images at <paramref name="indices"/>, from the cache when it holds them for this
    /// exact data; otherwise computed (reporting done/total to <paramref name="progress"/>) and cached atomically.
    /// </summary>
    public static float[][] For(DecodedDataset data, int[] indices, string cacheDirectory, Action<int, int>? progress = null)
    {
        string key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
            $"{data.ContentKey}|{CacheRevision}|{string.Join(',', indices)}")))[..32];
        string path = Path.Combine(cacheDirectory, $"resnet18-{key}.bin");
        if (TryRead(path, indices.Length) is { } cached) return cached;
        var features = Compute(indices.Select(i => data.ImagePixels(i).ToArray()).ToList(), progress);
        Directory.CreateDirectory(cacheDirectory);
        AtomicFile.Write(path, stream =>
        {
            using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            writer.Write(features.Length);
            foreach (var row in features) foreach (float v in row) writer.Write(v);
        });
        return features;
    }

    /// <summary>Runs the backbone on contract faces (2,304 gray bytes each), in order.</summary>
    public static float[][] Compute(IReadOnlyList<byte[]> faces, Action<int, int>? progress = null)
    {
        var ml = new MLContext(seed: 0);
        // Streamed: one 3×224×224 float image (600 KB) exists at a time, not the whole dataset's.
        int done = 0;
        IEnumerable<FaceRow> Rows()
        {
            foreach (var face in faces)
            {
                yield return new FaceRow { Pixels = ToResNetInput(face) };
                progress?.Invoke(++done, faces.Count);
            }
        }
        var input = ml.Data.LoadFromEnumerable(Rows(), SchemaDefinition.Create(typeof(FaceRow)));
        var featurizer = ml.Transforms.DnnFeaturizeImage("Features",
            m => m.ModelSelector.ResNet18(ml, m.OutputColumn, m.InputColumn), nameof(FaceRow.Pixels));
        var empty = ml.Data.LoadFromEnumerable(Array.Empty<FaceRow>(), SchemaDefinition.Create(typeof(FaceRow)));
        var transformer = featurizer.Fit(empty);
        return transformer.Transform(input).GetColumn<float[]>("Features").ToArray();
    }

    /// <summary>A 48×48 face as the featurizer's input: 224×224, planar R, G, B (the same gray in each), 0-255.</summary>
    internal static float[] ToResNetInput(byte[] face)
    {
        using var gray = FaceImageDecoder.ToBitmap(face);
        using var large = gray.Resize(new SKImageInfo(Side, Side, SKColorType.Gray8, SKAlphaType.Opaque), SKFilterQuality.High);
        var pixels = large.GetPixelSpan();
        var planar = new float[3 * Side * Side];
        for (int c = 0; c < 3; c++)
            for (int p = 0; p < Side * Side; p++) planar[c * Side * Side + p] = pixels[p];
        return planar;
    }

    private static float[][]? TryRead(string path, int count)
    {
        if (!File.Exists(path)) return null;
        using var reader = new BinaryReader(File.OpenRead(path));
        if (reader.ReadInt32() != count || reader.BaseStream.Length != 4 + (long)count * Dimensions * 4) return null;
        var rows = new float[count][];
        for (int i = 0; i < count; i++)
        {
            rows[i] = new float[Dimensions];
            for (int d = 0; d < Dimensions; d++) rows[i][d] = reader.ReadSingle();
        }
        return rows;
    }
}
