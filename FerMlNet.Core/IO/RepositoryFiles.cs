namespace FerMlNet.Core.IO;

/// <summary>
/// Finds the repository's shipped files (models/, pipelines/) from wherever the program runs: the working folder and
/// its parents first, then the program's folder and its parents, so `./fer`, `dotnet run`, tests and apps that copy
/// the files next to their binaries all resolve the same relative path.
/// </summary>
public static class RepositoryFiles
{
    /// <summary>The full path of <paramref name="relativePath"/> under the first folder that has it, or null.</summary>
    public static string? Find(string relativePath)
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, relativePath);
                if (File.Exists(candidate)) return candidate;
            }
        return null;
    }
}
