using Microsoft.Playwright;

namespace Tagflow.Tests.App;

/// <summary>
/// One headless Chromium for the app's browser tests: Debian's <c>/usr/bin/chromium</c> (installed by
/// .ci/run), launched by its path, since Playwright's own browser download is not possible here.
/// Each test opens its own context (its own cookies) on its own server.
/// </summary>
public sealed class AppBrowser : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = default!;

    public async Task InitializeAsync()
    {
        Assert.True(File.Exists(ChromiumPath), $"The browser tests need Chromium at {ChromiumPath}: apt-get install chromium (.ci/run does).");
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
            ],
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
    }
}

/// <summary>The browser tests share one browser and run one after another, apart from the other tests (a browser under a loaded CPU misses its timeouts).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AppCollection : ICollectionFixture<AppBrowser>
{
    public const string Name = "App";
}
