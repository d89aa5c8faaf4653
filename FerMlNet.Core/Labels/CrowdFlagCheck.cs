namespace FerMlNet.Core.Labels;

/// <summary>
/// How an independent panel — the FER+ crowd, ten votes per face — judges the top of a ranked list of label flags:
/// a flag is confirmed when the crowd's majority is not the given label, and its suggestion when the majority is the
/// suggested class. The base rate is how often the crowd rejects the given label of any face of the same images, so
/// a flag list is worth reviewing when its precision stands well above that rate.
/// </summary>
/// <param name="Top">How many of the highest-ranked flags were checked (fewer when the list is shorter).</param>
/// <param name="WithVotes">Of those, the faces the vote file has.</param>
/// <param name="CrowdConfirmsGiven">Flags whose crowd majority is the given label: false alarms by the crowd's word.</param>
/// <param name="CrowdPicksSuggested">Flags whose crowd majority is the suggested class.</param>
/// <param name="BaseRejectRate">Share of all checked images (with votes) whose crowd majority is not their label.</param>
/// <param name="BaseImages">The images behind <paramref name="BaseRejectRate"/>.</param>
public sealed record CrowdFlagCheck(int Top, int WithVotes, int CrowdConfirmsGiven, int CrowdPicksSuggested,
    double BaseRejectRate, int BaseImages)
{
    /// <summary>How many top flags the mislabel report checks against the crowd by default.</summary>
    public const int DefaultTop = 100;

    /// <summary>Share of the checked flags (with votes) whose given label the crowd does not back: the flags' precision.</summary>
    public double Precision => WithVotes == 0 ? 0 : 1 - (double)CrowdConfirmsGiven / WithVotes;

    /// <summary>Share of the checked flags (with votes) whose suggested class is the crowd's majority.</summary>
    public double SuggestionPrecision => WithVotes == 0 ? 0 : (double)CrowdPicksSuggested / WithVotes;

    /// <summary>
    /// Checks the first <paramref name="top"/> of <paramref name="rankedFlags"/> (path, given and suggested class,
    /// highest rank first) against <paramref name="votes"/>; <paramref name="allImages"/> gives the base rate.
    /// </summary>
    public static CrowdFlagCheck Of(IEnumerable<(string Path, int Given, int Suggested)> rankedFlags,
        IEnumerable<(string Path, int Label)> allImages, CrowdVoteTable votes, int top = DefaultTop)
    {
        var checkedFlags = rankedFlags.Take(top).ToList();
        var voted = checkedFlags.Select(f => (f, votes: votes.Find(f.Path))).Where(x => x.votes is not null).ToList();
        var baseVotes = allImages.Select(i => (i.Label, votes: votes.Find(i.Path))).Where(x => x.votes is not null).ToList();
        int rejected = baseVotes.Count(x => x.votes!.Majority != x.Label);
        return new CrowdFlagCheck(checkedFlags.Count, voted.Count,
            voted.Count(x => x.votes!.Majority == x.f.Given), voted.Count(x => x.votes!.Majority == x.f.Suggested),
            baseVotes.Count == 0 ? 0 : (double)rejected / baseVotes.Count, baseVotes.Count);
    }

    /// <summary>The check as the "crowdCheck" object of mislabels.json, naming the vote file (its name, no machine path).</summary>
    public CrowdFlagSection ToSection(string voteFile) => new(Path.GetFileName(voteFile), Top, WithVotes,
        CrowdConfirmsGiven, CrowdPicksSuggested, Math.Round(Precision, 4), Math.Round(SuggestionPrecision, 4),
        Math.Round(BaseRejectRate, 4), BaseImages);
}

/// <summary>The "crowdCheck" object of mislabels.json: a <see cref="CrowdFlagCheck"/> with its rates rounded.</summary>
/// <param name="VoteFile">The vote file's name (no machine path).</param>
/// <param name="Top">Flags checked.</param>
/// <param name="WithVotes">Of those, faces with votes.</param>
/// <param name="CrowdConfirmsGiven">Flags whose crowd majority is the given label.</param>
/// <param name="CrowdPicksSuggested">Flags whose crowd majority is the suggested class.</param>
/// <param name="Precision">Share of the checked flags whose given label the crowd does not back.</param>
/// <param name="SuggestionPrecision">Share of the checked flags whose suggested class is the crowd's majority.</param>
/// <param name="BaseRejectRate">Share of all faces whose crowd majority is not their label.</param>
/// <param name="BaseImages">The faces behind <paramref name="BaseRejectRate"/>.</param>
public sealed record CrowdFlagSection(string VoteFile, int Top, int WithVotes, int CrowdConfirmsGiven,
    int CrowdPicksSuggested, double Precision, double SuggestionPrecision, double BaseRejectRate, int BaseImages);
