using FerMlNet.Core.IO;
using FerMlNet.Preprocessing;
using SkiaSharp;

namespace FerMlNet.Tests;

/// <summary>
/// Entries a folder of photos can hold besides photos — named pipes, device links, sparse giant files, formula-like
/// names, other image formats — through every command that walks a folder: each is named with its reason, nothing
/// blocks, memory stays bounded, and a resumed CSV cannot mix two runs.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // FIFOs and device links; the project targets Linux
[Trait(TestSpeed.Trait, TestSpeed.Slow)]
public sealed class SpecialFileTests
{
    [Fact]
    public void ScoreNamesEverySpecialEntryWithoutBlockingInBoundedMemory()
    {
        using var dir = TestData.NewTempDir();
        var expected = HostileCorpus.WriteSpecial(dir.Combine("in"));
        var csv = dir.Combine("scores.csv");
        var r = CliProcess.RunMeasured("score", dir.Combine("in"), "--out", csv);
        Assert.True(r.ExitCode == 0, r.Stderr);
        var rows = Csv.ParseWritten(File.ReadAllText(csv)).Skip(1).ToDictionary(row => row[0], row => row[12]);
        foreach (var (path, reason) in expected)
        {
            Assert.True(rows.TryGetValue(path, out var error), $"{path}: no row");
            if (reason.Length == 0) Assert.True(error.Length == 0, $"{path}: {error}");
            else Assert.StartsWith(reason, error);
        }
        Assert.Equal(expected.Count, rows.Count);
        // A reader that took the 3 GB file or /dev/zero whole would need gigabytes.
        Assert.InRange(r.PeakRssKb, 1, 1_000_000);
        // Formula-like names reach the file with a leading apostrophe, and come back as they were.
        var raw = File.ReadAllText(csv);
        Assert.Contains("\n\"'=HYPERLINK(\"\"http-x\"\").jpg\",", raw);
        Assert.Contains("\n'+cmd.jpg,", raw);
        Assert.Contains("\n'-2+3.jpg,", raw);
        Assert.Contains("\n''quoted.jpg,", raw);
        Assert.Contains("4 of them in an unsupported format", OneLine(r.Stdout));
    }

    [Fact]
    public void DataToolsAndEvaluationNameSpecialEntriesInsteadOfBlocking()
    {
        using var dir = TestData.NewTempDir();
        var corpus = dir.Combine("in");
        HostileCorpus.WriteSpecial(corpus);
        foreach (var cls in EmotionClasses.Names.Skip(1))
            foreach (var f in TestData.Fer4MitImages("train", cls, 2))
                File.Copy(f, Path.Combine(Directory.CreateDirectory(Path.Combine(corpus, cls)).FullName, Path.GetFileName(f)));
        var stats = CliProcess.Run("data", "stats", corpus, "--json");
        Assert.True(stats.ExitCode == 0, stats.Stderr);
        foreach (var (name, reason) in new[] { ("pipe.jpg", "named pipe"), ("zero.jpg", "character device"), ("sparse-3gb.jpg", "file too large") })
            Assert.Matches($"{name}[^\\n]*\\n[^\\n]*{reason}", stats.Stdout);
        var evaluate = CliProcess.RunMeasured("evaluate", WebTestData.DefaultModel, "--data", corpus, "--out", dir.Combine("eval"));
        Assert.True(evaluate.ExitCode == 0, evaluate.Stderr);
        Assert.Contains("pipe.jpg: not a regular file (a named pipe)", evaluate.Stderr);
        Assert.Contains("zero.jpg: not a regular file (a character device)", evaluate.Stderr);
        Assert.InRange(evaluate.PeakRssKb, 1, 1_500_000);
    }

    [Fact]
    public void ResumeRefusesACsvOfAnotherInputOrModelOrWithoutARecord()
    {
        using var dir = TestData.NewTempDir();
        TestData.CopySubset(dir.Combine("a"), 1, ("test", "."));
        TestData.CopySubset(dir.Combine("b"), 1, ("test", "."));
        var csv = dir.Combine("a.csv");
        Assert.Equal(0, CliProcess.Run("score", dir.Combine("a"), "--out", csv).ExitCode);
        Assert.True(File.Exists(csv + ".json"));

        var other = CliProcess.Run("score", dir.Combine("b"), "--out", csv, "--resume");
        Assert.Equal(1, other.ExitCode);
        Assert.Contains("was made from input", other.Stderr + other.Stdout);
        var otherModel = CliProcess.Run("score", WebTestData.FastModel, dir.Combine("a"), "--out", csv, "--resume");
        Assert.Equal(1, otherModel.ExitCode);
        Assert.Contains("model SHA-256", otherModel.Stderr + otherModel.Stdout);
        Assert.Equal(0, CliProcess.Run("score", dir.Combine("a"), "--out", csv, "--resume").ExitCode);

        File.Delete(csv + ".json");
        var unrecorded = CliProcess.Run("score", dir.Combine("a"), "--out", csv, "--resume");
        Assert.Equal(1, unrecorded.ExitCode);
        Assert.Contains("no run record", unrecorded.Stderr + unrecorded.Stdout);
        var trusted = CliProcess.Run("score", dir.Combine("a"), "--out", csv, "--resume", "--resume-unrecorded");
        Assert.True(trusted.ExitCode == 0, trusted.Stderr);
        Assert.Contains("3 already done", OneLine(trusted.Stdout)); // the last image of a CSV is always scored again
    }

    /// <summary>The console wraps long lines at a space: the text with every run of white space as one space.</summary>
    [Fact]
    public void ARecordPipelineOrModelFileThatIsAPipeADeviceOrASparseGiantIsRefusedNamingItWithoutBlocking()
    {
        // Files the commands read by name — a leaderboard to carry, a pipeline, a run's metrics, a model — given as a
        // named pipe (an open would wait for a writer forever), /dev/zero (endless) or a 3 GB sparse file.
        using var dir = TestData.NewTempDir();
        string Special(string name, string kind)
        {
            string path = dir.Combine(name);
            if (kind == "pipe") { using var mkfifo = System.Diagnostics.Process.Start("mkfifo", path)!; mkfifo.WaitForExit(); }
            else if (kind == "zero") File.CreateSymbolicLink(path, "/dev/zero");
            else using (var sparse = new FileStream(path, FileMode.CreateNew)) sparse.SetLength(3L << 30);
            return path;
        }
        var reasons = new Dictionary<string, string>
        {
            ["pipe"] = "not a regular file (a named pipe)", ["zero"] = "not a regular file (a character device)", ["sparse"] = "file too large (3,221,225,472 bytes",
        };
        // A score CSV to resume (trusted without a run record) that is not a file.
        string Shard(string kind) => Special($"{kind}-shard.csv", kind);
        var data = dir.Combine("data");
        TestData.CopySubset(data, 2, ("train", "train"), ("validation", "validation"));
        foreach (var kind in reasons.Keys)
        {
            string board = Special($"{kind}-board.json", kind), pipeline = Special($"{kind}-pipeline.json", kind), model = Special($"{kind}.onnx", kind);
            string run = Directory.CreateDirectory(dir.Combine($"{kind}-run")).FullName;
            File.Move(Special($"{kind}-metrics", kind), Path.Combine(run, "metrics.json"));
            foreach (var (args, file) in new (string[], string)[]
            {
                (["compare", "--carry", board, "--out", dir.Combine($"{kind}-compared")], board),
                (["train", pipeline, "--data", data, "--out", dir.Combine($"{kind}-trained")], pipeline),
                (["report", run], Path.Combine(run, "metrics.json")),
                (["quantize", model, "--data", data, "--out", dir.Combine($"{kind}-quantized")], model),
                (["score", model, data, "--out", dir.Combine($"{kind}-scores.csv")], model),
                (["score", WebTestData.FastModel, data, "--out", Shard(kind), "--resume", "--resume-unrecorded"], dir.Combine($"{kind}-shard.csv")),
            })
            {
                var r = CliProcess.RunMeasured(args);
                Assert.True(r.ExitCode == 2, $"{string.Join(' ', args)}: exit {r.ExitCode}: {r.Stderr}");
                // A sparse giant is a regular file: a score CSV to resume may be large, so it is read, and its first
                // record — three gigabytes without a line break — is refused at the record bound instead.
                Assert.Contains(kind == "sparse" && file.EndsWith("-shard.csv", StringComparison.Ordinal)
                    ? $"'{file}': record 1 is longer than {Csv.MaxRecordChars:N0} characters"
                    : $"'{file}' cannot be read: {reasons[kind]}", OneLine(r.Stderr));
                Assert.DoesNotContain("   at ", r.Stderr);
                Assert.InRange(r.PeakRssKb, 1, 1_000_000);
            }
        }
    }

    [Fact]
    public void TheLibraryRefusesAModelOrFaceDetectorThatIsAPipeAtLoadInsteadOfWaiting()
    {
        using var dir = TestData.NewTempDir();
        string pipe = dir.Combine("pipe.onnx");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", pipe)!) mkfifo.WaitForExit();
        var model = Assert.Throws<InvalidDataException>(() => FerMlNet.Scoring.FerPredictor.Load(pipe));
        Assert.Equal($"Model '{pipe}' cannot be read: not a regular file (a named pipe)", model.Message);
        var detector = Assert.Throws<InvalidDataException>(() => FerMlNet.Scoring.FerPredictor.Load(WebTestData.FastModel,
            new FerMlNet.Scoring.FerPredictorOptions { FaceDetector = new() { ModelPath = pipe } }));
        Assert.Equal($"Face detector model '{pipe}' cannot be read: not a regular file (a named pipe)", detector.Message);
    }

    private static string OneLine(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"\s+", " ");

    [Fact]
    public void GifWebpAndBmpFacesGoThroughTheSameContractAsTheirPng()
    {
        foreach (var file in TestData.Fer4MitImages("test", "sad", 3))
        {
            using var face = SKBitmap.Decode(File.ReadAllBytes(file));
            var png = FaceImageDecoder.Decode(face.Encode(SKEncodedImageFormat.Png, 100).ToArray());
            Assert.Equal(png, FaceImageDecoder.Decode(HostileCorpus.GifOf(face)));
            Assert.Equal(png, FaceImageDecoder.Decode(HostileCorpus.BmpOf(face)));
            // WebP at quality 100 is still lossy: within a few grey levels, not exact.
            var webp = FaceImageDecoder.Decode(face.Encode(SKEncodedImageFormat.Webp, 100).ToArray());
            Assert.True(png.Zip(webp).Average(p => Math.Abs(p.First - p.Second)) < 2, "WebP differs by more than 2 grey levels on average");
        }
        var tiny = new SKBitmap(15, 48);
        var error = Assert.Throws<ImageDecodeException>(() => FaceImageDecoder.Decode(tiny.Encode(SKEncodedImageFormat.Png, 100).ToArray()));
        Assert.Contains("image too small (15×48", error.Reason);
    }

    [Fact]
    public void CsvCellsThatASpreadsheetWouldRunAsFormulasAreNeutralisedAndReadBack()
    {
        string[] fields = ["=1+1", "+A1", "-cmd", "@SUM(A1)", "\tx", "'already", "-0.25", "1e-3", "plain", "", "a,b \"c\""];
        var line = Csv.Line(fields);
        Assert.Equal("'=1+1,'+A1,'-cmd,'@SUM(A1),'\tx,''already,-0.25,1e-3,plain,,\"a,b \"\"c\"\"\"", line);
        Assert.Equal(fields, Csv.ParseWritten(line + "\n").Single());
    }
}
