using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using Tagflow.Data;
using Tagflow.Delivery;
using Tagflow.Tests.Infrastructure;
using static Tagflow.Tests.Automations.AutomationCalls;
using static Tagflow.Tests.Contacts.ContactCalls;

namespace Tagflow.Tests.Automations;

/// <summary>
/// Campaign emails are stored with the step that sends them: they survive a restart in the middle of
/// a campaign, go out once when two instances share one PostgreSQL database, and land in the outbox
/// folder when no SMTP server is configured.
/// </summary>
public sealed class CampaignDurabilityTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AfterARestartInTheMiddleTheCampaignGoesOnWithItsNextEmailExactlyOnce(string provider)
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        await using var database = await TestDatabase.CreateAsync(provider);
        var clock = new TestClock();
        TagflowSettings Settings(TagflowSettings s) => Fast(s) with { Smtp = SmtpTarget.Parse(smtp.Url()) };
        PartnerCredentials anna;
        string id, campaignId;
        await using (var first = await TagflowHost.StartOnAsync(database, clock, Settings))
        {
            anna = await first.AddPartnerAsync("anna");
            using var client = anna.ClientFor(first);
            var list = await SingleOptInListAsync(client);
            var start = await CreateTagAsync(client, "Buyer");
            campaignId = (await CreateCampaignAsync(client, new
            {
                name = "Welcome",
                tagid = start,
                steps = new object[]
                {
                    new { type = "email", subject = "One", text = "1" },
                    new { type = "wait", seconds = 86400 },
                    new { type = "email", subject = "Two", text = "2" },
                },
            })).GetProperty("id").GetString()!;
            id = await SubscribeAsync(client, "bert@example.com", list, start);
            Assert.Equal("One", (await smtp.ReceiveAsync()).Subject);
            // The server stops once the relay's acceptance is recorded: a stop between acceptance and
            // record sends the email again after the restart (with the same Message-ID), by design.
            await EventuallyAsync(() => first.WithServicesAsync(async sp => !await sp.GetRequiredService<TagflowDb>().OutboxMails.AnyAsync()),
                "the first email's row is deleted once delivered");
        }

        await using var second = await TagflowHost.StartOnAsync(database, clock, Settings);
        using var again = anna.ClientFor(second);
        await Task.Delay(500);
        Assert.True(smtp.NothingReceived); // nothing repeated, nothing early

        clock.Advance(TimeSpan.FromDays(1));
        var two = await smtp.ReceiveAsync();
        Assert.Equal(("bert@example.com", "Two"), (two.To.Mailboxes.Single().Address, two.Subject));
        await EventuallyAsync(async () => Map(await GetAsync(again, id), "campaigns_finished").ContainsKey(campaignId), "the campaign finishes");
        await Task.Delay(300);
        Assert.True(smtp.NothingReceived);
        Assert.Equal(2, Map(await GetAsync(again, id), "emails_sent").Count);
    }

    /// <summary>PostgreSQL only (two servers share one database), so it runs when TAGFLOW_TEST_POSTGRES is set (always in CI).</summary>
    [Fact]
    public async Task TwoInstancesOnOnePostgresDatabaseSendEveryCampaignEmailExactlyOnce()
    {
        if (Providers.PostgresAdminConnection is null) return;
        await using var smtp = await TestSmtpServer.StartAsync();
        await using var database = await TestDatabase.CreateAsync(Providers.Postgres);
        TagflowSettings Settings(TagflowSettings s) => Fast(s) with { Smtp = SmtpTarget.Parse(smtp.Url()) };
        var (clockA, clockB) = (new TestClock(), new TestClock());
        await using var a = await TagflowHost.StartOnAsync(database, clockA, Settings);
        await using var b = await TagflowHost.StartOnAsync(database, clockB, Settings);
        var anna = await a.AddPartnerAsync("anna");
        using var clientA = anna.ClientFor(a);
        using var clientB = anna.ClientFor(b);
        var list = await SingleOptInListAsync(clientA);
        var start = await CreateTagAsync(clientA, "Buyer");
        await CreateCampaignAsync(clientB, new
        {
            name = "Welcome",
            tagid = start,
            steps = new object[]
            {
                new { type = "email", subject = "One", text = "1" },
                new { type = "wait", seconds = 3600 },
                new { type = "email", subject = "Two", text = "2" },
            },
        });

        const int contacts = 50;
        var addresses = Enumerable.Range(0, contacts).Select(i => $"c{i}@example.com").ToList();
        await Task.WhenAll(addresses.Select((address, i) => SubscribeAsync(i % 2 == 0 ? clientA : clientB, address, list, start)));
        var received = await DrainAsync(smtp, contacts);
        clockA.Advance(TimeSpan.FromHours(1));
        clockB.Advance(TimeSpan.FromHours(1));
        received.AddRange(await DrainAsync(smtp, contacts));

        var expected = addresses.SelectMany(address => new[] { (address, "One"), (address, "Two") }).Order().ToList();
        Assert.Equal(expected, received.Order().ToList());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task WithoutAnSmtpServerCampaignEmailsAreWrittenToTheOutboxFolder(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider, Fast);
        using var client = await host.NewAccountClientAsync("anna");
        var list = await SingleOptInListAsync(client);
        var start = await CreateTagAsync(client, "Lead");
        await CreateCampaignAsync(client, EmailLinkTests.TwoEmails("Nurture", start));
        await SubscribeAsync(client, "bert@example.com", list, start);
        var outbox = Path.Combine(host.Database.Directory, "outbox");

        var one = await MimeMessage.LoadAsync(Assert.Single(await Outbox.FilesAsync(outbox, 1)));
        Assert.Equal(("bert@example.com", "One"), (one.To.Mailboxes.Single().Address, one.Subject));
        Assert.StartsWith("<" + host.BaseAddress + "mail/", one.Headers["List-Unsubscribe"], StringComparison.Ordinal);

        host.Clock.Advance(TimeSpan.FromHours(1));
        var files = await Outbox.FilesAsync(outbox, 2);
        Assert.Equal(2, files.Count);
        Assert.Equal("Two", (await MimeMessage.LoadAsync(files[1])).Subject);
    }

    /// <summary>
    /// The (recipient, subject) of the messages that arrive until <paramref name="expected"/> have come
    /// (or 10 s pass without one), and of any that come in a second after that: repeats would show.
    /// </summary>
    private static async Task<List<(string To, string Subject)>> DrainAsync(TestSmtpServer smtp, int expected)
    {
        var received = new List<(string, string)>();
        static (string, string) Of(MimeMessage m) => (m.To.Mailboxes.Single().Address, m.Subject ?? "");
        while (received.Count < expected)
        {
            try
            {
                received.Add(Of(await smtp.ReceiveAsync()));
            }
            catch (OperationCanceledException)
            {
                return received; // 10 s of silence
            }
        }
        await Task.Delay(1000);
        while (!smtp.NothingReceived) received.Add(Of(await smtp.ReceiveAsync()));
        return received;
    }
}
