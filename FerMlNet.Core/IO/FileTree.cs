namespace FerMlNet.Core.IO;

/// <summary>
/// Recursive file listing for inputs a user points at: sorted, hidden entries skipped (.DS_Store, ._name.jpg),
/// and symbolic links to folders never followed — a link loop or a link out of the tree would otherwise repeat files
/// or walk the whole disk. Symbolic links to files are listed like files. A folder that cannot be read (permissions)
/// is not fatal: it is left out and handed back with the reason, so the caller can say so.
/// </summary>
public static class FileTree
{
    /// <summary>
    /// <paramref name="path"/> relative to <paramref name="root"/> with '/' separators: the form every report, CSV and
    /// manifest uses, so runs on any OS name files the same way (a backslash stays part of a Linux file name).
    /// </summary>
    public static string RelativePath(string root, string path) =>
        Path.GetRelativePath(root, path).Replace(Path.DirectorySeparatorChar, '/');

    /// <summary>
    /// Every file under <paramref name="root"/>, in ordinal path order. Folders that could not be read are added to
    /// <paramref name="unreadableFolders"/> (full path, reason) when given.
    /// </summary>
    public static List<string> Files(string root, ICollection<(string Folder, string Reason)>? unreadableFolders = null)
    {
        var options = new EnumerationOptions { IgnoreInaccessible = false, AttributesToSkip = FileAttributes.Hidden };
        var files = new List<string>();
        var pending = new Stack<string>([root]);
        while (pending.Count > 0)
        {
            var dir = pending.Pop();
            List<string> here, subfolders;
            try
            {
                here = Directory.EnumerateFiles(dir, "*", options).ToList();
                subfolders = Directory.EnumerateDirectories(dir, "*", options).ToList();
            }
            catch (Exception e) when (e is UnauthorizedAccessException or IOException)
            {
                unreadableFolders?.Add((dir, e.Message));
                continue;
            }
            files.AddRange(here);
            foreach (var sub in subfolders)
                if (new DirectoryInfo(sub).LinkTarget is null) pending.Push(sub);
        }
        files.Sort(StringComparer.Ordinal);
        return files;
    }
}
