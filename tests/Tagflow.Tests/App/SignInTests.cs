using System.Net;
using Microsoft.Playwright;
using Tagflow.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Tagflow.Tests.App;

/// <summary>Signing in to the admin app and out of it, in a real browser.</summary>
[Collection(AppCollection.Name)]
public sealed class SignInTests(AppBrowser browser)
{
    [Fact]
    public async Task AStandardAccountSignsInLandsOnItsContactsAndSignsOut()
    {
        await using var app = await AppSession.StartAsync(browser);
        await app.Page.GotoAsync("/app/contacts?status=subscribed");
        Assert.Contains("/app/signin?returnUrl=", app.Page.Url, StringComparison.Ordinal);
        await app.ScreenshotAsync("signin");

        await app.Page.GetByLabel("Username").FillAsync("anna");
        await app.Page.GetByLabel("Password").FillAsync(TagflowHost.Password);
        await app.Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await app.Page.WaitForURLAsync("**/app/contacts?status=subscribed");
        await Expect(app.Page.GetByRole(AriaRole.Heading, new() { Name = "Contacts" })).ToBeVisibleAsync();
        var cookie = Assert.Single(await app.Page.Context.CookiesAsync(), c => c.Name == "tagflow_app");
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);
        Assert.Equal("/app", cookie.Path);

        await app.Page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await app.Page.WaitForURLAsync("**/app/signin");
        await app.Page.GotoAsync("/app/contacts");
        Assert.Contains("/app/signin", app.Page.Url, StringComparison.Ordinal);
        // The session is ended on the server, not only forgotten by the browser.
        using var stale = app.Host.NewClient();
        stale.DefaultRequestHeaders.Add("Cookie", $"tagflow_app={cookie.Value}");
        using var answer = await stale.GetAsync("/app/contacts");
        Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
    }

    [Fact]
    public async Task AWrongPasswordIsRefusedAndRepeatedOnesLockTheUsernameOut()
    {
        await using var app = await AppSession.StartAsync(browser);
        await app.SignInAsync(password: "wrong");
        await Expect(app.Page.Locator("#signin-error")).ToHaveTextAsync("Wrong username or password.");
        Assert.Contains("/app/signin", app.Page.Url, StringComparison.Ordinal);

        for (var i = 1; i < 5; i++) await app.SignInAsync(password: "wrong");
        // Locked: even the right password is refused now, as through the API's login.
        await app.SignInAsync();
        await Expect(app.Page.Locator("#signin-error")).ToContainTextAsync("Too many failed sign-ins for this username");
        Assert.Contains("/app/signin", app.Page.Url, StringComparison.Ordinal);
        using var api = await app.Host.Client.PostAsync("/account/login",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["username"] = "anna", ["password"] = TagflowHost.Password }));
        Assert.Equal(HttpStatusCode.TooManyRequests, api.StatusCode);

        app.Host.Clock.Advance(TimeSpan.FromMinutes(16));
        await app.SignInAsync();
        await app.LandsOnDashboardAsync();
    }

    [Fact]
    public async Task AnIdleSessionExpires()
    {
        await using var app = await AppSession.StartAsync(browser);
        await app.SignInAsync();
        await app.LandsOnDashboardAsync();
        app.Host.Clock.Advance(TimeSpan.FromMinutes(61));
        await app.Page.GotoAsync("/app/contacts?sort=changed");
        Assert.Contains("/app/signin?returnUrl=%2Fapp%2Fcontacts%3Fsort%3Dchanged", app.Page.Url, StringComparison.Ordinal);
    }
}
