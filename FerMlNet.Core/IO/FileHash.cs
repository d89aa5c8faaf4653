using System.Security.Cryptography;
using FerMlNet.Preprocessing;

namespace FerMlNet.Core.IO;

/// <summary>Content hashes that run folders and model cards record, so a later reader can tell whether a file changed.</summary>
public static class FileHash
{
    /// <summary>The file's SHA-256 as lower-case hex, read as a stream (model files run to tens of megabytes).</summary>
    /// <exception cref="FileNotFoundException">The path is missing or is a folder (the message names it).</exception>
    /// <exception cref="InvalidDataException">The path is a pipe, socket or device (the message names it): opening a pipe would wait for a writer forever, a device never ends.</exception>
    public static string Sha256(string path)
    {
        // A folder where a file belongs would otherwise surface as "access denied", which sends the user the wrong way.
        if (Directory.Exists(path)) throw new FileNotFoundException($"'{path}' is a folder, not a file.", path);
        InputFile.ThrowIfSpecial(path);
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
