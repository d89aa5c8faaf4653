using System.Net.Http.Headers;
using FerMlNet.Web;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Builder;

namespace FerMlNet.Tests;

/// <summary>The web app in memory (ASP.NET's test server), with "Fer:*" settings such as the model and limits.</summary>
public class FerWebFactory(params (string Key, string Value)[] settings) : WebApplicationFactory<FerMlNet.Web.Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Fer:ModelPath", WebTestData.DefaultModel);
        foreach (var (key, value) in settings) builder.UseSetting(key, value);
    }
}

/// <summary>The app with the default settings: the class fixture of <see cref="WebApiTests"/>.</summary>
public sealed class DefaultWebFactory() : FerWebFactory();

/// <summary>The web app on Kestrel at a free loopback port: real HTTP, as `fer serve` runs it.</summary>
public sealed class KestrelHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private KestrelHost(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
        Client = new HttpClient { BaseAddress = address };
    }

    public Uri Address { get; }
    public HttpClient Client { get; }

    public static async Task<KestrelHost> StartAsync(string? model = null, int rateLimit = 40)
    {
        var app = FerWebApp.Create(["--urls", "http://127.0.0.1:0", "--model", model ?? WebTestData.DefaultModel,
                                    "--rate-limit", rateLimit.ToString(), $"--Fer:RateLimitBurst={2 * rateLimit}"]);
        await app.StartAsync();
        return new KestrelHost(app, new Uri(app.Urls.Single()));
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

internal static class HttpTestExtensions
{
    public static ByteArrayContent Image(byte[] bytes, string type = "image/jpeg")
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(type);
        return content;
    }

    public static async Task<System.Text.Json.JsonElement> JsonAsync(this HttpResponseMessage response) =>
        System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
}
