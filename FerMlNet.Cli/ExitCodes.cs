namespace FerMlNet.Cli;

/// <summary>Exit codes of the CLI contract.</summary>
internal static class ExitCodes
{
    /// <summary>Success; item-level errors are recorded in the output and counted in the summary line.</summary>
    public const int Success = 0;
    /// <summary>The command line was wrong.</summary>
    public const int Usage = 1;
    /// <summary>An input or data error stopped the job.</summary>
    public const int DataError = 2;
    /// <summary>With --strict, some item failed.</summary>
    public const int ItemFailed = 3;
}

/// <summary>A usage error found after parsing (a bad combination of options, an unknown value).</summary>
internal class UsageException(string message) : Exception(message);

/// <summary>
/// `fer data mislabels`: the fold models barely beat a constant answer, so their flags would be noise and none are
/// written (a usage error: the budget or pipeline was too weak for the data).
/// </summary>
internal sealed class WeakFoldModelException(string message) : UsageException(message);
