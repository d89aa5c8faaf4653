using System.Security.Cryptography;

namespace FerMlNet.Core.IO;

/// <summary>Content hashes that run folders and model cards record, so a later reader can tell whether a file changed.</summary>
public static class FileHash
{
    /// <summary>The file's SHA-256 as lower-case hex, read as a stream (model files run to tens of megabytes).</summary>
    public static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
