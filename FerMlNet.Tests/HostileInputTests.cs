using System.Net;
using System.Text.Json;
using static FerMlNet.Tests.HttpTestExtensions;

namespace FerMlNet.Tests;

/// <summary>
/// Every command that reads images, run over the generated hostile corpus: each bad file gets a reason naming it, each
/// awkward-but-valid file is read, nothing crashes or loops, no stack trace, and the 400-Mpx bomb costs no memory.
/// </summary>
public class HostileInputTests
{
    private static void AssertNoStackTrace(CliProcess.Result r) =>
        Assert.DoesNotContain("   at ", r.Stdout + r.Stderr);

    [Fact]
    public void ScoreAccountsForEveryFileWithBoundedMemory()
    {
        using var dir = TestData.NewTempDir();
        var (bad, good, either) = HostileCorpus.Write(dir.Combine("corpus"));
        var csv = dir.Combine("scores.csv");
        var r = CliProcess.RunMeasured("score", dir.Combine("corpus"), "--out", csv);
        Assert.True(r.ExitCode == 0, r.Stderr);
        AssertNoStackTrace(r);
        var rows = Core.IO.Csv.Parse(File.ReadAllText(csv)).Skip(1).ToDictionary(row => row[0], row => row[12]);
        foreach (var path in bad) Assert.True(rows.TryGetValue(path, out var error) && error.Length > 0, $"{path}: no error row");
        foreach (var path in good) Assert.True(rows.TryGetValue(path, out var error) && error.Length == 0, $"{path}: {error ?? "missing"}");
        foreach (var path in either) Assert.True(rows.ContainsKey(path), $"{path}: not accounted for");
        Assert.DoesNotContain(rows.Keys, k => k.Contains("folder.jpg") || k.Contains("loop/") || k.EndsWith("/.jpg"));
        Assert.Contains("image too large", rows["happy/bomb-20000.png"]);
        // The 400-Mpx bomb is refused from its header: the whole job stays far below the 1.6 GB its pixels would take.
        Assert.InRange(r.PeakRssKb, 1, 1_000_000);
    }

    [Fact]
    public void DataCommandsTrainingAndEvaluationNameEveryBadFileAndGoOn()
    {
        using var dir = TestData.NewTempDir();
        string corpus = dir.Combine("corpus");
        var (bad, _, _) = HostileCorpus.Write(corpus);
        var stats = CliProcess.Run("data", "stats", corpus, "--json");
        Assert.True(stats.ExitCode == 0, stats.Stderr);
        AssertNoStackTrace(stats);
        Assert.Equal("", string.Join(", ", bad.Where(path => !stats.Stdout.Contains(Path.GetFileName(path)))));

        var audit = CliProcess.Run("data", "audit", corpus, "--out", dir.Combine("audit"));
        Assert.True(audit.ExitCode == 0, audit.Stderr);
        var unreadable = JsonDocument.Parse(File.ReadAllText(dir.Combine("audit", "audit.json"))).RootElement.GetProperty("unreadable")
            .EnumerateArray().Select(u => u.GetProperty("path").GetString()!).ToList();
        Assert.Equal("", string.Join(", ", bad.Where(path => !unreadable.Any(u => u.EndsWith(Path.GetFileName(path))))));

        var evaluate = CliProcess.Run("evaluate", WebTestData.DefaultModel, "--data", corpus, "--out", dir.Combine("eval"));
        Assert.True(evaluate.ExitCode == 0, evaluate.Stderr);
        AssertNoStackTrace(evaluate);
        Assert.Equal("", string.Join(", ", bad.Where(path => !evaluate.Stderr.Contains(Path.GetFileName(path)))));
    }

    [Fact]
    public async Task TheApiAnswersEveryCorpusFileWithA2xxOr4xxNeverA5xx()
    {
        using var dir = TestData.NewTempDir();
        var (bad, good, either) = HostileCorpus.Write(dir.Combine("corpus"));
        await using var host = await KestrelHost.StartAsync();
        foreach (var path in bad.Concat(good).Concat(either))
        {
            var bytes = File.ReadAllBytes(dir.Combine("corpus", path));
            var response = await host.Client.PostAsync("/api/v1/predict", Image(bytes, "application/octet-stream"));
            int status = (int)response.StatusCode;
            Assert.True(status is 200 or 400 or 413 or 415, $"{path}: HTTP {status}");
            if (bad.Contains(path)) Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
            if (status != 200) Assert.False(string.IsNullOrEmpty((await response.JsonAsync()).GetProperty("error").GetString()));
        }
        var metrics = await (await host.Client.GetAsync("/api/v1/metrics")).JsonAsync();
        Assert.DoesNotContain(metrics.GetProperty("byStatus").EnumerateObject(), p => p.Name.StartsWith('5'));
    }
}
