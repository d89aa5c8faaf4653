using System.Diagnostics;
using FerMlNet.Preprocessing;

namespace FerMlNet.Tests;

/// <summary>
/// samples/spark: the Python side of the contract (Pillow + NumPy) that the Spark job scores the exported ONNX with.
/// Spark and Python's ONNX Runtime do not install on the test machine, so the job itself is not run here; its
/// preprocessing is, against the .NET contract, face by face.
/// </summary>
[Trait(TestSpeed.Trait, TestSpeed.Slow)]
public class SparkSampleTests
{
    /// <summary>Debian's python3, where ./test installs python3-numpy and python3-pil.</summary>
    private const string Python = "/usr/bin/python3";

    private static readonly string Script = Path.Combine(TestData.RepoRoot, "samples", "spark", "fer_contract.py");

    [Fact]
    public void ThePythonContractGivesTheDotNetContractsGreyLevelsOnEveryEmbeddedFace()
    {
        // The notebook's test and validation splits: 48×48 grey JPEGs, as every scored face crop is.
        var faces = new[] { "test", "validation" }
            .SelectMany(s => Directory.GetFiles(Path.Combine(TestData.Fer4Mit, s), "*", SearchOption.AllDirectories))
            .Order(StringComparer.Ordinal).ToArray();
        Assert.True(faces.Length > 5000, $"{faces.Length} faces");
        var python = PythonGreyBytes(faces);
        int differing = 0;
        for (int i = 0; i < faces.Length; i++)
        {
            var expected = FaceImageDecoder.DecodeFile(faces[i]);
            Assert.True(python[i] is not null, $"{faces[i]}: refused by the Python contract");
            if (!expected.AsSpan().SequenceEqual(python[i])) differing++;
        }
        Assert.Equal(0, differing);
    }

    [Fact]
    public void OnPhotosThePythonResizeStaysWithinTwoGreyLevelsOnAverage()
    {
        // Whole photos: Pillow's bicubic against Skia's mipmapped bicubic, the one step that is not bit-exact.
        var photos = Directory.GetFiles(TestData.WildDev, "*", SearchOption.AllDirectories)
            .Where(p => p.EndsWith(".jpg", StringComparison.OrdinalIgnoreCase) || p.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal).Take(100).ToArray();
        var python = PythonGreyBytes(photos);
        double sum = 0;
        long count = 0;
        for (int i = 0; i < photos.Length; i++)
        {
            byte[] expected;
            try { expected = FaceImageDecoder.DecodeFile(photos[i]); }
            catch (ImageDecodeException) { Assert.Null(python[i]); continue; }
            Assert.True(python[i] is not null, $"{photos[i]}: refused by the Python contract only");
            for (int k = 0; k < expected.Length; k++) sum += Math.Abs(expected[k] - python[i]![k]);
            count += expected.Length;
        }
        double mean = sum / count;
        Assert.True(mean < 2.0, $"mean |Skia − Pillow| = {mean:F2} grey levels over {photos.Length} photos");
    }

    /// <summary>Runs fer_contract.py --dump over the files: each one's 2,304 grey bytes, or null where it refused.</summary>
    private static byte[]?[] PythonGreyBytes(string[] files)
    {
        using var dir = TestData.NewTempDir();
        var output = dir.Combine("grey.bin");
        var start = new ProcessStartInfo(Python, [Script, "--dump", output])
        {
            RedirectStandardInput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        using (var process = Process.Start(start)!)
        {
            foreach (var f in files) process.StandardInput.WriteLine(f);
            process.StandardInput.Close();
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"{Python} {Script}: {error} (./test installs python3-numpy and python3-pil)");
        }
        var bytes = File.ReadAllBytes(output);
        int record = 1 + PreprocessingContract.PixelCount;
        Assert.Equal(files.Length * record, bytes.Length);
        return Enumerable.Range(0, files.Length)
            .Select(i => bytes[i * record] == 1 ? bytes.AsSpan(i * record + 1, PreprocessingContract.PixelCount).ToArray() : null)
            .ToArray();
    }
}
