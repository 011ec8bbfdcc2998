using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Tagflow.Tests.App;

/// <summary>The events page: the account's event feed, newest first, filtered by type and by contact, in a real browser.</summary>
[Collection(AppCollection.Name)]
public sealed class EventsPageTests(AppBrowser browser)
{
    [Fact]
    public async Task TheEventFeedIsFilteredByTypeAndByContactAndLinksToTheContact()
    {
        await using var app = await AppSession.StartAsync(browser);
        await app.AddTagAsync("Webinar");
        var ada = await app.AddContactDirectAsync("ada@example.com");
        await app.AddContactDirectAsync("bert@example.com");
        await app.SignInAsync();
        await WebhookPagesTests.TagAsync(app, ada, "Webinar");

        await app.Page.GotoAsync("/app/events");
        var rows = app.Page.Locator("#events tbody tr");
        await Expect(rows.First).ToContainTextAsync("tag.added"); // newest first
        await Expect(rows.First).ToContainTextAsync("Tagged “Webinar”");
        await Expect(app.Page.Locator("#events")).ToContainTextAsync("bert@example.com");
        await app.ScreenshotAsync("events");

        await app.Page.Locator("#filters select[name=type]").SelectOptionAsync(new SelectOptionValue { Label = "Tagged" });
        await app.Page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await app.Page.WaitForURLAsync("**/app/events?type=tag.added*");
        // Every row is a tagging (SmartTags of the sign-up too), once the filtered page has replaced the whole feed.
        await Expect(rows.Filter(new() { HasNotText = "tag.added" })).ToHaveCountAsync(0);
        await Expect(rows.Filter(new() { HasText = "Webinar" })).ToHaveCountAsync(1);
        await Expect(rows.Filter(new() { HasText = "Webinar" })).ToContainTextAsync("ada@example.com");

        await app.Page.GotoAsync("/app/events");
        await app.Page.GetByLabel("Contact", new() { Exact = true }).FillAsync("Bert@Example.com");
        await app.Page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await app.Page.WaitForURLAsync("**/app/events?*contact=*");
        await Expect(rows.First).ToContainTextAsync("bert@example.com");
        await Expect(rows.Filter(new() { HasNotText = "bert@example.com" })).ToHaveCountAsync(0);
        await Expect(app.Page.Locator("#events")).Not.ToContainTextAsync("ada@example.com");
        await rows.First.GetByRole(AriaRole.Link, new() { Name = "bert@example.com" }).ClickAsync();
        await app.Page.WaitForURLAsync(AppSession.ContactUrl());
        await Expect(app.Page.GetByRole(AriaRole.Heading, new() { Name = "bert@example.com" })).ToBeVisibleAsync();

        await app.Page.GotoAsync("/app/events?contact=nobody%40example.com");
        await Expect(app.Page.Locator("#error")).ToContainTextAsync("No contact in your account has the address “nobody@example.com”.");
        await Expect(rows).ToHaveCountAsync(1); // the "no events" row
    }

    [Fact]
    public async Task TheEventFeedPagesByKeysetBothWays()
    {
        await using var app = await AppSession.StartAsync(browser);
        for (var i = 0; i < 30; i++) await app.AddContactDirectAsync($"c{i:00}@example.com");
        var events = await app.WithServicesAsync(sp => sp.GetRequiredService<Tagflow.Data.TagflowDb>().Events.CountAsync());
        Assert.InRange(events, 51, 100); // two pages
        await app.SignInAsync();
        await app.Page.GotoAsync("/app/events");
        var rows = app.Page.Locator("#events tbody tr");
        await Expect(rows).ToHaveCountAsync(50);
        await Expect(rows.First).ToContainTextAsync("c29@example.com");
        await app.Page.Locator("#older-events").ClickAsync();
        await Expect(rows).ToHaveCountAsync(events - 50);
        await Expect(rows.Last).ToContainTextAsync("c00@example.com");
        await Expect(app.Page.Locator("#older-events")).ToHaveCountAsync(0);
        await app.Page.Locator("#newer-events").ClickAsync();
        await Expect(rows).ToHaveCountAsync(50);
        await Expect(rows.First).ToContainTextAsync("c29@example.com");
        await Expect(app.Page.Locator("#newer-events")).ToHaveCountAsync(0);
    }
}
