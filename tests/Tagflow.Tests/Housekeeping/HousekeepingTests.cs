using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tagflow.Automations;
using Tagflow.Data;
using Tagflow.Delivery;
using Tagflow.Housekeeping;
using Tagflow.Tests.Infrastructure;
using Tagflow.Webhooks;
using static Tagflow.Tests.Contacts.ContactCalls;

namespace Tagflow.Tests.Housekeeping;

/// <summary>Nothing grows without bound: one job removes what has expired or is past its retention, and keeps the rest.</summary>
[Collection(Cli.AdminCli.Collection)]
public sealed class HousekeepingTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ExpiredSessionsQuietLoginCountersAndSpentKeysAreRemoved(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        await host.LoginAsync("anna");
        await host.Client.PostAsJsonAsync("/account/login", new { username = "nobody", password = "guess" });
        using var keyed = new HttpRequestMessage(HttpMethod.Post, "/tag") { Content = JsonContent.Create(new { name = "Kunde" }) };
        keyed.Headers.Add("Idempotency-Key", "key-1");
        await WireAssert.OkAsync(await client.SendAsync(keyed));

        var early = await RunAsync(host);
        host.Clock.Advance(TimeSpan.FromHours(25));
        // Another account's: logging in again would remove anna's expired sessions itself.
        await host.AddAccountAsync("bert");
        var fresh = await host.LoginAsync("bert");
        var removed = await RunAsync(host);

        Assert.All(early.Values, n => Assert.Equal(0, n));
        Assert.Equal(1, removed["sessions"]);
        Assert.Equal(2, removed["login counters"]); // anna's and nobody's; bert's is fresh
        Assert.Equal(1, removed["idempotency keys"]);
        using var session = host.SessionClient(fresh);
        await WireAssert.OkAsync(await session.GetAsync("/tag"));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task EventsPastTheirRetentionGoOnceTheAutomationsHaveReadThem(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        await AddIdAsync(client, "first@example.com");
        await AddIdAsync(client, "second@example.com");
        var events = await EventIdsAsync(client);
        // The automations read only the first event (no campaign or webhook runs, so nothing moves the cursor on).
        await host.WithServicesAsync(async sp =>
        {
            var db = sp.GetRequiredService<TagflowDb>();
            var accountId = await db.Accounts.Where(a => a.Username == "anna").Select(a => a.Id).SingleAsync();
            db.AutomationCursors.Add(new AutomationCursor { AccountId = accountId, LastEventId = long.Parse(events[0], System.Globalization.CultureInfo.InvariantCulture) });
            return await db.SaveChangesAsync();
        });

        host.Clock.Advance(TimeSpan.FromDays(91));
        await AddIdAsync(client, "third@example.com");
        var removed = await RunAsync(host);

        Assert.Equal(1, removed["events"]);
        var left = await EventIdsAsync(client);
        Assert.Equal(2, left.Length);
        Assert.Equal(events[1], left[0]);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task DeliveriesEmailsAndOutboxFilesPastTheirRetentionGoAndYoungerOnesStay(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider, s => s with { Retention = new Retention { WebhookDeliveryDays = 30, SentEmailDays = 365, OutboxDays = 30 } });
        using var client = await host.NewAccountClientAsync("anna");
        var contact = long.Parse(await AddIdAsync(client, "ann@example.com"), System.Globalization.CultureInfo.InvariantCulture);
        var now = host.Clock.GetUtcNow().UtcDateTime;
        await host.WithServicesAsync(async sp =>
        {
            var db = sp.GetRequiredService<TagflowDb>();
            var accountId = await db.Accounts.Where(a => a.Username == "anna").Select(a => a.Id).SingleAsync();
            var webhook = new Webhook { AccountId = accountId, Name = "CRM", Url = "https://crm.example.com/", Method = "POST", Format = "json", Parameters = "[]", SecretSeed = [1, 2, 3], CreatedAt = now, UpdatedAt = now };
            db.Webhooks.Add(webhook);
            await db.SaveChangesAsync();
            foreach (var (age, state) in new[] { (31, DeliveryState.Delivered), (31, DeliveryState.Failed), (31, DeliveryState.Pending), (29, DeliveryState.Delivered) })
            {
                var delivery = new WebhookDelivery
                {
                    AccountId = accountId, WebhookId = webhook.Id, ContactId = contact, MessageId = $"msg_{age}{state}", Method = "POST",
                    // Due tomorrow: the server's webhook sender, running beside the test, must not try the pending one meanwhile.
                    Url = webhook.Url, Body = "{}", ContentType = "application/json", State = state, CreatedAt = now.AddDays(-age), NextAttemptAt = now.AddDays(1),
                };
                db.WebhookDeliveries.Add(delivery);
                await db.SaveChangesAsync();
                db.WebhookAttempts.Add(new WebhookAttempt { DeliveryId = delivery.Id, At = delivery.CreatedAt, Status = 200 });
            }
            foreach (var age in new[] { 366, 364 })
            {
                db.SentEmails.Add(new SentEmail { AccountId = accountId, ContactId = contact, TokenHash = $"hash{age}", MessageId = $"<{age}@example.com>", Links = "[]", SentAt = now.AddDays(-age) });
                db.MailFailures.Add(new MailFailure { AccountId = accountId, Recipient = $"r{age}@example.com", Subject = "Hi", Reason = "550", At = now.AddDays(-age) });
            }
            return await db.SaveChangesAsync();
        });
        var outbox = Path.Combine(host.Database.Directory, "outbox");
        Directory.CreateDirectory(outbox);
        foreach (var age in new[] { 31, 29 })
        {
            var file = Path.Combine(outbox, $"{age}.eml");
            await File.WriteAllTextAsync(file, "Subject: old\r\n\r\nold");
            File.SetLastWriteTimeUtc(file, now.AddDays(-age));
        }

        var removed = await RunAsync(host);

        Assert.Equal((2, 1, 1, 1), (removed["webhook deliveries"], removed["sent emails"], removed["undelivered emails"], removed["outbox files"]));
        var left = await host.WithServicesAsync(async sp =>
        {
            var db = sp.GetRequiredService<TagflowDb>();
            return (Deliveries: await db.WebhookDeliveries.OrderBy(d => d.Id).Select(d => d.MessageId).ToListAsync(),
                Attempts: await db.WebhookAttempts.CountAsync(), Emails: await db.SentEmails.Select(m => m.TokenHash).ToListAsync(),
                Failures: await db.MailFailures.Select(f => f.Recipient).ToListAsync());
        });
        Assert.Equal(["msg_31Pending", "msg_29Delivered"], left.Deliveries);
        Assert.Equal(2, left.Attempts);
        Assert.Equal(["hash364"], left.Emails);
        Assert.Equal(["r364@example.com"], left.Failures);
        var files = Directory.EnumerateFiles(outbox, "*.eml").Select(Path.GetFileName).ToList();
        Assert.Contains("29.eml", files);
        Assert.DoesNotContain("31.eml", files);
        Assert.Equal(2, files.Count); // and ann's confirmation email, written a moment ago
    }

    /// <summary>
    /// Recorded bounces go after their retention, but never while the soft-bounce rule still counts them;
    /// the contact's bounce status stays.
    /// </summary>
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task BouncesPastTheirRetentionGoButNotWhileTheSoftBounceRuleCountsThemAndTheContactStaysBounced(string provider)
    {
        // (days kept, days the soft-bounce rule counts): the longer of the two is what stays.
        foreach (var (keep, soft) in new[] { (60, 30), (10, 30) })
        {
            await using var host = await TagflowHost.StartAsync(provider, s => s with
            {
                Retention = new Retention { BounceDays = keep },
                Bounces = new Tagflow.Bounces.BounceSettings { SoftDays = soft },
            });
            using var client = await host.NewAccountClientAsync("anna");
            var contact = await AddIdAsync(client, "ann@example.com");
            var now = host.Clock.GetUtcNow().UtcDateTime;
            var kept = Math.Max(keep, soft);
            int[] ages = [kept + 1, kept - 1, 1];
            await host.WithServicesAsync(async sp =>
            {
                var db = sp.GetRequiredService<TagflowDb>();
                var id = long.Parse(contact, System.Globalization.CultureInfo.InvariantCulture);
                var accountId = await db.Contacts.Where(c => c.Id == id).Select(c => c.AccountId).SingleAsync();
                foreach (var age in ages)
                    db.Bounces.Add(new Tagflow.Bounces.Bounce
                    {
                        AccountId = accountId, ContactId = id, EmailId = $"email{age:D3}", Kind = Tagflow.Bounces.BounceKind.Soft, Status = "5.2.2",
                        At = now.AddDays(-age),
                    });
                await db.SaveChangesAsync();
                return await db.Contacts.Where(c => c.Id == id).ExecuteUpdateAsync(u => u.SetProperty(c => c.Bounce, Tagflow.Contacts.BounceStatus.Hard));
            });

            var removed = await RunAsync(host);

            Assert.Equal(1, removed["bounces"]);
            var left = await host.WithServicesAsync(sp => sp.GetRequiredService<TagflowDb>().Bounces.OrderBy(b => b.At).Select(b => b.EmailId).ToListAsync());
            Assert.Equal([$"email{kept - 1:D3}", "email001"], left);
            Assert.Equal("Hard Bounce", Text(await GetAsync(client, contact), "bounce"));
        }
    }

    [Fact]
    public async Task TheRetentionIsSetFromTheCommandLine()
    {
        var help = await Cli.AdminCli.RunRawAsync(["serve", "--help"]);

        foreach (var option in new[] { "--keep-webhook-deliveries-days", "--keep-sent-emails-days", "--keep-bounces-days", "--keep-events-days", "--keep-outbox-days" })
            Assert.Contains(option, help.Output, StringComparison.Ordinal);
        Assert.Contains("default 365", help.Output, StringComparison.Ordinal);
        var refused = await Cli.AdminCli.RunRawAsync(["--keep-events-days", "0", "--db", Path.Combine(Path.GetTempPath(), "never-made.db")]);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("at least 1", refused.Error, StringComparison.Ordinal);
    }

    private static async Task<string[]> EventIdsAsync(HttpClient client) =>
        [.. (await WireAssert.OkAsync(await client.GetAsync("/events?limit=1000"))).GetProperty("events").EnumerateArray().Select(e => e.GetProperty("id").GetString()!)];

    private static Task<IReadOnlyDictionary<string, int>> RunAsync(TagflowHost host) =>
        host.WithServicesAsync(sp => sp.GetRequiredService<HousekeepingJob>().RunOnceAsync(CancellationToken.None));
}
