using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Tagflow.Accounts;
using Tagflow.Contacts;
using Tagflow.OptIns;
using Tagflow.Tags;
using Tagflow.Tests.Infrastructure;

namespace Tagflow.Tests.App;

/// <summary>A real server on SQLite with one account, and a browser tab of its own on it.</summary>
internal sealed partial class AppSession : IAsyncDisposable
{
    private readonly IBrowserContext _context;

    private AppSession(TagflowHost host, IBrowserContext context, IPage page)
    {
        Host = host;
        _context = context;
        Page = page;
    }

    public TagflowHost Host { get; }
    public IPage Page { get; }

    /// <summary>The app's address on this server.</summary>
    public string Url(string path) => new Uri(Host.BaseAddress, path).ToString();

    /// <summary>
    /// A server with the account <paramref name="username"/> on the Standard plan (the app is not only
    /// for the API's Premium plans), and a tab not yet signed in.
    /// </summary>
    public static async Task<AppSession> StartAsync(AppBrowser browser, string username = "anna", Func<TagflowSettings, TagflowSettings>? adjust = null,
        bool javaScript = true)
    {
        var host = await TagflowHost.StartAsync(Providers.Sqlite, adjust ?? (s => s));
        await host.AddAccountAsync(username, Plan.Standard);
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = host.BaseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = 1280, Height = 860 },
            AcceptDownloads = true,
            JavaScriptEnabled = javaScript,
        });
        context.SetDefaultTimeout(30_000);
        return new AppSession(host, context, await context.NewPageAsync());
    }

    public async Task SignInAsync(string username = "anna", string password = TagflowHost.Password)
    {
        await Page.GotoAsync("/app/signin");
        await Page.GetByLabel("Username").FillAsync(username);
        await Page.GetByLabel("Password").FillAsync(password);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }

    /// <summary>Waits for the dashboard, the app's home, after a sign-in; on a timeout, says where the browser is and what it shows.</summary>
    public async Task LandsOnDashboardAsync()
    {
        try
        {
            await Page.WaitForURLAsync("**/app/dashboard");
        }
        catch (TimeoutException e)
        {
            var text = await Page.Locator("main").InnerTextAsync(new() { Timeout = 2_000 });
            throw new TimeoutException($"The sign-in did not lead to the dashboard: the browser is at {Page.Url}, showing: {text}", e);
        }
    }

    /// <summary>Adds a contact through the contacts page's form; answers the new contact's id.</summary>
    public async Task<long> AddContactAsync(string email, string firstName = "", string lastName = "", string? process = null, string? tag = null)
    {
        await Page.GotoAsync("/app/contacts");
        await Page.Locator("#add-contact summary").ClickAsync();
        await Page.GetByLabel("Email address").FillAsync(email);
        await Page.GetByLabel("First name").FillAsync(firstName);
        await Page.GetByLabel("Last name").FillAsync(lastName);
        if (process is not null) await Page.Locator("select[name=AddProcess]").SelectOptionAsync(new SelectOptionValue { Label = process });
        if (tag is not null) await Page.Locator("select[name=AddTag]").SelectOptionAsync(new SelectOptionValue { Label = tag });
        await Page.GetByRole(AriaRole.Button, new() { Name = "Add contact" }).ClickAsync();
        await Page.WaitForURLAsync(ContactUrl());
        return long.Parse(ContactUrl().Match(Page.Url).Groups["id"].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Runs <paramref name="action"/> with the server's services (to set up what the app has no page for yet).</summary>
    public Task<T> WithServicesAsync<T>(Func<IServiceProvider, Task<T>> action) => Host.WithServicesAsync(action);

    /// <summary>Creates a manual tag of the account through the tag rules; answers its id.</summary>
    public async Task<long> AddTagAsync(string name, string username = "anna")
    {
        var accountId = await AccountIdAsync(username);
        return await WithServicesAsync(async sp =>
            (await sp.GetRequiredService<TagAdmin>().AddAsync(accountId, name, "", CancellationToken.None)).Tag!.Id);
    }

    /// <summary>
    /// Adds a subscribed contact through the contact pipeline, as a shop's checkout would through the
    /// API: by a single opt-in process "Checkout" (made on first use), from 192.0.2.10.
    /// </summary>
    public async Task<long> AddContactDirectAsync(string email, Dictionary<string, string?>? fields = null, string username = "anna")
    {
        var accountId = await AccountIdAsync(username);
        return await WithServicesAsync(async sp =>
        {
            var db = sp.GetRequiredService<Tagflow.Data.TagflowDb>();
            var process = db.OptInProcesses.Where(p => p.AccountId == accountId && p.Name == "Checkout").Select(p => (long?)p.Id).SingleOrDefault()
                ?? (await sp.GetRequiredService<OptInProcessAdmin>().AddAsync(accountId, new ProcessSettings(Name: "Checkout", UseSingleOptIn: true), CancellationToken.None)).Process!.Id;
            var result = await sp.GetRequiredService<ContactChanges>().AddOrUpdateAsync(
                new ChangeOrigin(accountId, ChangeSource.Api, "192.0.2.10"),
                new ContactInput(email, null, process, null, fields), CancellationToken.None);
            Assert.True(result.Done, $"The contact {email} was refused: {result.Refusal}");
            return result.Value!.Contact.Id;
        });
    }

    public Task<long> AccountIdAsync(string username = "anna") =>
        WithServicesAsync(async sp => (await sp.GetRequiredService<AccountAdmin>().FindAccountAsync(username, CancellationToken.None)).Id);

    /// <summary>
    /// Saves a screenshot of the page as docs/screenshots/<paramref name="name"/>.png when
    /// TAGFLOW_SCREENSHOTS=1 (so that an ordinary test run leaves the repository as it was).
    /// </summary>
    public async Task ScreenshotAsync(string name)
    {
        var bytes = await Page.ScreenshotAsync(new PageScreenshotOptions { FullPage = true });
        Assert.NotEmpty(bytes);
        if (Environment.GetEnvironmentVariable("TAGFLOW_SCREENSHOTS") != "1") return;
        var directory = Path.Combine(RepositoryRoot(), "docs", "screenshots");
        Directory.CreateDirectory(directory);
        await File.WriteAllBytesAsync(Path.Combine(directory, name + ".png"), bytes);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Tagflow.slnx"))) return dir.FullName;
        throw new InvalidOperationException("The repository root (Tagflow.slnx) was not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"/app/contacts/(?<id>[0-9]+)")]
    public static partial Regex ContactUrl();

    public async ValueTask DisposeAsync()
    {
        await _context.DisposeAsync();
        await Host.DisposeAsync();
    }
}
