using System.Net;
using Tagflow.Delivery;
using Tagflow.Tests.Infrastructure;
using Tagflow.Tests.OptIns;
using static Tagflow.Tests.Automations.AutomationCalls;
using static Tagflow.Tests.Contacts.ContactCalls;

namespace Tagflow.Tests.Automations;

/// <summary>
/// Who enters a campaign and when (a pending contact once it confirms),
/// when a weekday wait ends, and what stops a contact's campaign (unsubscribing, being deleted).
/// </summary>
public sealed class CampaignLifecycleTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task APendingContactWithTheStartTagEntersTheCampaignOnceItConfirms(string provider)
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        await using var host = await TagflowHost.StartAsync(provider, s => Fast(s) with { Smtp = SmtpTarget.Parse(smtp.Url()) });
        using var client = await host.NewAccountClientAsync("anna");
        var start = await CreateTagAsync(client, "Lead");
        await CreateCampaignAsync(client, EmailLinkTests.TwoEmails("Nurture", start));

        // No listid: the predefined double opt-in process, which sends a confirmation email.
        var added = await AddAsync(client, new { email = "bert@example.com", tagid = start });
        Assert.Equal("Opt-In Pending", Text(added, "status"));
        var confirmation = await smtp.ReceiveAsync();
        await Task.Delay(500);
        Assert.True(smtp.NothingReceived);
        Assert.Empty(Map(await GetAsync(client, Text(added, "id")), "campaigns_started"));

        using var browser = host.NewClient();
        using var confirmed = await browser.GetAsync(DoubleOptInTests.Link(confirmation));
        Assert.True(confirmed.StatusCode is HttpStatusCode.OK or HttpStatusCode.Redirect, $"{(int)confirmed.StatusCode}");
        Assert.Equal("Subscribed", Text(await GetAsync(client, Text(added, "id")), "status"));
        var first = await smtp.ReceiveAsync();
        Assert.Equal(("bert@example.com", "One"), (first.To.Mailboxes.Single().Address, first.Subject));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task APausedCampaignSendsNothingAndKeepsItsContactsWhereTheyStandUntilItIsResumed(string provider)
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        await using var host = await TagflowHost.StartAsync(provider, s => Fast(s) with { Smtp = SmtpTarget.Parse(smtp.Url()) });
        using var client = await host.NewAccountClientAsync("anna");
        var list = await SingleOptInListAsync(client);
        var start = await CreateTagAsync(client, "Lead");
        var id = Text(await CreateCampaignAsync(client, EmailLinkTests.TwoEmails("Nurture", start)), "id");
        await SubscribeAsync(client, "bert@example.com", list, start);
        Assert.Equal("One", (await smtp.ReceiveAsync()).Subject);

        var paused = await WireAssert.OkAsync(await client.PostAsync($"/campaign/{id}/pause", null));
        Assert.Equal(("1", host.Clock.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)),
            (Text(paused, "paused"), Text(paused, "pausedat")));
        Assert.Equal("1", Text(await WireAssert.OkAsync(await client.PostAsync($"/campaign/{id}/pause", null)), "paused")); // again: no change
        host.Clock.Advance(TimeSpan.FromHours(2)); // Bert's wait is over
        await SubscribeAsync(client, "carl@example.com", list, start); // enters, and waits at the first step
        await Task.Delay(800);
        Assert.True(smtp.NothingReceived);
        var during = await WireAssert.OkAsync(await client.GetAsync($"/campaign/{id}"));
        Assert.Equal(("2", "0"), (Text(during, "running"), Text(during, "finished")));

        var resumed = await WireAssert.OkAsync(await client.PostAsync($"/campaign/{id}/resume", null));
        Assert.Equal(("0", ""), (Text(resumed, "paused"), Text(resumed, "pausedat")));
        var next = new[] { await smtp.ReceiveAsync(), await smtp.ReceiveAsync() }
            .Select(m => (m.To.Mailboxes.Single().Address, m.Subject)).Order().ToList();
        Assert.Equal([("bert@example.com", "Two"), ("carl@example.com", "One")], next);

        using var unknown = await client.PostAsync("/campaign/424242/pause", null);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AWeekdayWaitEndsAtThatDaysTimeInTheAccountsTimeZone(string provider)
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        await using var host = await TagflowHost.StartAsync(provider, s => Fast(s) with { Smtp = SmtpTarget.Parse(smtp.Url()) });
        using var client = await host.NewAccountClientAsync("anna"); // Europe/Berlin
        var list = await SingleOptInListAsync(client);
        var start = await CreateTagAsync(client, "Lead");
        await CreateCampaignAsync(client, new
        {
            name = "Weekly",
            tagid = start,
            steps = new object[]
            {
                new { type = "email", subject = "Friday", text = "1" },
                new { type = "wait", weekday = "monday", time = "09:00" },
                new { type = "email", subject = "Monday", text = "2" },
            },
        });
        Assert.Equal(DayOfWeek.Friday, host.Clock.GetUtcNow().DayOfWeek);
        await SubscribeAsync(client, "bert@example.com", list, start);
        Assert.Equal("Friday", (await smtp.ReceiveAsync()).Subject);

        // Monday 09:00 in Berlin (CET, UTC+1) is 08:00 UTC.
        var mondayNine = new DateTimeOffset(2026, 11, 30, 8, 0, 0, TimeSpan.Zero);
        host.Clock.Advance(mondayNine - host.Clock.GetUtcNow() - TimeSpan.FromSeconds(1));
        await Task.Delay(500);
        Assert.True(smtp.NothingReceived);
        host.Clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal("Monday", (await smtp.ReceiveAsync()).Subject);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task UnsubscribingThroughTheApiStopsTheCampaign(string provider)
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        await using var host = await TagflowHost.StartAsync(provider, s => Fast(s) with { Smtp = SmtpTarget.Parse(smtp.Url()) });
        using var client = await host.NewAccountClientAsync("anna");
        var list = await SingleOptInListAsync(client);
        var start = await CreateTagAsync(client, "Lead");
        var campaign = await CreateCampaignAsync(client, EmailLinkTests.TwoEmails("Nurture", start));
        await SubscribeAsync(client, "bert@example.com", list, start);
        Assert.Equal("One", (await smtp.ReceiveAsync()).Subject);

        await UnsubscribeAsync(client, "bert@example.com");
        host.Clock.Advance(TimeSpan.FromHours(2));
        await Task.Delay(500);
        Assert.True(smtp.NothingReceived);
        var counts = await WireAssert.OkAsync(await client.GetAsync($"/campaign/{campaign.GetProperty("id").GetString()}"));
        Assert.Equal(("0", "0", "1"), (counts.GetProperty("running").GetString(), counts.GetProperty("finished").GetString(), counts.GetProperty("stopped").GetString()));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task DeletingTheContactStopsTheCampaign(string provider)
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        await using var host = await TagflowHost.StartAsync(provider, s => Fast(s) with { Smtp = SmtpTarget.Parse(smtp.Url()) });
        using var client = await host.NewAccountClientAsync("anna");
        var list = await SingleOptInListAsync(client);
        var start = await CreateTagAsync(client, "Lead");
        var campaign = await CreateCampaignAsync(client, EmailLinkTests.TwoEmails("Nurture", start));
        var id = await SubscribeAsync(client, "bert@example.com", list, start);
        Assert.Equal("One", (await smtp.ReceiveAsync()).Subject);

        await AssertTrueAsync(await client.DeleteAsync($"/subscriber/{id}"));
        host.Clock.Advance(TimeSpan.FromHours(2));
        await Task.Delay(500);
        Assert.True(smtp.NothingReceived);
        var counts = await WireAssert.OkAsync(await client.GetAsync($"/campaign/{campaign.GetProperty("id").GetString()}"));
        Assert.Equal("0", counts.GetProperty("running").GetString());
    }
}
