using Microsoft.Playwright;

namespace FerMlNet.Tests;

/// <summary>Debian's chromium, headless, driven by Playwright (its own browser download cannot work offline).</summary>
internal sealed class HeadlessChromium : IAsyncDisposable
{
    private const string Executable = "/usr/bin/chromium";
    private readonly IPlaywright _playwright;

    private HeadlessChromium(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        Browser = browser;
    }

    public IBrowser Browser { get; }

    /// <summary>Where screenshots go: artifacts/screenshots/, kept by CI.</summary>
    public static string Screenshots => Directory.CreateDirectory(Path.Combine(TestData.RepoRoot, "artifacts", "screenshots")).FullName;

    public static async Task<HeadlessChromium> LaunchAsync(params string[] extraArgs)
    {
        Assert.True(File.Exists(Executable), $"{Executable} is missing: install Debian's chromium (apt-get install chromium); ./test does this as root.");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Executable,
            Headless = true,
            // Without the background-networking flags Chromium keeps calling Google's hosts, which this network refuses.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run", .. extraArgs],
        });
        return new HeadlessChromium(playwright, browser);
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
    }
}
