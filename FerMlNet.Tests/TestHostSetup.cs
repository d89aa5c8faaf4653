using System.Runtime.CompilerServices;
using FerMlNet.Scoring;

namespace FerMlNet.Tests;

/// <summary>Settings of the test host process itself, applied before any test runs.</summary>
internal static class TestHostSetup
{
    /// <summary>The test host loads models in process too; ONNX Runtime's telemetry stays off there as in `fer`.</summary>
    [ModuleInitializer]
    internal static void DisableOnnxRuntimeTelemetry() => OnnxRuntimeTelemetry.Disable();
}
