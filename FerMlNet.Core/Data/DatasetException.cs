namespace FerMlNet.Core.Data;

/// <summary>
/// A problem with input data that stops the job (exit code 2). The message always names the file or folder and
/// the reason, so the CLI prints it as is, without a stack trace.
/// </summary>
public sealed class DatasetException(string message) : Exception(message);
