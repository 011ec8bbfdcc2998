using System.Net;
using System.Net.Http.Json;
using Tagflow.Delivery;
using Tagflow.Tests.Infrastructure;
using static Tagflow.Tests.Automations.AutomationCalls;
using static Tagflow.Tests.Contacts.ContactCalls;

namespace Tagflow.Tests.Automations;

/// <summary>
/// Campaigns end to end: a tag starts them, their emails reach an SMTP server in the test process
/// in order and at the right (moved) times, and untagging or unsubscribing stops them.
/// </summary>
public sealed class CampaignTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task TaggingStartsTheCampaignAndItsEmailsArriveInOrderAtTheirTimes(string provider)
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        await using var host = await TagflowHost.StartAsync(provider, s => Fast(s) with { Smtp = SmtpTarget.Parse(smtp.Url()) });
        using var client = await host.NewAccountClientAsync("anna");
        var list = await SingleOptInListAsync(client);
        var start = await CreateTagAsync(client, "Buyer");
        var done = await CreateTagAsync(client, "Onboarded");
        var campaign = await CreateCampaignAsync(client, new
        {
            name = "Welcome",
            tagid = start,
            senderaddress = "shop@example.com",
            steps = new object[]
            {
                new { type = "email", subject = "Hi {{fieldFirstName}}", text = "Welcome, {{fieldFirstName}}! See https://shop.example/start", html = "<p>Welcome <a href=\"https://shop.example/start\">start</a></p>" },
                new { type = "wait", seconds = 86400 },
                new { type = "email", subject = "Day two", text = "Still here?" },
                new { type = "tag", tagid = done },
                new { type = "untag", tagid = start },
            },
        });
        var campaignId = campaign.GetProperty("id").GetString()!;

        var id = await SubscribeAsync(client, "bert@example.com", list, start, new() { ["fieldFirstName"] = "Bert" });
        var first = await smtp.ReceiveAsync();
        Assert.Equal("Hi Bert", first.Subject);
        Assert.Equal("bert@example.com", first.To.Mailboxes.Single().Address);
        Assert.Equal("shop@example.com", first.From.Mailboxes.Single().Address);
        Assert.StartsWith("<" + host.BaseAddress + "mail/", first.Headers["List-Unsubscribe"], StringComparison.Ordinal);
        Assert.Equal("List-Unsubscribe=One-Click", first.Headers["List-Unsubscribe-Post"]);
        Assert.Contains("Unsubscribe", first.TextBody, StringComparison.Ordinal);

        // Nothing more until the wait is over.
        host.Clock.Advance(TimeSpan.FromHours(23));
        await Task.Delay(300);
        Assert.True(smtp.NothingReceived);
        host.Clock.Advance(TimeSpan.FromHours(1));
        var second = await smtp.ReceiveAsync();
        Assert.Equal("Day two", second.Subject);

        await EventuallyAsync(async () => Map(await GetAsync(client, id), "campaigns_finished").ContainsKey(campaignId), "the campaign finishes");
        var contact = await GetAsync(client, id);
        Assert.Equal([Id(done)], Map(contact, "manual_tags").Keys); // tagged, and the start tag removed by the last step
        Assert.Equal(2, Map(contact, "emails_sent").Count);
        Assert.True(Map(contact, "campaigns_started").ContainsKey(campaignId));
        var smartNames = (await SmartTagsAsync(client, id)).Keys;
        Assert.Contains("Campaign started: Welcome", smartNames);
        Assert.Contains("Campaign finished: Welcome", smartNames);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task UntaggingStopsTheCampaignBeforeItsNextEmail(string provider)
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        await using var host = await TagflowHost.StartAsync(provider, s => Fast(s) with { Smtp = SmtpTarget.Parse(smtp.Url()) });
        using var client = await host.NewAccountClientAsync("anna");
        var list = await SingleOptInListAsync(client);
        var start = await CreateTagAsync(client, "Lead");
        await CreateCampaignAsync(client, new
        {
            name = "Nurture",
            tagid = start,
            steps = new object[]
            {
                new { type = "email", subject = "One", text = "1" },
                new { type = "wait", seconds = 3600 },
                new { type = "email", subject = "Two", text = "2" },
            },
        });
        await SubscribeAsync(client, "bert@example.com", list, start);
        Assert.Equal("One", (await smtp.ReceiveAsync()).Subject);

        await UntagAsync(client, "bert@example.com", start);
        await Task.Delay(300);
        host.Clock.Advance(TimeSpan.FromHours(2));
        await Task.Delay(500);
        Assert.True(smtp.NothingReceived);

        // Tagging again does not start it again: a contact enters a campaign once.
        await TagAsync(client, "bert@example.com", start);
        host.Clock.Advance(TimeSpan.FromHours(2));
        await Task.Delay(500);
        Assert.True(smtp.NothingReceived);
        var campaigns = await client.GetFromJsonAsync<List<Dictionary<string, object>>>("/campaign");
        Assert.Equal("1", campaigns![0]["stopped"].ToString());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ContactsTaggedBeforeTheCampaignExistedDoNotEnterIt(string provider)
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        await using var host = await TagflowHost.StartAsync(provider, s => Fast(s) with { Smtp = SmtpTarget.Parse(smtp.Url()) });
        using var client = await host.NewAccountClientAsync("anna");
        var list = await SingleOptInListAsync(client);
        var start = await CreateTagAsync(client, "Customer");
        await SubscribeAsync(client, "old@example.com", list, start);
        await CreateCampaignAsync(client, new { name = "Welcome", tagid = start, steps = new object[] { new { type = "email", subject = "Welcome", text = "Hi" } } });

        await SubscribeAsync(client, "new@example.com", list, start);
        var message = await smtp.ReceiveAsync();
        Assert.Equal("new@example.com", message.To.Mailboxes.Single().Address);
        await Task.Delay(300);
        Assert.True(smtp.NothingReceived);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnEmailTheRelayPutsOffWaitsWhileTheOthersGoOn(string provider)
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        smtp.PutOff("full@example.com");
        await using var host = await TagflowHost.StartAsync(provider, s => Fast(s) with { Smtp = SmtpTarget.Parse(smtp.Url()) });
        using var client = await host.NewAccountClientAsync("anna");
        var list = await SingleOptInListAsync(client);
        var start = await CreateTagAsync(client, "Customer");
        await CreateCampaignAsync(client, new { name = "Welcome", tagid = start, steps = new object[] { new { type = "email", subject = "Welcome", text = "Hi" } } });

        await SubscribeAsync(client, "full@example.com", list, start);
        await SubscribeAsync(client, "ann@example.com", list, start);
        Assert.Equal("ann@example.com", (await smtp.ReceiveAsync()).To.Mailboxes.Single().Address);
        await Task.Delay(300);
        Assert.True(smtp.NothingReceived);

        // The mailbox has room again; the put-off email goes once its wait (5 minutes) is over.
        smtp.PutOff("full@example.com", putOff: false);
        host.Clock.Advance(TimeSpan.FromMinutes(4));
        await Task.Delay(6000); // past the queue's own look every 5 s
        Assert.True(smtp.NothingReceived);
        host.Clock.Advance(TimeSpan.FromMinutes(2));
        var late = await smtp.ReceiveAsync();
        Assert.Equal("full@example.com", late.To.Mailboxes.Single().Address);
        await Task.Delay(300);
        Assert.True(smtp.NothingReceived);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task TwoCampaignsOnOneTagThatBothTagTheContactRunSideBySide(string provider)
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        await using var host = await TagflowHost.StartAsync(provider, s => Fast(s) with { Smtp = SmtpTarget.Parse(smtp.Url()) });
        using var client = await host.NewAccountClientAsync("anna");
        var list = await SingleOptInListAsync(client);
        var start = await CreateTagAsync(client, "Buyer");
        var vip = await CreateTagAsync(client, "VIP");
        foreach (var name in new[] { "Welcome", "Upsell" })
            await CreateCampaignAsync(client, new
            {
                name,
                tagid = start,
                steps = new object[] { new { type = "tag", tagid = vip }, new { type = "email", subject = name, text = "Hi" }, new { type = "wait", seconds = 3600 } },
            });

        var id = await SubscribeAsync(client, "bert@example.com", list, start);
        var subjects = new[] { (await smtp.ReceiveAsync()).Subject, (await smtp.ReceiveAsync()).Subject };
        Assert.Equal(["Upsell", "Welcome"], subjects.Order());
        Assert.Equal([Id(start), Id(vip)], Map(await GetAsync(client, id), "manual_tags").Keys.Order());
        // Both runs' steps went through in one batch: none failed and had to be run again on its own.
        Assert.DoesNotContain(host.Logs.Lines, l => l.Contains("automation engine failed", StringComparison.Ordinal));
    }
}
