using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Tagflow.Delivery;
using Tagflow.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;
using static Tagflow.Tests.Automations.AutomationCalls;
using static Tagflow.Tests.Contacts.ContactCalls;

namespace Tagflow.Tests.App;

/// <summary>The dashboard, in a real browser: contacts by status, subscriptions per day, the newest contacts, and the queues' health.</summary>
[Collection(AppCollection.Name)]
public sealed class DashboardTests(AppBrowser browser)
{
    [Fact]
    public async Task TheDashboardCountsContactsByStatusAndDayAndFlagsAnEmailTheRelayKeepsPuttingOff()
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        smtp.PutOff("dora@example.com");
        await using var app = await AppSession.StartAsync(browser, adjust: s => Fast(s) with { Smtp = SmtpTarget.Parse(smtp.Url()) });
        using var client = await app.Host.NewAccountClientAsync("bert");
        var list = await SingleOptInListAsync(client);
        var start = await CreateTagAsync(client, "Buyer");
        await CreateCampaignAsync(client, new
        {
            name = "Welcome",
            tagid = start,
            senderaddress = "shop@example.com",
            steps = new object[] { new { type = "email", subject = "Welcome", text = "Nice to have you." } },
        });
        await SubscribeAsync(client, "carl@example.com", list, start);
        await SubscribeAsync(client, "dora@example.com", list, start); // the relay puts her email off, again and again
        await SubscribeAsync(client, "emil@example.com", list);
        await UnsubscribeAsync(client, "emil@example.com");
        await AddAsync(client, new { email = "fritz@example.com" }); // the predefined double opt-in: pending, its confirmation sent at once
        var arrived = new[] { (await smtp.ReceiveAsync()).To.ToString(), (await smtp.ReceiveAsync()).To.ToString() };
        Assert.Equal(["carl@example.com", "fritz@example.com"], arrived.Order());

        await app.SignInAsync("bert");
        await app.LandsOnDashboardAsync();
        var page = app.Page;
        await Expect(page.Locator("#statuses > :first-child strong")).ToHaveTextAsync("4");
        await Expect(page.Locator("#status-subscribed strong")).ToHaveTextAsync("2");
        await Expect(page.Locator("#status-pending strong")).ToHaveTextAsync("1");
        await Expect(page.Locator("#status-unsubscribed strong")).ToHaveTextAsync("1");
        await Expect(page.Locator("#status-bounced strong")).ToHaveTextAsync("0");

        // Three opted in today (Emil before he left), one left today; the last row of each chart's table is the first day shown.
        await Expect(page.Locator("#chart-subscribed figcaption")).ToContainTextAsync("3 in 30 days");
        await Expect(page.Locator("#chart-unsubscribed figcaption")).ToContainTextAsync("1 in 30 days");
        await Expect(page.Locator("#chart-subscribed rect.bar")).ToHaveCountAsync(30);
        await Expect(page.Locator("#chart-subscribed tbody tr").First.Locator("td").Last).ToHaveTextAsync("3");
        await Expect(page.Locator("#chart-subscribed tbody tr")).ToHaveCountAsync(30);
        await Expect(page.Locator("#chart-subscribed svg title").First).ToContainTextAsync("at most 3 a day");

        await Expect(page.Locator("#recent tbody tr")).ToHaveCountAsync(4);
        await Expect(page.Locator("#recent tbody tr").First).ToContainTextAsync("fritz@example.com");
        await Expect(page.Locator("#recent tbody tr").First).ToContainTextAsync("Opt-in pending");

        // Dora's email waits, put off by the relay: counted at once, flagged once it has waited too long.
        await ReloadUntilAsync(page, page.Locator("#emails-waiting"), "1 put off by the relay");
        await Expect(page.Locator("#emails-waiting")).ToContainTextAsync("1, the oldest for");
        await Expect(page.Locator("#queue-ok")).ToBeVisibleAsync();
        app.Host.Clock.Advance(TimeSpan.FromMinutes(11));
        await page.ReloadAsync();
        await Expect(page.Locator("#queue-alert")).ToContainTextAsync("Emails have been waiting for 11 minutes");
        await Expect(page.Locator("#emails-waiting")).ToContainTextAsync("1, the oldest for 11 minutes");
        await app.ScreenshotAsync("dashboard");

        await page.GetByRole(AriaRole.Link, new() { Name = "90 days" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/app/dashboard\\?days=90$"));
        await Expect(page.Locator("#chart-subscribed rect.bar")).ToHaveCountAsync(90);
        await Expect(page.Locator("#chart-subscribed figcaption")).ToContainTextAsync("3 in 90 days");

        // Another account's dashboard shows none of this.
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await app.SignInAsync();
        await app.LandsOnDashboardAsync();
        await Expect(page.Locator("#statuses > :first-child strong")).ToHaveTextAsync("0");
        await Expect(page.Locator("#emails-waiting")).ToHaveTextAsync("None");
        await Expect(page.Locator("#queue-ok")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task AnEmailTheRelayRefusedShowsOnTheDashboardWithWhatTheRelaySaid()
    {
        await using var smtp = await TestSmtpServer.StartAsync(refuse: true);
        await using var app = await AppSession.StartAsync(browser, adjust: s => Fast(s) with { Smtp = SmtpTarget.Parse(smtp.Url()) });
        using var client = await app.Host.NewAccountClientAsync("bert");
        var start = await CreateTagAsync(client, "Buyer");
        await CreateCampaignAsync(client, new
        {
            name = "Welcome", tagid = start,
            steps = new object[] { new { type = "email", subject = "Welcome aboard", text = "Nice to have you." } },
        });
        await SubscribeAsync(client, "carl@example.com", await SingleOptInListAsync(client), start);

        await app.SignInAsync("bert");
        await app.LandsOnDashboardAsync();
        var page = app.Page;
        await ReloadUntilAsync(page, page.Locator("#emails-failed"), "carl@example.com");
        await Expect(page.Locator("#emails-failed")).ToContainTextAsync("“Welcome aboard”: The relay refused it:");
        await Expect(page.Locator("#queue-alert")).ToContainTextAsync("1 email was not delivered in the last 24 hours");
    }

    /// <summary>Reloads the page until <paramref name="locator"/> shows <paramref name="text"/> (work done in the background shows on the next load).</summary>
    private static async Task ReloadUntilAsync(IPage page, ILocator locator, string text)
    {
        for (var i = 0; i < 50; i++)
        {
            if ((await locator.InnerTextAsync()).Contains(text, StringComparison.Ordinal)) return;
            await Task.Delay(200);
            await page.ReloadAsync();
        }
        await Expect(locator).ToContainTextAsync(text);
    }
}
