namespace FerMlNet.Core.Data;

/// <summary>One labelled image of a dataset.</summary>
/// <param name="FullPath">Absolute path on disk.</param>
/// <param name="RelativePath">Path relative to the dataset root, with '/' separators (used in every output).</param>
/// <param name="Label">Class index (see <see cref="EmotionClasses"/>).</param>
/// <param name="Split">Split the image belongs to after normalisation.</param>
public sealed record ImageEntry(string FullPath, string RelativePath, int Label, DatasetSplit Split);

/// <summary>Something the reader noticed and did not read: the path relative to the root, and why.</summary>
public sealed record DatasetNotice(string Path, string Reason);
