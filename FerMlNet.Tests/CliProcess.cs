using System.Diagnostics;

namespace FerMlNet.Tests;

/// <summary>Runs the real `fer` CLI (fer.dll from the test output) as a child process.</summary>
internal static class CliProcess
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr, long PeakRssKb = 0);

    public static Result Run(params string[] args) => Start(measure: false, args);

    /// <summary>Runs under GNU time to read the child's peak resident memory (kB).</summary>
    public static Result RunMeasured(params string[] args) => Start(measure: true, args);

    private const string RssMarker = "FER_PEAK_RSS_KB=";

    private static Result Start(bool measure, string[] args)
    {
        var psi = new ProcessStartInfo(measure ? "/usr/bin/time" : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = TestData.RepoRoot,
        };
        if (measure) foreach (var a in new[] { "-f", RssMarker + "%M", "dotnet" }) psi.ArgumentList.Add(a);
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "fer.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5))) { p.Kill(true); throw new TimeoutException("fer " + string.Join(' ', args)); }
        string err = stderr.Result;
        long rss = 0;
        if (measure && err.LastIndexOf(RssMarker, StringComparison.Ordinal) is int at and >= 0)
        {
            rss = long.Parse(err[(at + RssMarker.Length)..].Trim());
            err = err[..at];
        }
        return new Result(p.ExitCode, stdout.Result, err, rss);
    }
}
