using System.Text.Json.Serialization;

namespace FerMlNet.Core.Quality;

/// <summary>Perceptual hash used for near duplicates (written as "phash", "dhash").</summary>
[JsonConverter(typeof(JsonStringEnumConverter<NearDuplicateMethod>))]
public enum NearDuplicateMethod
{
    /// <summary>DCT hash (<see cref="PerceptualHash.PHash"/>), the default.</summary>
    [JsonStringEnumMemberName("phash")] PHash,

    /// <summary>Gradient hash (<see cref="PerceptualHash.DHash"/>).</summary>
    [JsonStringEnumMemberName("dhash")] DHash,
}

/// <summary>How a perceptual-hash candidate pair is confirmed as the same picture (written as "none", "correlation").</summary>
[JsonConverter(typeof(JsonStringEnumConverter<NearDuplicateConfirmation>))]
public enum NearDuplicateConfirmation
{
    /// <summary>Not confirmed: every pair within the hash threshold is a near duplicate (the rule before 2026-12-05).</summary>
    [JsonStringEnumMemberName("none")] None,

    /// <summary>The pair's best pixel correlation (<see cref="PixelCorrelation"/>) must reach <see cref="AuditOptions.NearMinCorrelation"/>; the default.</summary>
    [JsonStringEnumMemberName("correlation")] Correlation,
}

/// <summary>Options of <see cref="DatasetAudit"/>.</summary>
public sealed class AuditOptions
{
    /// <summary>Hash for near duplicates. Default: pHash (measured against dHash in the README).</summary>
    public NearDuplicateMethod NearMethod { get; set; } = NearDuplicateMethod.PHash;

    /// <summary>
    /// Largest Hamming distance (of 64 bits) at which two faces count as near duplicates. Default: 6, the largest
    /// distance at which a review of sampled pairs on fer4-mit still found the same face (README "Near duplicates").
    /// </summary>
    public int NearThreshold { get; set; } = DefaultNearThreshold;

    /// <summary>
    /// Images whose grey-level standard deviation is at most this are "blank" (constant or nearly so: no face can be
    /// seen). Default: 3 grey levels.
    /// </summary>
    public double BlankMaxStdDev { get; set; } = 3.0;

    /// <summary>How hash candidates are confirmed. Default: <see cref="NearDuplicateConfirmation.Correlation"/>.</summary>
    public NearDuplicateConfirmation NearConfirmation { get; set; } = NearDuplicateConfirmation.Correlation;

    /// <summary>
    /// Smallest best pixel correlation at which a candidate pair is the same picture. Default:
    /// <see cref="DefaultNearMinCorrelation"/>, chosen on a reviewed sample of fer4-mit's candidate pairs
    /// (datasets/reviews/fer4-mit-near-pairs.csv; docs/data-quality.md).
    /// </summary>
    public double NearMinCorrelation { get; set; } = DefaultNearMinCorrelation;

    /// <summary>The default of <see cref="NearThreshold"/>.</summary>
    public const int DefaultNearThreshold = 6;

    /// <summary>The default of <see cref="NearMinCorrelation"/>.</summary>
    public const double DefaultNearMinCorrelation = 0.83;

    /// <summary>Whether a candidate pair counts as a near duplicate under these options.</summary>
    public bool Confirms(NearPair pair) =>
        NearConfirmation == NearDuplicateConfirmation.None || pair.Correlation >= NearMinCorrelation;
}
