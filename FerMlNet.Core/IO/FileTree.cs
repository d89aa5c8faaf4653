namespace FerMlNet.Core.IO;

/// <summary>
/// Recursive file listing for inputs a user points at: sorted, hidden entries skipped (.DS_Store, ._name.jpg),
/// unreadable folders skipped, and symbolic links to folders never followed — a link loop or a link out of the tree
/// would otherwise repeat files or walk the whole disk. Symbolic links to files are listed like files.
/// </summary>
public static class FileTree
{
    /// <summary>Every file under <paramref name="root"/>, in ordinal path order.</summary>
    public static List<string> Files(string root)
    {
        var options = new EnumerationOptions { IgnoreInaccessible = true, AttributesToSkip = FileAttributes.Hidden };
        var files = new List<string>();
        var pending = new Stack<string>([root]);
        while (pending.Count > 0)
        {
            var dir = pending.Pop();
            files.AddRange(Directory.EnumerateFiles(dir, "*", options));
            foreach (var sub in Directory.EnumerateDirectories(dir, "*", options))
                if (new DirectoryInfo(sub).LinkTarget is null) pending.Push(sub);
        }
        files.Sort(StringComparer.Ordinal);
        return files;
    }
}
