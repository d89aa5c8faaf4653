using System.CommandLine;
using FerMlNet.Core.Quality;

namespace FerMlNet.Cli;

/// <summary>The near-duplicate rule's options, shared by `fer data audit` and `fer data split` so both judge pairs alike.</summary>
internal sealed class NearDuplicateCliOptions
{
    public Option<int> Threshold { get; } = new("--near-threshold")
    {
        Description = "Largest perceptual-hash Hamming distance (of 64 bits) at which two pictures are near-duplicate candidates.",
        DefaultValueFactory = _ => AuditOptions.DefaultNearThreshold,
    };

    public Option<NearDuplicateConfirmation> Confirm { get; } = new("--near-confirm")
    {
        Description = "How a candidate is confirmed: Correlation (best pixel correlation over small shifts, the default) or None (the hash alone, the rule before 2026-12-05).",
        DefaultValueFactory = _ => NearDuplicateConfirmation.Correlation,
    };

    public Option<double> MinCorrelation { get; } = new("--near-min-correlation")
    {
        Description = "Smallest best pixel correlation of a confirmed pair (calibrated on datasets/reviews/fer4-mit-near-pairs.csv).",
        DefaultValueFactory = _ => AuditOptions.DefaultNearMinCorrelation,
    };

    /// <summary>The options, to add to a command.</summary>
    public IEnumerable<Option> All => [Threshold, Confirm, MinCorrelation];

    /// <summary>The audit options the command line gives; a usage error for values out of range.</summary>
    public AuditOptions Read(ParseResult parse, NearDuplicateMethod method = NearDuplicateMethod.PHash)
    {
        int threshold = parse.GetValue(Threshold);
        if (threshold is < 0 or > 15) throw new UsageException("--near-threshold must be between 0 and 15.");
        double minCorrelation = parse.GetValue(MinCorrelation);
        if (minCorrelation is < -1 or > 1) throw new UsageException("--near-min-correlation must be between -1 and 1.");
        return new AuditOptions
        {
            NearMethod = method, NearThreshold = threshold, NearConfirmation = parse.GetValue(Confirm), NearMinCorrelation = minCorrelation,
        };
    }
}
