namespace FerMlNet.Lifecycle.Runs;

/// <summary>
/// A training job's time limit ran out before the first epoch finished: nothing was trained, so no model is written
/// (the limit was too small for the pipeline).
/// </summary>
public sealed class NoEpochFinishedException(string message) : Exception(message);
