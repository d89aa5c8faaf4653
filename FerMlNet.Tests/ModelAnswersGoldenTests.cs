using System.Text.Json;
using FerMlNet.Core.IO;
using FerMlNet.Scoring;

namespace FerMlNet.Tests;

/// <summary>
/// The shipped default model's probabilities on the embedded test folder (datasets/fer4-mit/test, 128 faces), pinned
/// to 1e-6 in Golden/fer-default-fer4-mit-test.json: a refactoring of the decoder, the contract, the scorer or the
/// ONNX plumbing that moves any answer fails here, not just one that moves an accuracy figure.
/// </summary>
public class ModelAnswersGoldenTests
{
    /// <summary>Set to 1 to rewrite the golden file after a deliberate change of the default model (and only then).</summary>
    private const string RewriteVariable = "FER_WRITE_GOLDEN";

    private const double Tolerance = 1e-6;

    /// <summary>The golden file: which model answered, and each face's four probabilities.</summary>
    public sealed record GoldenAnswers(int SchemaVersion, string Model, string ModelSha256, string Images, GoldenAnswer[] Answers);

    /// <summary>One face: its path under <see cref="GoldenAnswers.Images"/> and the probabilities in class order.</summary>
    public sealed record GoldenAnswer(string Path, float[] Probabilities);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private static string GoldenFile => Path.Combine(TestData.RepoRoot, "FerMlNet.Tests", "Golden", "fer-default-fer4-mit-test.json");

    [Fact]
    public void TheDefaultModelAnswersTheEmbeddedTestFacesAsPinned()
    {
        string model = Path.Combine(TestData.RepoRoot, ShippedModels.DefaultModelRelativePath);
        string images = Path.Combine(TestData.Fer4Mit, "test");
        using var predictor = FerPredictor.Load(model, new FerPredictorOptions { IntraOpThreads = 1 });
        var measured = Directory.GetFiles(images, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(file => new GoldenAnswer(Path.GetRelativePath(images, file), predictor.Predict(file).Probabilities))
            .ToArray();
        string sha = FileHash.Sha256(model);

        if (Environment.GetEnvironmentVariable(RewriteVariable) == "1")
        {
            var golden = new GoldenAnswers(1, ShippedModels.DefaultModelRelativePath, sha, "datasets/fer4-mit/test", measured);
            AtomicFile.WriteAllText(GoldenFile, JsonSerializer.Serialize(golden, Json));
        }

        var pinned = JsonSerializer.Deserialize<GoldenAnswers>(File.ReadAllText(GoldenFile), Json)!;
        Assert.True(pinned.ModelSha256 == sha,
            $"{ShippedModels.DefaultModelRelativePath} is not the model the golden answers were taken from; after a deliberate " +
            $"model change run this test once with {RewriteVariable}=1 and commit {Path.GetRelativePath(TestData.RepoRoot, GoldenFile)}.");
        Assert.Equal(pinned.Answers.Select(a => a.Path), measured.Select(a => a.Path));
        Assert.Equal(128, measured.Length);
        double worst = pinned.Answers.Zip(measured)
            .Max(pair => pair.First.Probabilities.Zip(pair.Second.Probabilities).Max(p => Math.Abs(p.First - p.Second)));
        Assert.True(worst <= Tolerance, $"an answer moved by {worst:E2} (tolerance {Tolerance:E0})");
    }
}
