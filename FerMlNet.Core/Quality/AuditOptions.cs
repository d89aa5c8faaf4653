namespace FerMlNet.Core.Quality;

/// <summary>Perceptual hash used for near duplicates.</summary>
public enum NearDuplicateMethod
{
    /// <summary>DCT hash (<see cref="PerceptualHash.PHash"/>), the default.</summary>
    PHash,

    /// <summary>Gradient hash (<see cref="PerceptualHash.DHash"/>).</summary>
    DHash,
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

    /// <summary>The default of <see cref="NearThreshold"/>.</summary>
    public const int DefaultNearThreshold = 6;
}
