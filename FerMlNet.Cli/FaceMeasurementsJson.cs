namespace FerMlNet.Cli;

/// <summary>What <c>fer data framing --json</c> prints: where the detector's box sits on training crops.</summary>
/// <param name="Faces">Faces measured.</param>
/// <param name="Detected">Faces in which the detector found a face.</param>
/// <param name="Unreadable">Files that could not be read.</param>
/// <param name="BoxSide">Median box side as a share of the crop's side (null when nothing was detected).</param>
/// <param name="BoxSideP10">Its 10th percentile.</param>
/// <param name="BoxSideP90">Its 90th percentile.</param>
/// <param name="CentreX">Median box centre, as a share of the crop's width.</param>
/// <param name="CentreY">Median box centre, as a share of the crop's height.</param>
/// <param name="ImpliedMargin">The FaceCropOptions.Margin that frames photo crops like these.</param>
/// <param name="ImpliedVerticalShift">The FaceCropOptions.VerticalShift that does.</param>
/// <param name="CurrentMargin">FaceCropOptions.Margin today.</param>
/// <param name="CurrentVerticalShift">FaceCropOptions.VerticalShift today.</param>
internal sealed record FramingJson(int Faces, int Detected, int Unreadable, double? BoxSide, double? BoxSideP10,
    double? BoxSideP90, double? CentreX, double? CentreY, double? ImpliedMargin, double? ImpliedVerticalShift,
    double? CurrentMargin, double? CurrentVerticalShift);

/// <summary>What <c>fer data look --json</c> prints: how training faces and photo faces look, and the detail that
/// matches their sharpness.</summary>
/// <param name="Training">Medians over the training faces.</param>
/// <param name="Photos">Medians over the photo faces.</param>
/// <param name="PhotoFiles">Photos read (with or without a face).</param>
/// <param name="PhotosWithoutFace">Photos without a detected face.</param>
/// <param name="Unreadable">Photos that could not be read.</param>
/// <param name="SharpnessByDetail">Photo faces' median sharpness per FaceCropOptions.Detail amount.</param>
/// <param name="MatchingDetail">The amount whose sharpness is nearest the training faces'.</param>
/// <param name="CurrentDetail">FaceCropOptions.Detail today.</param>
internal sealed record LookJson(FaceLookJson Training, FaceLookJson Photos, int PhotoFiles, int PhotosWithoutFace,
    int Unreadable, Dictionary<string, double> SharpnessByDetail, double MatchingDetail, float CurrentDetail);

/// <summary>Medians of a set of faces (4 places).</summary>
/// <param name="Faces">Faces measured.</param>
/// <param name="Brightness">Median mean grey level (0-1).</param>
/// <param name="Contrast">Median grey-level spread.</param>
/// <param name="Sharpness">Median sharpness.</param>
internal sealed record FaceLookJson(int Faces, double Brightness, double Contrast, double Sharpness);
