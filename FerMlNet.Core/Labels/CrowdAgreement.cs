namespace FerMlNet.Core.Labels;

/// <summary>
/// How often the FER+ crowd majority agrees with the folder labels, per class, and which faces the crowd calls
/// not-a-face or cannot tell (<c>fer data stats</c> and <c>fer data audit</c> report it).
/// </summary>
/// <param name="Images">Faces with a row in the vote file.</param>
/// <param name="WithoutVotes">Faces whose file name names no row.</param>
/// <param name="Overall">Share of the faces whose crowd majority is their folder label (a face without a majority does not agree).</param>
/// <param name="PerClass">Per folder class: its faces, the share the crowd agrees on, and where the crowd put them.</param>
/// <param name="NotAFace">Faces whose single top vote is "not a face" (relative paths).</param>
/// <param name="Unknown">Faces whose single top vote is "unknown".</param>
/// <param name="OtherEmotion">Faces whose single top vote is an emotion outside the four classes.</param>
public sealed record CrowdAgreement(int Images, int WithoutVotes, double Overall, IReadOnlyList<CrowdAgreement.ClassAgreement> PerClass,
    IReadOnlyList<string> NotAFace, IReadOnlyList<string> Unknown, int OtherEmotion)
{
    /// <summary>One folder class: its faces, the share the crowd agrees on, and where the crowd put them.</summary>
    /// <param name="Class">Class name.</param>
    /// <param name="Faces">Faces of this folder class with votes.</param>
    /// <param name="Share">Share of them whose crowd majority is this class.</param>
    /// <param name="MajorityCounts">Crowd majority counts of this folder class's faces, in class order (faces without a majority not counted).</param>
    public sealed record ClassAgreement(string Class, int Faces, double Share, IReadOnlyList<int> MajorityCounts);

    /// <summary>
    /// Below this folder-vs-crowd agreement the file names are taken not to be FER-2013 row indices (the crowd agrees
    /// with the folder on ~74% of real FER-2013 faces and on chance, ~22%, when names and rows do not match), and the
    /// product gives no crowd figures for the images.
    /// </summary>
    public const double MinimumFolderAgreement = 0.5;

    /// <summary>True when the images have votes and agree with them as FER-2013 faces do (<see cref="MinimumFolderAgreement"/>).</summary>
    public bool Applies => Images > 0 && WithoutVotes == 0 && Overall >= MinimumFolderAgreement;

    /// <summary>Why the images get no crowd figures (when <see cref="Applies"/> is false).</summary>
    public string NotApplicableReason(string voteFile) => WithoutVotes > 0
        ? $"{WithoutVotes:N0} images have no row in {voteFile} (file names are not FER-2013 row indices)"
        : $"the crowd agrees with the folder labels on {Overall:P1} of the images: the file names do not look like FER-2013 row indices";

    /// <summary>Compares every image's folder label with its crowd majority.</summary>
    public static CrowdAgreement Of(IEnumerable<Data.ImageEntry> entries, CrowdVoteTable votes) =>
        Of(entries.Select(e => (e.RelativePath, e.Label)), votes);

    /// <summary>Compares the folder label of every image (its path and label) with its crowd majority.</summary>
    public static CrowdAgreement Of(IEnumerable<(string Path, int Label)> labelled, CrowdVoteTable votes)
    {
        var confusion = new int[EmotionClasses.Count, EmotionClasses.Count];
        var faces = new int[EmotionClasses.Count];
        int images = 0, withoutVotes = 0, other = 0;
        var notAFace = new List<string>();
        var unknown = new List<string>();
        foreach (var entry in labelled)
        {
            if (votes.Find(entry.Path) is not { } face) { withoutVotes++; continue; }
            images++;
            faces[entry.Label]++;
            if (face.Majority is { } majority) confusion[entry.Label, majority]++;
            else if (face.TopCategory == CrowdVotes.CategoryNames[CrowdVotes.NotAFaceCategory]) notAFace.Add(entry.Path);
            else if (face.TopCategory == CrowdVotes.CategoryNames[CrowdVotes.UnknownCategory]) unknown.Add(entry.Path);
            else if (face.TopCategory is not null) other++;
        }
        var perClass = Enumerable.Range(0, EmotionClasses.Count).Select(c =>
        {
            var counts = Enumerable.Range(0, EmotionClasses.Count).Select(m => confusion[c, m]).ToArray();
            return new ClassAgreement(EmotionClasses.Names[c], faces[c], faces[c] == 0 ? 0 : (double)counts[c] / faces[c], counts);
        }).ToList();
        double overall = images == 0 ? 0 : (double)Enumerable.Range(0, EmotionClasses.Count).Sum(c => confusion[c, c]) / images;
        return new CrowdAgreement(images, withoutVotes, overall, perClass, notAFace, unknown, other);
    }
}
