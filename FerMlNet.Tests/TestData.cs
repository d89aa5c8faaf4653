using FerMlNet.Preprocessing;
using FerMlNet.Core;

namespace FerMlNet.Tests;

/// <summary>Locations of the repository's embedded data, and helpers that build small real datasets for tests.</summary>
internal static class TestData
{
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>The build configuration the tests run in (Release or Debug), for the other outputs they start.</summary>
    public static string BuildConfiguration { get; } =
        AppContext.BaseDirectory.Contains("/bin/Release/", StringComparison.Ordinal) ? "Release" : "Debug";

    public static string Fer4Mit => Path.Combine(RepoRoot, "datasets", "fer4-mit");

    public static string WildDev => Path.Combine(RepoRoot, "datasets", "wild-dev");

    public static string YuNetModel => Path.Combine(RepoRoot, "models", "face-detection-yunet", "face_detection_yunet_2023mar.onnx");

    /// <summary>The first <paramref name="perClass"/> images (ordinal order) of one split and class of fer4-mit.</summary>
    public static string[] Fer4MitImages(string splitFolder, string cls, int perClass) =>
        Directory.GetFiles(Path.Combine(Fer4Mit, splitFolder, cls)).Order(StringComparer.Ordinal).Take(perClass).ToArray();

    /// <summary>The first <paramref name="perClass"/> training faces of every class, decoded to 48×48 grey bytes.</summary>
    public static List<byte[]> DecodedTrainFaces(int perClass) => EmotionClasses.Names
        .SelectMany(c => Fer4MitImages("train", c, perClass)).Select(Preprocessing.FaceImageDecoder.DecodeFile).ToList();

    /// <summary>A temporary folder removed when disposed.</summary>
    public static TempDir NewTempDir() => new();

    /// <summary>
    /// Copies a small real subset of fer4-mit (n per class, from the given source split folders) into
    /// ROOT/&lt;target split&gt;/&lt;class&gt;/.
    /// </summary>
    public static void CopySubset(string root, int perClass, params (string Source, string Target)[] splits)
    {
        foreach (var (source, target) in splits)
            foreach (var cls in EmotionClasses.Names)
            {
                var dir = Directory.CreateDirectory(Path.Combine(root, target, cls)).FullName;
                foreach (var f in Fer4MitImages(source, cls, perClass))
                    File.Copy(f, Path.Combine(dir, Path.GetFileName(f)));
            }
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "FerMlNet.sln"))) return dir.FullName;
        throw new InvalidOperationException("FerMlNet.sln not found above " + AppContext.BaseDirectory);
    }
}

public sealed class TempDir : IDisposable
{
    public TempDir() => Path = Directory.CreateTempSubdirectory("fermlnet-test-").FullName;

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
