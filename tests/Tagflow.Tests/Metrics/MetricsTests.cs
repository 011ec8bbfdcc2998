using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Tagflow.Automations;
using Tagflow.Data;
using Tagflow.Delivery;
using Tagflow.Tags;
using Tagflow.Tests.Infrastructure;
using Tagflow.Webhooks;
using Tagflow.Wire;
using static Tagflow.Tests.Automations.AutomationCalls;

namespace Tagflow.Tests.Metrics;

/// <summary>
/// <c>/metrics</c> for Prometheus: there only with <c>--metrics-urls</c>, and only on that address,
/// which serves nothing else. It measures requests by route and status, the SQLite group commit's
/// batches, and the due work waiting in the database's queues.
/// </summary>
public sealed class MetricsTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task WithoutMetricsUrlsThereIsNoMetricsEndpoint(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);

        Assert.Equal(WireResults.NoSuchEntity, await WireAssert.MessageAsync(await host.Client.GetAsync("/metrics"), HttpStatusCode.NotFound));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task TheMetricsAddressServesMetricsAndNothingElseAndTheApiNoMetrics(string provider)
    {
        var address = MetricsAddress();
        await using var host = await TagflowHost.StartAsync(provider, s => s with { MetricsUrls = address });
        using var metrics = new HttpClient { BaseAddress = new Uri(address) };
        var partner = await host.AddPartnerAsync("anna");

        await Scrape.TakeAsync(metrics);
        Assert.Equal(WireResults.NoSuchEntity, await WireAssert.MessageAsync(await host.Client.GetAsync("/metrics"), HttpStatusCode.NotFound));
        // Not the API, not even with valid credentials, nor its pages.
        metrics.DefaultRequestHeaders.Add("X-Un", partner.Username);
        metrics.DefaultRequestHeaders.Add("X-Ci", TagflowHost.XCi(partner.DeveloperKey, partner.CustomerKey));
        Assert.Equal(WireResults.NoSuchEntity, await WireAssert.MessageAsync(await metrics.GetAsync("/tag"), HttpStatusCode.NotFound));
        Assert.Equal(WireResults.NoSuchEntity, await WireAssert.MessageAsync(await metrics.GetAsync("/account"), HttpStatusCode.NotFound));
        Assert.Equal(WireResults.NoSuchEntity,
            await WireAssert.MessageAsync(await metrics.PostAsJsonAsync("/tag", new { name = "Customer" }), HttpStatusCode.NotFound));
        Assert.Equal(WireResults.NoSuchEntity, await WireAssert.MessageAsync(await metrics.GetAsync("/healthz"), HttpStatusCode.NotFound));
        Assert.Empty(await host.WithServicesAsync(sp => sp.GetRequiredService<TagflowDb>().Tags.Where(t => t.Name == "Customer").ToListAsync()));
        // The request log still has every request, those of the metrics address too.
        await EventuallyAsync(() => Task.FromResult(host.Logs.Lines.Any(l => l.Contains("GET /metrics 200", StringComparison.Ordinal))),
            "the request log line of the scrape");
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task RequestsAreCountedAndTimedByRouteAndStatus(string provider)
    {
        var address = MetricsAddress();
        await using var host = await TagflowHost.StartAsync(provider, s => s with { MetricsUrls = address });
        using var metrics = new HttpClient { BaseAddress = new Uri(address) };
        using var client = await host.NewAccountClientAsync("anna");

        await WireAssert.OkAsync(await client.PostAsJsonAsync("/tag", new { name = "Customer" }));
        await WireAssert.OkAsync(await client.PostAsJsonAsync("/tag.json", new { name = "Buyer" }));
        await WireAssert.MessageAsync(await client.GetAsync("/tag/999999"), HttpStatusCode.NotFound);

        // Routes as ASP.NET Core names them: the template, the root of the /tag group with its slash.
        const string Duration = "http_server_request_duration_seconds";
        var scrape = await Scrape.UntilAsync(metrics, s => s.Value($"{Duration}_count", Route("/tag/{id:long}", "GET", 404)) is not null);
        Assert.Contains($"# TYPE {Duration} histogram", scrape.Text, StringComparison.Ordinal);
        // The .json suffix is the same route.
        Assert.Equal(2, scrape.Value($"{Duration}_count", Route("/tag/", "POST", 200)));
        Assert.Equal(1, scrape.Value($"{Duration}_count", Route("/tag/{id:long}", "GET", 404)));
        Assert.True(scrape.Value($"{Duration}_sum", Route("/tag/", "POST", 200)) > 0);
        Assert.Null(scrape.Value($"{Duration}_count", Route("/tag/", "GET", 200)));
        // The scrapes themselves are not counted: every request measured has a route. (The exporter
        // answers from a copy for 300 ms; a scrape after that would show the earlier ones, were they counted.)
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        var later = await Scrape.TakeAsync(metrics);
        Assert.DoesNotContain(later.Text.Split('\n'), l => l.StartsWith(Duration, StringComparison.Ordinal) && !l.Contains("http_route=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheGroupCommitsBatchSizesAreMeasured()
    {
        var address = MetricsAddress();
        await using var host = await TagflowHost.StartAsync(Providers.Sqlite, s => s with { MetricsUrls = address });
        using var metrics = new HttpClient { BaseAddress = new Uri(address) };
        var account = await host.AddAccountAsync("anna");
        using var client = await host.NewAccountClientAsync("ben");

        // Two contact writes one after the other: a commit each.
        await Contacts.ContactCalls.AddIdAsync(client, "first@example.com");
        await Contacts.ContactCalls.AddIdAsync(client, "second@example.com");
        // Three changes queued while the writer is held: one commit carries them all.
        await host.WithServicesAsync(async services =>
        {
            var gate = services.GetRequiredService<SqliteWriteGate>();
            var groupCommit = services.GetRequiredService<GroupCommit>();
            Task<string> Change(string name) => groupCommit.RunAsync<string>(account.Id, async (db, cancellationToken) =>
            {
                db.Tags.Add(new Tag { AccountId = account.Id, Name = name, NormalizedName = name, CreatedAt = DateTime.UtcNow });
                await db.SaveChangesAsync(cancellationToken);
                return WriteOutcome<string>.Kept(name);
            }, CancellationToken.None);
            await gate.Semaphore.WaitAsync();
            var changes = new[] { Change("one"), Change("two"), Change("three") };
            gate.Semaphore.Release();
            return await Task.WhenAll(changes);
        });

        var scrape = await Scrape.TakeAsync(metrics);
        const string BatchSize = "tagflow_group_commit_batch_size";
        Assert.Equal(3, scrape.Value($"{BatchSize}_count"));
        Assert.Equal(5, scrape.Value($"{BatchSize}_sum"));
        Assert.Equal(2, scrape.Value($"{BatchSize}_bucket", ("le", "1")));
        Assert.Equal(2, scrape.Value($"{BatchSize}_bucket", ("le", "2")));
        Assert.Equal(3, scrape.Value($"{BatchSize}_bucket", ("le", "4")));
    }

    [Fact]
    public async Task AnotherServerInTheSameProcessIsNotCountedIn()
    {
        var address = MetricsAddress();
        await using var host = await TagflowHost.StartAsync(Providers.Sqlite, s => s with { MetricsUrls = address });
        await using var other = await TagflowHost.StartAsync(Providers.Sqlite);
        using var metrics = new HttpClient { BaseAddress = new Uri(address) };
        using var client = await other.NewAccountClientAsync("anna");

        // Its group commit is measured before the answer: had it counted, the scrape would show it.
        await Contacts.ContactCalls.AddIdAsync(client, "first@example.com");

        var scrape = await Scrape.TakeAsync(metrics);
        Assert.Null(scrape.Value("tagflow_group_commit_batch_size_count"));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task QueueGaugesShowTheDueWorkAndHowLongTheOldestHasBeenDue(string provider)
    {
        var address = MetricsAddress();
        // Over SMTP, a stored email waits for its NotBefore, as one the relay put off does.
        await using var smtp = await TestSmtpServer.StartAsync();
        await using var host = await TagflowHost.StartAsync(provider, s => s with { MetricsUrls = address, Smtp = SmtpTarget.Parse(smtp.Url()) });
        using var metrics = new HttpClient { BaseAddress = new Uri(address) };
        using var client = await host.NewAccountClientAsync("anna");
        var tag = (await WireAssert.OkAsync(await client.PostAsJsonAsync("/tag", new { name = "Customer" })))[0].GetInt64();
        var list = await SingleOptInListAsync(client);
        var contacts = new List<long>();
        foreach (var email in new[] { "a@example.com", "b@example.com", "c@example.com" })
            contacts.Add(long.Parse(await SubscribeAsync(client, email, list), CultureInfo.InvariantCulture));
        var campaign = Id(await CreateCampaignAsync(client, new
        {
            name = "Welcome", tagid = tag, steps = new object[] { new { type = "email", subject = "Welcome", text = "Hi" } },
        }));
        var webhook = Id(await CreateWebhookAsync(client, new { name = "CRM", tagid = tag, url = "https://crm.example/hook", method = "POST", format = "json" }));

        // In each queue, work that falls due one hour from now, 30 s later, and one hour later still.
        var start = host.Clock.GetUtcNow().UtcDateTime;
        DateTime[] due = [start.AddHours(1), start.AddHours(1).AddSeconds(30), start.AddHours(2)];
        await host.WithServicesAsync(async services =>
        {
            var db = services.GetRequiredService<TagflowDb>();
            var accountId = await db.Accounts.Where(a => a.Username == "anna").Select(a => a.Id).SingleAsync();
            for (var i = 0; i < due.Length; i++)
            {
                db.OutboxMails.Add(new OutboxMail
                {
                    FileName = $"mail-{i}.eml", CreatedAt = start, NotBefore = due[i],
                    Content = Encoding.ASCII.GetBytes(Message),
                });
                db.CampaignRuns.Add(new CampaignRun
                {
                    AccountId = accountId, CampaignId = campaign, ContactId = contacts[i], State = RunState.Running, DueAt = due[i], StartedAt = start,
                });
                db.WebhookDeliveries.Add(new WebhookDelivery
                {
                    AccountId = accountId, WebhookId = webhook, ContactId = contacts[i], MessageId = $"msg_{i}", Method = "POST",
                    Url = "https://crm.example/hook", Body = "{}", ContentType = "application/json",
                    State = DeliveryState.Pending, NextAttemptAt = due[i], CreatedAt = start,
                });
            }
            using (await services.GetRequiredService<SqliteWriteGate>().HoldAsync(db, CancellationToken.None))
                await db.SaveChangesAsync();
            return accountId;
        });

        // The workers would take the work as soon as it is due: they are held, as a busy or stuck worker is.
        await using (await HoldWorkersAsync(host))
        {
            host.Clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(90));

            var scrape = await Scrape.TakeAsync(metrics);
            foreach (var queue in new[] { "mail", "webhook", "campaign" })
            {
                Assert.True(2 == scrape.Value("tagflow_queue_depth", ("queue", queue)), $"depth of {queue}:\n{scrape.Text}");
                Assert.True(90 == scrape.Value("tagflow_queue_oldest_due_age_seconds", ("queue", queue)), $"age of {queue}:\n{scrape.Text}");
            }
        }
    }

    [Fact]
    public async Task AnEmailWrittenToTheOutboxWaitsNoLongerThoughItsRowIsDeletedLater()
    {
        var address = MetricsAddress();
        await using var host = await TagflowHost.StartAsync(Providers.Sqlite, s => s with { MetricsUrls = address });
        using var metrics = new HttpClient { BaseAddress = new Uri(address) };

        var (scrape, rows) = await host.WithServicesAsync(async services =>
        {
            var db = services.GetRequiredService<TagflowDb>();
            var gate = services.GetRequiredService<SqliteWriteGate>();
            // Held: the outbox writes the file, then waits to delete the row.
            await gate.Semaphore.WaitAsync();
            try
            {
                db.OutboxMails.Add(new OutboxMail { FileName = "confirm.eml", Content = Encoding.ASCII.GetBytes(Message), CreatedAt = DateTime.UtcNow });
                await db.SaveChangesAsync();
                services.GetRequiredService<IMailRelay>().Wake();
                await Outbox.FilesAsync(Path.Combine(host.Database.Directory, "outbox"), 1);

                var scrape = await Scrape.UntilAsync(metrics, s => s.Value("tagflow_queue_depth", ("queue", "mail")) == 0);
                return (scrape, await db.OutboxMails.CountAsync());
            }
            finally
            {
                gate.Semaphore.Release();
            }
        });

        Assert.Equal(1, rows);
        Assert.Equal(0, scrape.Value("tagflow_queue_oldest_due_age_seconds", ("queue", "mail")));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task EmptyQueuesShowNothingDueFromTheFirstScrape(string provider)
    {
        // No background work and no request before the scrape: the gauges must not wait for something to make their meter.
        var address = MetricsAddress();
        await using var host = await TagflowHost.StartAsync(provider, s => s with { MetricsUrls = address }, services => services.RemoveAll<IHostedService>());
        using var metrics = new HttpClient { BaseAddress = new Uri(address) };

        var scrape = await Scrape.TakeAsync(metrics);

        foreach (var queue in new[] { "mail", "webhook", "campaign" })
        {
            Assert.True(0 == scrape.Value("tagflow_queue_depth", ("queue", queue)), $"depth of {queue}:\n{scrape.Text}\n{string.Join('\n', host.Logs.Lines)}");
            Assert.True(0 == scrape.Value("tagflow_queue_oldest_due_age_seconds", ("queue", queue)), $"age of {queue}:\n{scrape.Text}\n{string.Join('\n', host.Logs.Lines)}");
        }
    }

    private const string Message = "From: shop@example.com\r\nTo: a@example.com\r\nSubject: Hi\r\n\r\nHi\r\n";

    private static string MetricsAddress() => $"http://127.0.0.1:{FreePort.Next()}";

    private static (string, string)[] Route(string route, string method, int status) =>
        [("http_route", route), ("http_request_method", method), ("http_response_status_code", status.ToString(CultureInfo.InvariantCulture))];

    private static long Id(System.Text.Json.JsonElement created) => long.Parse(created.GetProperty("id").GetString()!, CultureInfo.InvariantCulture);

    /// <summary>
    /// Keeps the workers from taking due work until disposed: on SQLite by holding the one writer
    /// gate (they read what is due, then wait to write), on PostgreSQL by locking the queues' rows
    /// (they claim with <c>SKIP LOCKED</c>, as they skip rows another instance works on).
    /// </summary>
    private static async Task<IAsyncDisposable> HoldWorkersAsync(TagflowHost host)
    {
        if (host.Database.Provider == Providers.Sqlite)
        {
            var gate = await host.WithServicesAsync(services => Task.FromResult(services.GetRequiredService<SqliteWriteGate>()));
            await gate.Semaphore.WaitAsync();
            return new Held(() =>
            {
                gate.Semaphore.Release();
                return ValueTask.CompletedTask;
            });
        }
        var connection = new NpgsqlConnection(host.Database.DbArgument);
        await connection.OpenAsync();
        var transaction = await connection.BeginTransactionAsync();
        foreach (var table in new[] { "OutboxMails", "WebhookDeliveries", "CampaignRuns" })
        {
            await using var command = new NpgsqlCommand($"SELECT 1 FROM \"{table}\" FOR UPDATE", connection, transaction);
            await command.ExecuteNonQueryAsync();
        }
        return new Held(async () =>
        {
            await transaction.DisposeAsync();
            await connection.DisposeAsync();
        });
    }

    private sealed class Held(Func<ValueTask> release) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => release();
    }
}
