using System.Runtime.InteropServices;

namespace FerMlNet.Preprocessing;

/// <summary>What kind of file system entry a path is, following symbolic links (as an open would).</summary>
public enum InputFileKind
{
    /// <summary>A regular file: the only kind the product reads as input.</summary>
    Regular,

    /// <summary>A folder.</summary>
    Directory,

    /// <summary>A named pipe (FIFO): opening it for reading would wait for a writer forever.</summary>
    NamedPipe,

    /// <summary>A character device such as /dev/zero or /dev/random (endless data).</summary>
    CharacterDevice,

    /// <summary>A block device (a whole disk).</summary>
    BlockDevice,

    /// <summary>A Unix domain socket.</summary>
    Socket,

    /// <summary>Nothing there (or a symbolic link whose target is missing).</summary>
    Missing,
}

/// <summary>
/// The one way the product opens a user's input file: regular files only (named pipes, sockets and devices, also
/// behind symbolic links, are refused before they are opened, so nothing blocks), size checked before a byte is read,
/// and the read bounded by that size, so neither a sparse multi-gigabyte ".jpg" nor /dev/zero can exhaust memory.
/// </summary>
public static partial class InputFile
{
    /// <summary>
    /// Default largest input image file: 64 MiB. The decoder's own limit (8,192 px per side, 40 Mpx) allows about 160 MB
    /// of raw pixels; real JPEG and PNG photos at that size are far below 64 MiB, and reading stays bounded whatever the
    /// folder holds.
    /// </summary>
    public const long DefaultMaxBytes = 64L << 20;

    /// <summary>The environment variable that sets <see cref="MaxBytes"/> in MiB for every command (e.g. FER_MAX_INPUT_MB=256).</summary>
    public const string MaxBytesVariable = "FER_MAX_INPUT_MB";

    /// <summary>
    /// The largest input file read: <see cref="MaxBytesVariable"/> MiB when that variable holds a positive whole number,
    /// else <see cref="DefaultMaxBytes"/>.
    /// </summary>
    public static long MaxBytes { get; } =
        long.TryParse(Environment.GetEnvironmentVariable(MaxBytesVariable), out long mib) && mib is > 0 and < (1L << 40)
            ? mib << 20
            : DefaultMaxBytes;

    /// <summary>The kind of entry at <paramref name="path"/>, following symbolic links.</summary>
    public static InputFileKind KindOf(string path)
    {
        if (OperatingSystem.IsLinux())
        {
            // statx has one layout on every Linux architecture (stx_mode: a 16-bit field at byte 28), unlike stat.
            Span<byte> buffer = stackalloc byte[256];
            if (Statx(AtFdCwd, path, 0, StatxTypeMask, ref MemoryMarshal.GetReference(buffer)) != 0) return InputFileKind.Missing;
            return (BitConverter.ToUInt16(buffer[28..30]) & 0xF000) switch
            {
                0x8000 => InputFileKind.Regular,
                0x4000 => InputFileKind.Directory,
                0x1000 => InputFileKind.NamedPipe,
                0x2000 => InputFileKind.CharacterDevice,
                0x6000 => InputFileKind.BlockDevice,
                0xC000 => InputFileKind.Socket,
                _ => InputFileKind.Missing,
            };
        }
        if (Directory.Exists(path)) return InputFileKind.Directory;
        return File.Exists(path) ? InputFileKind.Regular : InputFileKind.Missing;
    }

    /// <summary>Why a path that is not a regular file cannot be read, in the words of a CSV row or skip notice.</summary>
    public static string Describe(InputFileKind kind) => kind switch
    {
        InputFileKind.Directory => "not a regular file (a folder)",
        InputFileKind.NamedPipe => "not a regular file (a named pipe)",
        InputFileKind.CharacterDevice => "not a regular file (a character device)",
        InputFileKind.BlockDevice => "not a regular file (a block device)",
        InputFileKind.Socket => "not a regular file (a socket)",
        InputFileKind.Missing => "the file does not exist (or is a broken link)",
        _ => "a regular file",
    };

    /// <summary>
    /// Reads a whole input file of at most <paramref name="maxBytes"/> bytes (default <see cref="MaxBytes"/>).
    /// </summary>
    /// <exception cref="InputFileException">Not a regular file, too large, or unreadable; the message is the reason.</exception>
    public static byte[] ReadAllBytes(string path, long? maxBytes = null)
    {
        long limit = maxBytes ?? MaxBytes;
        var kind = KindOf(path);
        if (kind != InputFileKind.Regular) throw new InputFileException(Describe(kind));
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
            long length = stream.Length;
            if (length > limit)
                throw new InputFileException($"file too large ({length:N0} bytes; limit {limit:N0}, set by {MaxBytesVariable})");
            var bytes = new byte[length];
            stream.ReadExactly(bytes);
            // A file that grew after the size was taken is read only up to that size; one that shrank ends early.
            return bytes;
        }
        catch (EndOfStreamException) { throw new InputFileException("the file shrank while it was read"); }
        catch (Exception e) when (e is (IOException and not InputFileException) or UnauthorizedAccessException)
        {
            throw new InputFileException($"cannot read the file ({e.Message})");
        }
    }

    /// <summary>
    /// Largest text file read by name — a metrics file, model card, leaderboard, pipeline, decisions or review file:
    /// 64 MiB, far above any the product writes, so a device, pipe or sparse giant given in its place is refused
    /// instead of read.
    /// </summary>
    public const long MaxTextBytes = 64L << 20;

    /// <summary>
    /// Largest model file read whole (an .onnx): 2 GiB, the protobuf limit, so a pipe or device given as a model is
    /// refused instead of read forever.
    /// </summary>
    public const long MaxModelBytes = 2L << 30;

    /// <summary>
    /// Reads a whole text file given by name (UTF-8, a byte-order mark honoured) with <see cref="ReadAllBytes"/>'s
    /// guards and at most <paramref name="maxBytes"/> (default <see cref="MaxTextBytes"/>; a list of inputs passes
    /// <see cref="MaxBytes"/>, which <see cref="MaxBytesVariable"/> can raise).
    /// </summary>
    /// <exception cref="InvalidDataException">Not a regular file, too large, or unreadable; the message names the file and why.</exception>
    public static string ReadAllText(string path, long? maxBytes = null)
    {
        byte[] bytes;
        try { bytes = ReadAllBytes(path, maxBytes ?? MaxTextBytes); }
        catch (InputFileException e) { throw new InvalidDataException($"'{path}' cannot be read: {e.Message}"); }
        using var reader = new StreamReader(new MemoryStream(bytes), System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }

    /// <summary>
    /// Refuses a path that is there but is not a regular file (a pipe, socket, device or folder) before anything opens
    /// it: opening a pipe waits for a writer forever and a device never ends. A missing path passes, for the caller's
    /// own "does not exist".
    /// </summary>
    /// <exception cref="InvalidDataException">The message names the file (after <paramref name="prefix"/>, e.g. "Model ") and the reason.</exception>
    public static void ThrowIfSpecial(string path, string prefix = "")
    {
        if (KindOf(path) is var kind and not (InputFileKind.Regular or InputFileKind.Missing))
            throw new InvalidDataException($"{prefix}'{path}' cannot be read: {Describe(kind)}");
    }

    /// <summary>
    /// Reads a whole model file given by name (an .onnx) with <see cref="ReadAllBytes"/>'s guards and at most
    /// <see cref="MaxModelBytes"/>.
    /// </summary>
    /// <exception cref="InvalidDataException">Not a regular file, too large, or unreadable; the message names the file and why.</exception>
    public static byte[] ReadModel(string path)
    {
        try { return ReadAllBytes(path, MaxModelBytes); }
        catch (InputFileException e) { throw new InvalidDataException($"Model '{path}' cannot be read: {e.Message}"); }
    }

    private const int AtFdCwd = -100;
    private const uint StatxTypeMask = 0x1; // STATX_TYPE

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Statx(int dirFd, string path, int flags, uint mask, ref byte buffer);
}

/// <summary>An input file that cannot be read as one: <see cref="Exception.Message"/> is the reason, without the path.</summary>
public sealed class InputFileException(string reason) : IOException(reason);
