using Tagflow.Delivery;
using Tagflow.Tests.Infrastructure;
using static Tagflow.Tests.Automations.AutomationCalls;
using static Tagflow.Tests.Contacts.ContactCalls;

namespace Tagflow.Tests.Automations;

/// <summary>
/// A campaign or webhook starts with what happens after it exists: contacts that had its tag before
/// neither enter the campaign nor trigger the webhook, though the engine reads events after the fact.
/// </summary>
public sealed class TriggerHistoryTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ContactsThatHadTheStartTagBeforeTheAccountsFirstCampaignExistedDoNotEnterIt(string provider)
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        await using var host = await TagflowHost.StartAsync(provider, s => Fast(s) with { Smtp = SmtpTarget.Parse(smtp.Url()) });
        using var client = await host.NewAccountClientAsync("anna");
        var list = await SingleOptInListAsync(client);
        var start = await CreateTagAsync(client, "Lead");
        var bert = await SubscribeAsync(client, "bert@example.com", list, start);

        // At the same moment on the clock: the order of the changes decides.
        var campaign = await CreateCampaignAsync(client, EmailLinkTests.TwoEmails("Nurture", start));
        await SubscribeAsync(client, "carl@example.com", list, start);
        Assert.Equal("carl@example.com", (await smtp.ReceiveAsync()).To.Mailboxes.Single().Address);
        await Task.Delay(300);
        Assert.True(smtp.NothingReceived);
        Assert.Empty(Map(await GetAsync(client, bert), "campaigns_started"));
        Assert.Equal("1", (await WireAssert.OkAsync(await client.GetAsync($"/campaign/{campaign.GetProperty("id").GetString()}"))).GetProperty("running").GetString());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ContactsTaggedBeforeAWebhookExistedDoNotTriggerIt(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider, Fast);
        using var client = await host.NewAccountClientAsync("anna");
        var list = await SingleOptInListAsync(client);
        var trigger = await CreateTagAsync(client, "Lead");
        await SubscribeAsync(client, "bert@example.com", list, trigger);

        host.Clock.Advance(TimeSpan.FromMinutes(5));
        // Nothing listens on the discard port: the delivery stays pending, which is all this test reads.
        var webhook = await CreateWebhookAsync(client, new { name = "CRM", tagid = trigger, url = "http://127.0.0.1:9/hook" });
        var carl = await SubscribeAsync(client, "carl@example.com", list, trigger);

        var deliveries = $"/webhook/{webhook.GetProperty("id").GetString()}/deliveries";
        await EventuallyAsync(async () => (await WireAssert.OkAsync(await client.GetAsync(deliveries))).GetArrayLength() > 0, "carl's delivery is queued");
        // Events are read in order: bert's older one was read before carl's.
        var queued = Assert.Single((await WireAssert.OkAsync(await client.GetAsync(deliveries))).EnumerateArray());
        Assert.Equal(carl, queued.GetProperty("contactid").GetString());
    }
}
