using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tagflow.App;
using Tagflow.Contacts;
using Tagflow.Data;
using Tagflow.Delivery;
using Tagflow.Tests.Infrastructure;
using static Tagflow.Tests.Automations.AutomationCalls;
using static Tagflow.Tests.Contacts.ContactCalls;

namespace Tagflow.Tests.App;

/// <summary>The dashboard's figures on both databases: each one the account's own, the queues' included.</summary>
public sealed class DashboardQueryTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task TheFiguresCountTheAccountsContactsAndQueuesAndNothingOfAnotherAccount(string provider)
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        smtp.PutOff("dora@example.com");
        await using var host = await TagflowHost.StartAsync(provider, s => Fast(s) with { Smtp = SmtpTarget.Parse(smtp.Url()) });
        using var anna = await host.NewAccountClientAsync("anna");
        using var bert = await host.NewAccountClientAsync("bert");
        var list = await SingleOptInListAsync(anna);
        var start = await CreateTagAsync(anna, "Buyer");
        await CreateCampaignAsync(anna, new
        {
            name = "Welcome", tagid = start, senderaddress = "shop@example.com",
            steps = new object[] { new { type = "email", subject = "Welcome", text = "Nice to have you." } },
        });
        await CreateWebhookAsync(anna, new { name = "CRM", tagid = start, url = "http://127.0.0.1:9/hook" }); // nothing listens there
        await SubscribeAsync(anna, "carl@example.com", list, start);
        await SubscribeAsync(anna, "dora@example.com", list, start);
        await SubscribeAsync(anna, "emil@example.com", list);
        await UnsubscribeAsync(anna, "emil@example.com");
        await AddAsync(anna, new { email = "fritz@example.com" });
        await SubscribeAsync(bert, "gerd@example.com", await SingleOptInListAsync(bert));

        var annas = await AccountIdAsync(host, "anna");
        Dashboard figures = null!;
        await EventuallyAsync(async () =>
        {
            figures = await LoadAsync(host, annas, days: 30);
            return figures.Emails.PutOff == 1 && figures.FailedCalls >= 2;
        }, "Dora's email is put off and both webhook calls fail");
        Assert.Equal(4, figures.Contacts);
        Assert.Equal(2, figures.ByStatus[ContactStatus.Subscribed]);
        Assert.Equal(1, figures.ByStatus[ContactStatus.Pending]);
        Assert.Equal(1, figures.ByStatus[ContactStatus.Unsubscribed]);
        Assert.Empty(figures.Bounced);
        Assert.Equal(1, figures.Emails.Waiting);
        Assert.Equal(2, figures.WebhookCalls.Waiting);
        Assert.Equal(30, figures.Subscribed.Count);
        Assert.Equal(3, figures.Subscribed[^1].Count); // today, the last day shown
        Assert.Equal(3, figures.Subscribed.Sum(d => d.Count));
        Assert.Equal(1, figures.Unsubscribed[^1].Count);
        Assert.Equal(["fritz@example.com", "emil@example.com", "dora@example.com", "carl@example.com"], figures.Recent.Select(c => c.Email));
        Assert.False(figures.IsStuck(figures.Emails));

        // Forty days later, those subscriptions have left the 30 days shown, not the 90; the email has waited too long.
        host.Clock.Advance(TimeSpan.FromDays(40));
        var later = await LoadAsync(host, annas, days: 30);
        Assert.Equal(0, later.Subscribed.Sum(d => d.Count));
        Assert.True(later.IsStuck(later.Emails));
        Assert.Equal(3, (await LoadAsync(host, annas, days: 90)).Subscribed.Sum(d => d.Count));

        var berts = await LoadAsync(host, await AccountIdAsync(host, "bert"), days: 30);
        Assert.Equal(1, berts.Contacts);
        Assert.Equal(1, berts.ByStatus[ContactStatus.Subscribed]);
        Assert.Equal((0, (DateTime?)null, 0), (berts.Emails.Waiting, berts.Emails.OldestAt, berts.Emails.PutOff));
        Assert.Equal(0, berts.WebhookCalls.Waiting);
        Assert.Equal(0, berts.FailedCalls);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnEmailTheRelayRefusesIsRecordedForItsAccountsDashboardForADay(string provider)
    {
        await using var smtp = await TestSmtpServer.StartAsync(refuse: true);
        await using var host = await TagflowHost.StartAsync(provider, s => Fast(s) with { Smtp = SmtpTarget.Parse(smtp.Url()) });
        using var anna = await host.NewAccountClientAsync("anna");
        using var bert = await host.NewAccountClientAsync("bert");
        var list = await SingleOptInListAsync(anna);
        var start = await CreateTagAsync(anna, "Buyer");
        await CreateCampaignAsync(anna, new
        {
            name = "Welcome", tagid = start,
            steps = new object[] { new { type = "email", subject = "Welcome aboard", text = "Nice to have you." } },
        });
        var carl = await SubscribeAsync(anna, "carl@example.com", list, start);

        var annas = await AccountIdAsync(host, "anna");
        Dashboard figures = null!;
        await EventuallyAsync(async () =>
        {
            figures = await LoadAsync(host, annas, days: 30);
            return figures.FailedEmailCount == 1;
        }, "Carl's email is refused and recorded");
        var failure = Assert.Single(figures.FailedEmails);
        Assert.Equal(("carl@example.com", "Welcome aboard"), (failure.Recipient, failure.Subject));
        Assert.Contains("Mailbox unavailable", failure.Reason, StringComparison.Ordinal);
        Assert.Equal(0, figures.Emails.Waiting); // dropped from the queue, not waiting
        Assert.Equal(0, (await LoadAsync(host, await AccountIdAsync(host, "bert"), days: 30)).FailedEmailCount);

        // It is part of what is stored about Carl: in his export, and erased with him.
        var export = await host.WithServicesAsync(sp => ContactExportFile.BuildAsync(sp.GetRequiredService<TagflowDb>(), annas,
            long.Parse(carl, System.Globalization.CultureInfo.InvariantCulture), CancellationToken.None));
        var undelivered = System.Text.Json.JsonSerializer.SerializeToElement(export!["undelivered_emails"]);
        Assert.Equal("Welcome aboard", Assert.Single(undelivered.EnumerateArray()).GetProperty("subject").GetString());

        host.Clock.Advance(TimeSpan.FromHours(25));
        Assert.Equal(0, (await LoadAsync(host, annas, days: 30)).FailedEmailCount); // the last 24 hours only
        await WireAssert.OkAsync(await anna.DeleteAsync($"/subscriber/{carl}"));
        Assert.Equal(0, await host.WithServicesAsync(sp => sp.GetRequiredService<TagflowDb>().MailFailures.CountAsync()));
    }

    private static Task<long> AccountIdAsync(TagflowHost host, string username) =>
        host.WithServicesAsync(async sp => (await sp.GetRequiredService<Tagflow.Accounts.AccountAdmin>().FindAccountAsync(username, CancellationToken.None)).Id);

    private static Task<Dashboard> LoadAsync(TagflowHost host, long accountId, int days) =>
        host.WithServicesAsync(sp => Dashboard.LoadAsync(sp.GetRequiredService<TagflowDb>(), accountId, TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin"), days,
            host.Clock.GetUtcNow().UtcDateTime, CancellationToken.None));
}
