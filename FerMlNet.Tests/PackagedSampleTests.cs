using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using FerMlNet.Scoring;

namespace FerMlNet.Tests;

/// <summary>
/// The samples as a new user runs them: each is copied out of the repository, restored from the packed feed (plus the
/// usual registry for ML.NET, ONNX Runtime and SkiaSharp), built, and run from another folder on a colour photo with
/// two faces and on a 48×48 dataset face. Their answers must equal the in-repo predictor's to 1e-6.
/// </summary>
[Trait(TestSpeed.Trait, TestSpeed.Slow)]
public sealed class PackagedSampleTests(PackedFeed feed) : IClassFixture<PackedFeed>
{
    private const double Tolerance = 1e-6;
    private static readonly string Samples = Path.Combine(TestData.RepoRoot, "samples");

    [Fact]
    public void PredictorSampleFindsBothFacesOfAPhotoAndAnswersLikeTheLibrary()
    {
        using var inputs = Inputs(out var photo, out var face);
        using var consumer = feed.NewConsumerFolder();
        string dll = Build(consumer, "PredictorSample");
        using var reference = FerPredictor.Load(WebTestData.DefaultModel);

        var photoLines = Lines(DotNet.Run(inputs.Path, dll, photo));
        var expected = reference.PredictFaces(photo);
        Assert.Equal(2, expected.Count);
        Assert.Equal(expected.Count, photoLines.Length);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.StartsWith($"face at {expected[i].Face!.X:F0},{expected[i].Face!.Y:F0} ", photoLines[i]);
            AssertAnswer(expected[i].Label, expected[i].Probabilities, photoLines[i]);
        }

        var faceLines = Lines(DotNet.Run(inputs.Path, dll, face));
        var single = Assert.Single(faceLines);
        Assert.StartsWith("whole image: ", single);
        var faceExpected = reference.PredictFaces(face).Single();
        AssertAnswer(faceExpected.Label, faceExpected.Probabilities, single);

        var missing = Assert.Throws<InvalidOperationException>(() => DotNet.Run(inputs.Path, dll, "no-such-photo.jpg"));
        Assert.Contains("no-such-photo.jpg: the file does not exist", missing.Message);
        Assert.DoesNotContain("   at ", missing.Message);
    }

    [Fact]
    public void MlNetSampleLoadsTheShippedModelZipLikeAnyMlNetModel()
    {
        using var inputs = Inputs(out var photo, out var face);
        using var consumer = feed.NewConsumerFolder();
        string dll = Build(consumer, "MlNetSample");
        using var reference = FerPredictor.Load(WebTestData.DefaultModel);

        foreach (var image in new[] { face, photo }) // the ML.NET route classifies the whole image
        {
            var expected = reference.Predict(image);
            var line = Assert.Single(Lines(DotNet.Run(inputs.Path, dll, image)));
            Assert.StartsWith(EmotionClasses.MostProbable(expected.Probabilities) + " | ", line); // arg-max, never "uncertain"
            AssertClose(expected.Probabilities, ProbabilitiesIn(line));
        }
    }

    [Fact]
    public async Task WebApiSampleServesFacesOverRealHttpWithOneSharedPredictor()
    {
        using var inputs = Inputs(out var photo, out _);
        using var consumer = feed.NewConsumerFolder();
        string dll = Build(consumer, "WebApiSample");
        using var reference = FerPredictor.Load(WebTestData.DefaultModel);
        var expected = reference.PredictFaces(photo);

        using var server = DotNet.Start(inputs.Path, dll, "--urls", "http://127.0.0.1:0");
        try
        {
            var address = await ListeningAddress(server);
            using var client = new HttpClient { BaseAddress = address };
            var requests = Enumerable.Range(0, 4).Select(_ => PostAsync(client, File.ReadAllBytes(photo))).ToArray();
            foreach (var (status, body) in await Task.WhenAll(requests))
            {
                Assert.Equal(200, status);
                var faces = JsonDocument.Parse(body).RootElement.EnumerateArray().ToList();
                Assert.Equal(expected.Count, faces.Count);
                for (int i = 0; i < faces.Count; i++)
                {
                    Assert.Equal(expected[i].Label, faces[i].GetProperty("label").GetString());
                    var probabilities = faces[i].GetProperty("probabilities").EnumerateArray().Select(p => p.GetSingle()).ToArray();
                    AssertClose(expected[i].Probabilities, probabilities);
                    Assert.Equal(expected[i].Face!.X, faces[i].GetProperty("box").GetProperty("x").GetSingle(), 3);
                }
            }
            var (badStatus, badBody) = await PostAsync(client, "not an image"u8.ToArray());
            Assert.Equal(400, badStatus);
            Assert.Contains("detail", badBody);
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            server.WaitForExit();
        }
    }

    /// <summary>A two-face colour photo (happy and surprise portraits of wild-dev) and a 48×48 test face.</summary>
    private static TempDir Inputs(out string photo, out string face)
    {
        var dir = TestData.NewTempDir();
        photo = dir.Combine("two-faces.jpg");
        File.WriteAllBytes(photo, WebTestData.GroupPhotoJpeg("happy", "surprise"));
        face = dir.Combine("face.jpg");
        File.Copy(TestData.Fer4MitImages("test", "surprise", 1)[0], face);
        return dir;
    }

    /// <summary>Copies one sample (and the samples' shared build files) out of the repository and builds it.</summary>
    private string Build(TempDir consumer, string sample)
    {
        foreach (var file in new[] { "Directory.Build.props", "Directory.Packages.props" })
            File.Copy(Path.Combine(Samples, file), consumer.Combine(file));
        var target = Directory.CreateDirectory(consumer.Combine(sample)).FullName;
        foreach (var file in Directory.GetFiles(Path.Combine(Samples, sample)))
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        Assert.False(File.Exists(consumer.Combine("..", "FerMlNet.sln")));
        DotNet.Run(target, "build", "-c", "Release", $"-p:FerMlNetVersion={feed.Version}", "-nologo");
        string output = Path.Combine(target, "bin", "Release", "net10.0");
        Assert.True(File.Exists(Path.Combine(output, ShippedModels.DefaultModelRelativePath)), "the package put the default model next to the app");
        Assert.True(File.Exists(Path.Combine(output, ShippedModels.DetectorRelativePath)), "the package put the face detector next to the app");
        return Path.Combine(output, sample + ".dll");
    }

    private static string[] Lines(string stdout) => stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Checks "…: LABEL CONFIDENCE | happy neutral sad surprise = p0 p1 p2 p3" against the library's answer.</summary>
    private static void AssertAnswer(string label, float[] probabilities, string line)
    {
        Assert.Matches($@": {label} [0-9.]+ \|", line);
        AssertClose(probabilities, ProbabilitiesIn(line));
    }

    /// <summary>The four numbers after "happy neutral sad surprise = ".</summary>
    private static float[] ProbabilitiesIn(string line)
    {
        const string marker = "happy neutral sad surprise = ";
        int at = line.IndexOf(marker, StringComparison.Ordinal);
        Assert.True(at >= 0, line);
        return line[(at + marker.Length)..].Split(' ').Select(p => float.Parse(p, CultureInfo.InvariantCulture)).ToArray();
    }

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= Tolerance, $"class {i}: expected {expected[i]:R}, got {actual[i]:R}");
    }

    private static async Task<(int Status, string Body)> PostAsync(HttpClient client, byte[] bytes)
    {
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        using var response = await client.PostAsync("/faces", content);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>The address Kestrel prints ("Now listening on: http://127.0.0.1:PORT") once the app is up.</summary>
    private static async Task<Uri> ListeningAddress(System.Diagnostics.Process server)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        while (await server.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            if (Regex.Match(line, @"Now listening on: (http://\S+)") is { Success: true } m)
            {
                _ = server.StandardOutput.ReadToEndAsync(); // keep draining so the app never blocks on a full pipe
                return new Uri(m.Groups[1].Value);
            }
        throw new InvalidOperationException($"the sample exited before listening: {await server.StandardError.ReadToEndAsync()}");
    }
}
