using System.Diagnostics;

namespace FerMlNet.Tests;

/// <summary>
/// FerMlNet.Preprocessing and FerMlNet.Scoring packed by `dotnet pack` into a temporary feed, under a version no other
/// run uses (so NuGet's global cache can never hand back an older package of the same number), and removed from that
/// cache afterwards.
/// </summary>
public sealed class PackedFeed : IDisposable
{
    private readonly TempDir _root = TestData.NewTempDir();

    public PackedFeed()
    {
        Version = $"1.0.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";
        Directory.CreateDirectory(Feed);
        // The test build already compiled both libraries in this configuration; pack them as they are.
        foreach (var project in new[] { "FerMlNet.Preprocessing", "FerMlNet.Scoring" })
            DotNet.Run(TestData.RepoRoot, "pack", Path.Combine(project, project + ".csproj"), "-c", TestData.BuildConfiguration, "--no-build",
                       "-o", Feed, $"-p:VersionSuffix={Version["1.0.0-".Length..]}", "-nologo");
    }

    /// <summary>The folder holding the .nupkg files.</summary>
    public string Feed => _root.Combine("feed");

    /// <summary>The version of both packages.</summary>
    public string Version { get; }

    /// <summary>A folder outside the repository with a NuGet.config that adds the feed to the usual sources.</summary>
    public TempDir NewConsumerFolder()
    {
        var folder = TestData.NewTempDir();
        File.WriteAllText(folder.Combine("NuGet.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="fermlnet-test-feed" value="{Feed}" />
              </packageSources>
            </configuration>
            """);
        return folder;
    }

    public void Dispose()
    {
        var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                    ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (var id in new[] { "fermlnet.preprocessing", "fermlnet.scoring" })
            try { Directory.Delete(Path.Combine(cache, id, Version.ToLowerInvariant()), recursive: true); }
            catch (DirectoryNotFoundException) { }
        _root.Dispose();
    }
}

/// <summary>Runs the dotnet host (the SDK or an app) as a child process and fails with its output when it fails.</summary>
internal static class DotNet
{
    public static string Run(string workingDirectory, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5))) { p.Kill(true); throw new TimeoutException("dotnet " + string.Join(' ', args)); }
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"dotnet {string.Join(' ', args)} exited {p.ExitCode}:\n{stdout.Result}\n{stderr.Result}");
        return stdout.Result;
    }

    /// <summary>Starts an app and leaves it running (the caller kills it).</summary>
    public static Process Start(string workingDirectory, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        return Process.Start(psi)!;
    }
}
