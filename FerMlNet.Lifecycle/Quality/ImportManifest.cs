using System.Text.Json.Serialization;
using FerMlNet.Core.Data;

namespace FerMlNet.Lifecycle.Quality;

/// <summary>
/// import-PREFIX.json of <c>fer data import</c>, at the target dataset's root: the settings, the class counts before
/// and after, every face added (with its detected box) and every photo rejected or folder skipped, with the reason.
/// </summary>
/// <param name="Tool">"fer data import".</param>
/// <param name="Source">The photo folder, as a full path.</param>
/// <param name="Map">Source class folder → class, in ordinal order of the folder names.</param>
/// <param name="Split">The split the faces went into.</param>
/// <param name="Prefix">The file-name prefix of the imported faces.</param>
/// <param name="Balance">Whether classes were only filled up to the largest class.</param>
/// <param name="FaceDetection">How faces were found and cropped, in words.</param>
/// <param name="CountsBefore">Images per class of the target split before the import.</param>
/// <param name="CountsAfter">The same after it.</param>
/// <param name="Added">Every face written.</param>
/// <param name="Rejected">Every photo not imported, with the reason.</param>
/// <param name="SkippedFolders">Folders not read (not in the map, unreadable), with the reason.</param>
public sealed record ImportManifest(string Tool, string Source, Dictionary<string, string> Map, string Split, string Prefix,
    bool Balance, string FaceDetection, Dictionary<string, int> CountsBefore, Dictionary<string, int> CountsAfter,
    IReadOnlyList<ImportedFace> Added, IReadOnlyList<RejectedPhoto> Rejected, IReadOnlyList<DatasetNotice> SkippedFolders)
{
    /// <summary>The <see cref="Tool"/> of an import manifest.</summary>
    public const string ImportTool = "fer data import";
}

/// <summary>A face <c>fer data import</c> wrote.</summary>
/// <param name="Source">The photo, relative to the source folder.</param>
/// <param name="Path">The face's file, relative to the dataset root.</param>
/// <param name="Label">Its class.</param>
/// <param name="Face">The detected face's box in the photo (rounded); absent for a centre crop.</param>
public sealed record ImportedFace(string Source, string Path, string Label,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] FaceBox? Face);

/// <summary>A detected face's box in original pixels and the detector's score.</summary>
/// <param name="X">Left edge.</param>
/// <param name="Y">Top edge.</param>
/// <param name="Width">Width.</param>
/// <param name="Height">Height.</param>
/// <param name="Score">Detector confidence (3 places).</param>
public sealed record FaceBox(float X, float Y, float Width, float Height, float Score);

/// <summary>A photo <c>fer data import</c> did not take.</summary>
/// <param name="Source">The photo, relative to the source folder.</param>
/// <param name="Reason">Why.</param>
public sealed record RejectedPhoto(string Source, string Reason);
