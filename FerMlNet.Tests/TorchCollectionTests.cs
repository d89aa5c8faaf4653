using System.Text.RegularExpressions;

namespace FerMlNet.Tests;

/// <summary>
/// Keeps the suite free of races on libtorch's process-wide state: every test class whose source builds, seeds or
/// trains a network in the test process belongs to <see cref="TorchCollection"/>. A class that trained beside the
/// collection once changed the dropout mask under a test that had seeded it, and that test failed on one machine in ten.
/// </summary>
public class TorchCollectionTests
{
    /// <summary>What in a class's source means it touches libtorch's generator or thread pool in-process.</summary>
    private static readonly string[] TorchMarkers =
        ["CnnTrainer.", "ModelZoo.", "TrainedModelFixture", "manual_seed", "torch."];

    private static readonly Regex ClassDeclaration = new(@"^(public|internal)( sealed| static)? class (\w+)", RegexOptions.Multiline);

    [Fact]
    public void EveryTestClassThatUsesTorchInProcessIsInTheTorchCollection()
    {
        var outside = Directory.EnumerateFiles(Path.Combine(TestData.RepoRoot, "FerMlNet.Tests"), "*.cs")
            .Where(file => Path.GetFileName(file) != "TorchCollectionTests.cs") // its own sample source names the markers
            .SelectMany(file => ClassesOutsideTheCollection(File.ReadAllText(file)).Select(c => $"{Path.GetFileName(file)}: {c}"))
            .ToList();
        Assert.True(outside.Count == 0, "test classes that use TorchSharp outside the collection: " + string.Join(", ", outside));
    }

    [Fact]
    public void TheScanNamesAClassThatTrainsOutsideTheCollectionAndNotOneInsideIt()
    {
        const string source = """
            namespace X;

            /// <summary>Outside.</summary>
            public class TrainsOutside
            {
                [Fact]
                public void T() => CnnTrainer.Train(null, null, null);
            }

            /// <summary>Inside.</summary>
            [Collection(TorchCollection.Name)]
            public sealed class TrainsInside
            {
                [Fact]
                public void T() => CnnTrainer.Train(null, null, null);
            }

            public class NoTorch
            {
                [Fact]
                public void T() => Assert.True(true);
            }
            """;
        Assert.Equal(["TrainsOutside"], ClassesOutsideTheCollection(source));
    }

    /// <summary>The test classes in one source file that use TorchSharp in-process and are not in the collection.</summary>
    private static IEnumerable<string> ClassesOutsideTheCollection(string source)
    {
        bool usesTorchStatically = source.Contains("using static TorchSharp.torch");
        var declarations = ClassDeclaration.Matches(source);
        for (int i = 0; i < declarations.Count; i++)
        {
            int end = i + 1 < declarations.Count ? declarations[i + 1].Index : source.Length;
            string body = source[declarations[i].Index..end];
            bool isTestClass = body.Contains("[Fact]") || body.Contains("[Theory]");
            bool usesTorch = usesTorchStatically || TorchMarkers.Any(body.Contains);
            if (isTestClass && usesTorch && !AttributesAbove(source, declarations[i].Index).Contains("[Collection(TorchCollection.Name)]"))
                yield return declarations[i].Groups[3].Value;
        }
    }

    /// <summary>The attribute and doc-comment lines straight above a declaration.</summary>
    private static string AttributesAbove(string source, int declarationStart)
    {
        var lines = source[..declarationStart].Split('\n').Reverse().Skip(1)
            .TakeWhile(l => l.TrimStart().StartsWith('[') || l.TrimStart().StartsWith("///"));
        return string.Join("\n", lines);
    }
}
