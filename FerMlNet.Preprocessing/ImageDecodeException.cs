namespace FerMlNet.Preprocessing;

/// <summary>An image that cannot be used, with a reason a person understands ("empty file", "not a JPEG or PNG"...).</summary>
public sealed class ImageDecodeException(string reason) : Exception(reason)
{
    /// <summary>The reason alone, without the file name (callers add the name).</summary>
    public string Reason { get; } = reason;
}
