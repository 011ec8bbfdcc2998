using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Tagflow.Accounts;
using static Microsoft.Playwright.Assertions;

namespace Tagflow.Tests.App;

/// <summary>Changing many contacts at once, and the app's protection of its forms and pages.</summary>
[Collection(AppCollection.Name)]
public sealed partial class BulkAndSafetyTests(AppBrowser browser)
{
    [Fact]
    public async Task ManyContactsAreTaggedAtOnceAfterAConfirmationThatSaysHowMany()
    {
        await using var app = await AppSession.StartAsync(browser);
        await app.AddTagAsync("VIP");
        foreach (var name in new[] { "ada", "ben", "cy", "dee" })
            await app.AddContactDirectAsync($"{name}@example.com", new() { ["fieldFirstName"] = name });
        await app.SignInAsync();
        await app.Page.GotoAsync("/app/contacts");

        foreach (var name in new[] { "ada", "ben", "cy" })
            await app.Page.GetByLabel($"Select {name}@example.com").CheckAsync();
        await app.Page.Locator("select[name=BulkAction]").First.SelectOptionAsync("tag");
        await app.Page.Locator("select[name=BulkTag]").First.SelectOptionAsync(new SelectOptionValue { Label = "VIP" });
        await app.Page.GetByRole(AriaRole.Button, new() { Name = "Apply…" }).ClickAsync();
        await Expect(app.Page.Locator("#bulk-confirm")).ToContainTextAsync("Add the tag “VIP” to 3 contacts?");
        await app.ScreenshotAsync("contacts-bulk");
        await app.Page.GetByRole(AriaRole.Button, new() { Name = "Yes, do it" }).ClickAsync();
        await Expect(app.Page.Locator("#notice")).ToHaveTextAsync("Added the tag “VIP” to 3 contacts.");

        await app.Page.Locator("#filters select[name=tag]").SelectOptionAsync(new SelectOptionValue { Label = "VIP" });
        await app.Page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await Expect(app.Page.Locator("#contacts tbody tr")).ToHaveCountAsync(3);
        await Expect(app.Page.Locator("#contacts tbody")).Not.ToContainTextAsync("dee@example.com");
        await app.ScreenshotAsync("contacts");
        // On a phone the page fits its width: no sideways scrolling.
        await app.Page.SetViewportSizeAsync(390, 844);
        Assert.True(await app.Page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"));
        await app.ScreenshotAsync("contacts-phone");
    }

    [Fact]
    public async Task AFormPostedWithoutItsAntiforgeryTokenIsRefusedAndChangesNothing()
    {
        await using var app = await AppSession.StartAsync(browser);
        var id = await app.AddContactDirectAsync("kept@example.com");
        var accountId = await app.AccountIdAsync();
        var session = await app.WithServicesAsync(sp => sp.GetRequiredService<Sessions>().CreateAsync(accountId, CancellationToken.None));
        var erase = new Dictionary<string, string>
        {
            ["_handler"] = "bulk", ["BulkAction"] = "delete", ["selected"] = id.ToString(System.Globalization.CultureInfo.InvariantCulture), ["Confirmed"] = "yes",
        };

        using var client = app.Host.NewClient();
        client.DefaultRequestHeaders.Add("Cookie", $"tagflow_app={session}");
        using var refused = await client.PostAsync("/app/contacts", new FormUrlEncodedContent(erase));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("security token", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/app/contacts/{id}")).StatusCode);

        // The same form with the token the page gave (and its cookie) is done: the refusal was the token's.
        using var page = await client.GetAsync("/app/contacts");
        var token = Token().Match(await page.Content.ReadAsStringAsync()).Groups["token"].Value;
        var antiforgeryCookie = page.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("tagflow_antiforgery=", StringComparison.Ordinal)).Split(';')[0];
        using var withToken = app.Host.NewClient();
        withToken.DefaultRequestHeaders.Add("Cookie", $"tagflow_app={session}; {antiforgeryCookie}");
        using var done = await withToken.PostAsync("/app/contacts", new FormUrlEncodedContent(new Dictionary<string, string>(erase) { ["__RequestVerificationToken"] = token }));
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        Assert.Contains("Erased 1 contact.", await done.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/app/contacts/{id}")).StatusCode);
    }

    [Fact]
    public async Task PagesCarryAContentSecurityPolicyWithoutInlineScriptsAndTheApiIsUnchanged()
    {
        await using var app = await AppSession.StartAsync(browser);
        var response = await app.Page.GotoAsync("/app/signin");
        var csp = response!.Headers["content-security-policy"];
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.Equal("DENY", response.Headers["x-frame-options"]);
        var styles = await app.Page.APIRequest.GetAsync("/app/assets/app.css");
        Assert.Equal(200, styles.Status);
        Assert.StartsWith("text/css", styles.Headers["content-type"], StringComparison.Ordinal);
        // The app's files are kept by the browser and asked for again with their tag: unchanged, they come back as 304 without a body.
        var script = await app.Page.APIRequest.GetAsync("/app/assets/blazor.web.js");
        Assert.Equal(200, script.Status);
        Assert.StartsWith("text/javascript", script.Headers["content-type"], StringComparison.Ordinal);
        var again = await app.Page.APIRequest.GetAsync("/app/assets/blazor.web.js", new() { Headers = new Dictionary<string, string> { ["If-None-Match"] = script.Headers["etag"] } });
        Assert.Equal(304, again.Status);
        Assert.Empty(await again.BodyAsync());

        // The API answers as before: JSON, its own 403 and 404, no app headers; and the Standard plan has no API access.
        using var api = await app.Host.Client.GetAsync("/tag");
        Assert.Equal(HttpStatusCode.Forbidden, api.StatusCode);
        Assert.False(api.Headers.Contains("Content-Security-Policy"));
        using var login = await app.Host.Client.PostAsync("/account/login",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["username"] = "anna", ["password"] = Infrastructure.TagflowHost.Password }));
        Assert.Equal(HttpStatusCode.Forbidden, login.StatusCode);
        var unknown = await app.Page.APIRequest.GetAsync("/app/no-such-page");
        Assert.Equal(404, unknown.Status);
        Assert.StartsWith("text/html", unknown.Headers["content-type"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignInsFromOneAddressAreLimitedAsTheApiLoginsAre()
    {
        await using var app = await AppSession.StartAsync(browser, adjust: s => s with { LoginsPerMinutePerAddress = 3 });
        for (var i = 0; i < 3; i++)
        {
            await app.SignInAsync(password: "wrong");
            await Expect(app.Page.Locator("#signin-error")).ToHaveTextAsync("Wrong username or password.");
        }
        // Looking at the page costs nothing; the fourth sign-in within the minute is refused, in HTML.
        await app.Page.GotoAsync("/app/signin");
        await app.Page.GotoAsync("/app/signin");
        await app.Page.GetByLabel("Username").FillAsync("anna");
        await app.Page.GetByLabel("Password").FillAsync(Infrastructure.TagflowHost.Password);
        var refused = await app.Page.RunAndWaitForResponseAsync(
            () => app.Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync(), r => r.Request.Method == "POST");
        Assert.Equal(429, refused.Status);
        Assert.NotNull(refused.Headers.GetValueOrDefault("retry-after"));
        await Expect(app.Page.GetByRole(AriaRole.Heading, new() { Name = "Too many sign-ins" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task LinksAndFormsUpdateThePageInPlaceAndWorkWithoutJavaScriptToo()
    {
        await using var app = await AppSession.StartAsync(browser);
        var errors = new List<string>();
        app.Page.Console += (_, message) => { if (message.Type == "error") errors.Add($"{message.Text} ({message.Location})"); };
        app.Page.PageError += (_, error) => errors.Add(error);
        await app.AddContactDirectAsync("ada@example.com");
        await app.SignInAsync();
        await app.LandsOnDashboardAsync();

        // A mark on the window survives only if no page in between was loaded whole.
        await app.Page.EvaluateAsync("() => { window.stayed = true; }");
        await app.Page.Locator("header nav").GetByRole(AriaRole.Link, new() { Name = "Tags" }).ClickAsync();
        await app.Page.WaitForURLAsync("**/app/tags");
        await app.Page.GetByLabel("New tag").FillAsync("Webinar");
        await app.Page.GetByRole(AriaRole.Button, new() { Name = "Create tag" }).ClickAsync();
        await Expect(app.Page.Locator("#notice")).ToHaveTextAsync("The tag “Webinar” was created.");
        await app.Page.Locator("#tags").GetByRole(AriaRole.Link, new() { Name = "Webinar" }).ClickAsync();
        await Expect(app.Page.GetByLabel("Name")).ToHaveValueAsync("Webinar");
        await app.Page.Locator("header nav").GetByRole(AriaRole.Link, new() { Name = "Contacts" }).ClickAsync();
        await app.Page.GetByRole(AriaRole.Link, new() { Name = "ada@example.com" }).ClickAsync();
        await Expect(app.Page.Locator("#history")).ToContainTextAsync("Added");
        Assert.True(await app.Page.EvaluateAsync<bool>("() => window.stayed === true"), "a link or form loaded the whole page");
        Assert.True(errors.Count == 0, string.Join('\n', errors)); // nothing refused by the Content-Security-Policy, no script error

        // Without JavaScript every link and form is a plain page load, and does the same.
        await using var plain = await AppSession.StartAsync(browser, javaScript: false);
        await plain.SignInAsync();
        await plain.LandsOnDashboardAsync();
        await plain.Page.GotoAsync("/app/tags");
        await plain.Page.GetByLabel("New tag").FillAsync("Webinar");
        await plain.Page.GetByRole(AriaRole.Button, new() { Name = "Create tag" }).ClickAsync();
        await Expect(plain.Page.Locator("#notice")).ToHaveTextAsync("The tag “Webinar” was created.");
        await Expect(plain.Page.Locator("#tags")).ToContainTextAsync("Webinar");
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"(?<token>[^\"]+)\"")]
    private static partial Regex Token();
}
