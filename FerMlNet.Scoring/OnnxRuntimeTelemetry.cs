using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace FerMlNet.Scoring;

/// <summary>
/// ONNX Runtime's own usage telemetry. The official ONNX Runtime packages (1.31.1 here) collect usage events on Linux
/// and macOS as well as Windows: on Linux a device id and an event database under
/// <c>~/.cache/Microsoft/DeveloperTools/.onnxruntime</c>, a <c>.ses</c> file in the temporary folder, and uploads
/// where the network allows. Setting <c>ORT_DISABLE_TELEMETRY=1</c> before ONNX Runtime starts turns all of it off
/// (measured: nothing is written). FerMlNet's own programs (<c>fer</c>, the web app) call <see cref="Disable"/> first
/// thing; an application embedding FerMlNet.Scoring makes its own choice, by calling it at the top of Main or by
/// setting the variable.
/// </summary>
public static class OnnxRuntimeTelemetry
{
    /// <summary>The environment variable ONNX Runtime reads once, when it starts.</summary>
    public const string DisableVariable = "ORT_DISABLE_TELEMETRY";

    /// <summary>
    /// Turns ONNX Runtime's telemetry off for this process, unless <see cref="DisableVariable"/> is set already (a
    /// choice made outside is kept). Call it before the first model is loaded: ONNX Runtime reads the variable once.
    /// Returns false where the variable was set already to something other than 1, or the native environment could
    /// not be changed.
    /// </summary>
    public static bool Disable()
    {
        if (Environment.GetEnvironmentVariable(DisableVariable) is { Length: > 0 } chosen) return chosen == "1";
        // .NET keeps its own copy of the environment on Linux and macOS; ONNX Runtime reads the C library's, so the
        // variable goes there too.
        Environment.SetEnvironmentVariable(DisableVariable, "1");
        // Windows' event tracing ignores the variable; there the API call stops those events. Elsewhere ONNX Runtime is
        // not loaded here, so a command that never scores does not pay for it.
        return OperatingSystem.IsWindows() ? DisableWindowsEvents() : SetNative(DisableVariable, "1");
    }

    private static bool DisableWindowsEvents()
    {
        try
        {
            OrtEnv.Instance().DisableTelemetryEvents();
            return true;
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or OnnxRuntimeException)
        {
            return false;
        }
    }

    private static bool SetNative(string name, string value)
    {
        try { return setenv(name, value, 1) == 0; }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return false; }
    }

    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int setenv([MarshalAs(UnmanagedType.LPUTF8Str)] string name,
        [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);
}
