namespace FerMlNet.Core.IO;

/// <summary>
/// Builds a new dataset folder all-or-nothing: files go into a sibling "&lt;root&gt;.partial" folder that is renamed
/// to the final name only when complete. A killed run leaves no half-written dataset under the requested name, and a
/// rerun clears the stale ".partial" folder (always ours: the name is reserved) and starts again. An existing,
/// non-empty target is never touched.
/// </summary>
public sealed class NewDatasetTree
{
    private NewDatasetTree(string root, string staging)
    {
        Root = root;
        Staging = staging;
    }

    /// <summary>The final folder.</summary>
    public string Root { get; }

    /// <summary>The folder being filled.</summary>
    public string Staging { get; }

    /// <summary>Starts a new tree at <paramref name="root"/>.</summary>
    /// <exception cref="IOException">The target exists and is not an empty folder.</exception>
    public static NewDatasetTree Begin(string root)
    {
        var full = Path.GetFullPath(root).TrimEnd(Path.DirectorySeparatorChar);
        if (File.Exists(full) || (Directory.Exists(full) && Directory.EnumerateFileSystemEntries(full).Any()))
            throw new IOException($"'{root}' already exists and is not empty; choose a new folder (nothing was changed).");
        var staging = full + ".partial";
        if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        Directory.CreateDirectory(staging);
        return new NewDatasetTree(full, staging);
    }

    /// <summary>Copies a file to <paramref name="relativePath"/> ('/'-separated) in the new tree.</summary>
    public void CopyFile(string sourcePath, string relativePath)
    {
        var target = StagingPath(relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.Copy(sourcePath, target);
    }

    /// <summary>Writes bytes to <paramref name="relativePath"/> in the new tree.</summary>
    public void WriteFile(string relativePath, ReadOnlySpan<byte> bytes)
    {
        var target = StagingPath(relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.WriteAllBytes(target, bytes.ToArray());
    }

    /// <summary>Renames the finished tree to its final name.</summary>
    public void Commit()
    {
        if (Directory.Exists(Root)) Directory.Delete(Root); // empty, checked in Begin
        Directory.Move(Staging, Root);
    }

    private string StagingPath(string relativePath)
    {
        var full = Path.GetFullPath(Path.Combine(Staging, relativePath));
        if (!full.StartsWith(Staging + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new ArgumentException($"'{relativePath}' leaves the dataset folder.");
        return full;
    }
}
