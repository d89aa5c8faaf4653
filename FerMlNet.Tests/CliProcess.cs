using System.Diagnostics;
using FerMlNet.Scoring;

namespace FerMlNet.Tests;

/// <summary>Runs the real `fer` CLI (fer.dll from the test output) as a child process.</summary>
internal static class CliProcess
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr, long PeakRssKb = 0);

    public static Result Run(params string[] args) => Start([], measure: false, args);

    /// <summary>
    /// Runs with the temporary folder and the per-user cache (TMPDIR, XDG_CACHE_HOME) inside <paramref name="folder"/>,
    /// to see what the command leaves behind; without ORT_DISABLE_TELEMETRY or the CI markers with which ONNX Runtime
    /// switches its telemetry off by itself, so the command's own choice is what is seen.
    /// </summary>
    public static Result RunIsolated(string folder, params string[] args) =>
        Start([], measure: false, args, ("TMPDIR", folder), ("XDG_CACHE_HOME", Path.Combine(folder, "cache")),
            (OnnxRuntimeTelemetry.DisableVariable, null), ("CI", null), ("TF_BUILD", null), ("GITHUB_ACTIONS", null),
            ("GITLAB_CI", null), ("CIRCLECI", null), ("JENKINS_URL", null), ("TEAMCITY_VERSION", null));

    /// <summary>Runs under GNU time to read the child's peak resident memory (kB).</summary>
    public static Result RunMeasured(params string[] args) => Start(["/usr/bin/time", "-f", RssMarker + "%M"], measure: true, args);

    /// <summary>
    /// Runs without the power to read files whatever their mode. As root (CI), setpriv drops CAP_DAC_OVERRIDE and
    /// CAP_DAC_READ_SEARCH, so a mode-000 file is as unreadable to the CLI as to any other user; as another user the
    /// CLI already lacks them.
    /// </summary>
    public static Result RunWithoutReadOverride(params string[] args) => Start(Environment.UserName == "root"
        ? ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--inh-caps=-dac_override,-dac_read_search", "--"]
        : [], measure: false, args);

    private const string RssMarker = "FER_PEAK_RSS_KB=";

    private static Result Start(string[] wrapper, bool measure, string[] args, params (string Name, string? Value)[] environment)
    {
        var psi = new ProcessStartInfo(wrapper.Length > 0 ? wrapper[0] : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = TestData.RepoRoot,
        };
        if (wrapper.Length > 0) foreach (var a in wrapper.Skip(1).Append("dotnet")) psi.ArgumentList.Add(a);
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "fer.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (name, value) in environment)
            if (value is null) psi.Environment.Remove(name); else psi.Environment[name] = value;
        var (exitCode, stdout, err) = Execute(psi, "fer " + string.Join(' ', args));
        long rss = 0;
        if (measure && err.LastIndexOf(RssMarker, StringComparison.Ordinal) is int at and >= 0)
        {
            rss = long.Parse(err[(at + RssMarker.Length)..].Trim());
            err = err[..at];
        }
        return new Result(exitCode, stdout, err, rss);
    }

    /// <summary>
    /// Runs a bash script of the repository (path relative to its root) with extra environment variables, and FER set
    /// to this build's CLI, as the scripts of samples/ expect.
    /// </summary>
    public static Result RunScript(string script, params (string Name, string Value)[] environment)
    {
        var psi = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = TestData.RepoRoot,
        };
        psi.ArgumentList.Add(Path.Combine(TestData.RepoRoot, script));
        psi.Environment["FER"] = $"dotnet {Path.Combine(AppContext.BaseDirectory, "fer.dll")}";
        foreach (var (name, value) in environment) psi.Environment[name] = value;
        var (exitCode, stdout, stderr) = Execute(psi, script);
        return new Result(exitCode, stdout, stderr);
    }

    private static (int ExitCode, string Stdout, string Stderr) Execute(ProcessStartInfo psi, string what)
    {
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5))) { p.Kill(true); throw new TimeoutException(what); }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}
