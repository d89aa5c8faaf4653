using System.Diagnostics;

namespace FerMlNet.Cli.Bench;

/// <summary>
/// Runs a command as a child process and measures its wall time and peak resident memory (VmHWM from
/// /proc/PID/status, read every 50 ms while it runs; VmHWM only grows, so the last reading is the peak to within
/// the last 50 ms). The child's output goes to a log file so a failure can be read afterwards.
/// </summary>
internal static class MeasuredProcess
{
    /// <summary>Wall seconds, peak RSS in bytes (0 where /proc is missing) and exit code.</summary>
    public static (double Seconds, long PeakBytes, int ExitCode) Run(string fileName, IEnumerable<string> arguments,
        string logPath, IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        if (environment is not null) foreach (var (k, v) in environment) start.Environment[k] = v;
        using var log = new StreamWriter(logPath);
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        long peak = 0;
        var status = $"/proc/{process.Id}/status";
        while (!process.WaitForExit(50))
            peak = Math.Max(peak, ReadPeak(status));
        process.WaitForExit();
        return (clock.Elapsed.TotalSeconds, peak, process.ExitCode);
    }

    private static long ReadPeak(string status)
    {
        try
        {
            foreach (var line in File.ReadLines(status))
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        }
        catch (IOException) { } // exited between the check and the read
        return 0;
    }
}
