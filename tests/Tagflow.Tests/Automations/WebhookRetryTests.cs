using System.Net;
using System.Text.Json;
using Tagflow.Tests.Infrastructure;
using static Tagflow.Tests.Automations.AutomationCalls;
using static Tagflow.Tests.Automations.WebhookCalls;
using static Tagflow.Tests.Contacts.ContactCalls;

namespace Tagflow.Tests.Automations;

/// <summary>
/// What Tagflow does when a webhook's receiver does not take the call: retries on the schedule
/// (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, then every 10 h, each ±10 %) under the same id until 3 days
/// have passed, disables the webhook on 410, and never follows a redirect. The clock is moved, not waited for.
/// </summary>
public sealed class WebhookRetryTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AReceiverAnswering500IsCalledAgainOnScheduleWithTheSameIdAndBody(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await TagflowHost.StartAsync(provider, Fast);
        using var client = await host.NewAccountClientAsync("anna");
        var (webhookId, secret, tag) = await CreateAsync(client, receiver);
        receiver.AnswerFromNow(500, body: "The database is down.\n");

        await TagNewContactAsync(client, "bert@example.com", tag);
        var first = await receiver.ReceiveAsync();
        var delivery = await DeliveryAfterAsync(client, webhookId, attempts: 1);
        Assert.Equal("pending", Text(delivery, "state"));
        Assert.Equal("tag.added", Text(delivery, "cause"));
        Assert.Equal("The database is down.", Text(Attempts(delivery)[0], "answer")); // the start of what the receiver said
        var queued = host.Clock.GetUtcNow().ToUnixTimeSeconds();
        Assert.InRange(Unix(delivery, "next_attempt"), queued + 4, queued + 5); // 4.5 to 5.5 s, in whole seconds

        await Task.Delay(500);
        Assert.True(receiver.NothingReceived); // the clock has not moved
        host.Clock.Advance(TimeSpan.FromSeconds(4));
        await Task.Delay(400);
        Assert.True(receiver.NothingReceived); // not yet: at least 4.5 s
        host.Clock.Advance(TimeSpan.FromSeconds(2));
        var second = await receiver.ReceiveAsync();
        AssertSameCall(first, second);
        AssertStandardWebhook(second, secret, host); // signed anew, with the time of this attempt
        await DeliveryAfterAsync(client, webhookId, attempts: 2);

        host.Clock.Advance(TimeSpan.FromMinutes(4));
        await Task.Delay(400);
        Assert.True(receiver.NothingReceived); // not yet: at least 4.5 min
        host.Clock.Advance(TimeSpan.FromSeconds(90));
        var third = await receiver.ReceiveAsync();
        AssertSameCall(first, third);
        delivery = await DeliveryAfterAsync(client, webhookId, attempts: 3);
        Assert.All(Attempts(delivery), a =>
        {
            Assert.Equal("500", Text(a, "status"));
            Assert.Contains("500", Text(a, "error"), StringComparison.Ordinal);
        });

        receiver.AnswerFromNow(200);
        host.Clock.Advance(TimeSpan.FromMinutes(33));
        AssertSameCall(first, await receiver.ReceiveAsync());
        delivery = await DeliveryAfterAsync(client, webhookId, attempts: 4);
        Assert.Equal("delivered", Text(delivery, "state"));
        Assert.Equal(["500", "500", "500", "200"], Attempts(delivery).Select(a => Text(a, "status")));
        Assert.Equal("", Text(delivery, "next_attempt"));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AReceiverThatIsDownIsCalledAgainOnceTheClockMoves(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await TagflowHost.StartAsync(provider, Fast);
        using var client = await host.NewAccountClientAsync("anna");
        var (webhookId, secret, tag) = await CreateAsync(client, receiver);
        await receiver.StopAsync();

        await TagNewContactAsync(client, "bert@example.com", tag);
        var delivery = await DeliveryAfterAsync(client, webhookId, attempts: 1);
        var attempt = Assert.Single(Attempts(delivery));
        Assert.Equal("", Text(attempt, "status")); // no answer came
        Assert.NotEqual("", Text(attempt, "error"));
        Assert.Equal("pending", Text(delivery, "state"));

        await receiver.RestartAsync();
        await Task.Delay(300);
        Assert.True(receiver.NothingReceived);
        host.Clock.Advance(TimeSpan.FromSeconds(6));
        var request = await receiver.ReceiveAsync();
        Assert.Equal(Text(delivery, "webhook_id"), request.Header("webhook-id"));
        Assert.Equal("bert@example.com", JsonSerializer.Deserialize<Dictionary<string, string>>(request.Body)!["email"]);
        AssertStandardWebhook(request, secret, host);
        delivery = await DeliveryAfterAsync(client, webhookId, attempts: 2);
        Assert.Equal("delivered", Text(delivery, "state"));
        Assert.Equal("200", Text(Attempts(delivery)[1], "status"));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task A410DisablesTheWebhookAndFailsItsDeliveriesUntilItIsSavedAgain(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await TagflowHost.StartAsync(provider, Fast);
        using var client = await host.NewAccountClientAsync("anna");
        var (webhookId, _, tag) = await CreateAsync(client, receiver);

        // Bert's call waits for its second attempt when the receiver says Gone to Carl's.
        receiver.AnswerFromNow(500);
        await TagNewContactAsync(client, "bert@example.com", tag);
        await receiver.ReceiveAsync();
        await DeliveryAfterAsync(client, webhookId, attempts: 1);
        receiver.AnswerFromNow(410);
        await TagNewContactAsync(client, "carl@example.com", tag);
        await receiver.ReceiveAsync();

        await EventuallyAsync(async () => !(await GetWebhookAsync(client, webhookId)).GetProperty("enabled").GetBoolean(), "the webhook is disabled");
        Assert.Contains("410", Text(await GetWebhookAsync(client, webhookId), "disabled_reason"), StringComparison.Ordinal);
        JsonElement[] deliveries = [];
        await EventuallyAsync(async () => (deliveries = await DeliveriesAsync(client, webhookId)).All(d => Text(d, "state") == "failed"), "both deliveries failed");
        var (carls, berts) = (deliveries[0], deliveries[1]);
        Assert.Equal("410", Text(Attempts(carls).Single(), "status"));
        Assert.Single(Attempts(berts));

        receiver.AnswerFromNow(200);
        await TagNewContactAsync(client, "dora@example.com", tag);
        await Task.Delay(300);
        host.Clock.Advance(TimeSpan.FromHours(1));
        await Task.Delay(500);
        Assert.True(receiver.NothingReceived); // neither Bert's retry nor Dora's call
        Assert.Equal(2, (await DeliveriesAsync(client, webhookId)).Length);
        Assert.Contains("PUT", await WireAssert.MessageAsync(await RetryAsync(client, webhookId, Text(berts, "id")), HttpStatusCode.BadRequest), StringComparison.Ordinal);

        var saved = await WireAssert.OkAsync(await PutAsync(client, webhookId, new { }));
        Assert.True(saved.GetProperty("enabled").GetBoolean());
        Assert.Equal("", Text(saved, "disabled_reason"));
        Assert.True((await GetWebhookAsync(client, webhookId)).GetProperty("enabled").GetBoolean());
        await TagNewContactAsync(client, "erik@example.com", tag);
        Assert.Equal("erik@example.com", JsonSerializer.Deserialize<Dictionary<string, string>>((await receiver.ReceiveAsync()).Body)!["email"]);

        await AssertTrueAsync(await RetryAsync(client, webhookId, Text(berts, "id")));
        Assert.Equal(Text(berts, "webhook_id"), (await receiver.ReceiveAsync()).Header("webhook-id"));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ThreeDaysOfFailuresEndInFailedAndARetryByHandDelivers(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await TagflowHost.StartAsync(provider, Fast);
        using var client = await host.NewAccountClientAsync("anna");
        var (webhookId, secret, tag) = await CreateAsync(client, receiver);
        receiver.AnswerFromNow(500);
        var queued = host.Clock.GetUtcNow();
        var giveUp = queued.AddDays(3).ToUnixTimeSeconds();

        await TagNewContactAsync(client, "bert@example.com", tag);
        var first = await receiver.ReceiveAsync();
        var delivery = await DeliveryAfterAsync(client, webhookId, attempts: 1);
        // Each attempt as it falls due: the clock is moved to the next attempt's time, no further.
        while (Text(delivery, "state") == "pending")
        {
            var next = Unix(delivery, "next_attempt");
            Assert.True(next <= giveUp, "an attempt is planned past the 3 days");
            host.Clock.Advance(DateTimeOffset.FromUnixTimeSeconds(next + 1) - host.Clock.GetUtcNow());
            AssertSameCall(first, await receiver.ReceiveAsync());
            delivery = await DeliveryAfterAsync(client, webhookId, Attempts(delivery).Length + 1);
        }

        Assert.Equal("failed", Text(delivery, "state"));
        var times = Attempts(delivery).Select(a => Unix(a, "time")).ToArray();
        Assert.InRange(times.Length, 10, 14);
        TimeSpan[] schedule = [TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2), TimeSpan.FromHours(5)];
        for (var i = 1; i < times.Length; i++)
        {
            var planned = (i <= schedule.Length ? schedule[i - 1] : TimeSpan.FromHours(10)).TotalSeconds;
            Assert.InRange(times[i] - times[i - 1], (long)(planned * 0.9) - 1, (long)(planned * 1.1) + 2);
        }
        Assert.True(times[^1] <= giveUp);
        Assert.True(times[^1] + (long)TimeSpan.FromHours(11).TotalSeconds > giveUp, "it gave up while another attempt fitted into the 3 days");
        await Task.Delay(300);
        Assert.True(receiver.NothingReceived);

        receiver.AnswerFromNow(200);
        await AssertTrueAsync(await RetryAsync(client, webhookId, Text(delivery, "id")));
        var retried = await receiver.ReceiveAsync();
        AssertSameCall(first, retried);
        AssertStandardWebhook(retried, secret, host);
        delivery = await DeliveryAfterAsync(client, webhookId, times.Length + 1);
        Assert.Equal("delivered", Text(delivery, "state"));
        await WireAssert.MessageAsync(await RetryAsync(client, webhookId, Text(delivery, "id")), HttpStatusCode.BadRequest);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ARedirectIsNotFollowedAndCountsAsAFailure(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var elsewhere = await WebhookReceiver.StartAsync();
        await using var host = await TagflowHost.StartAsync(provider, Fast);
        using var client = await host.NewAccountClientAsync("anna");
        var (webhookId, _, tag) = await CreateAsync(client, receiver);
        receiver.AnswerFromNow(302, elsewhere.Url("/moved"));

        await TagNewContactAsync(client, "bert@example.com", tag);
        await receiver.ReceiveAsync();
        var delivery = await DeliveryAfterAsync(client, webhookId, attempts: 1);

        var attempt = Assert.Single(Attempts(delivery));
        Assert.Equal("302", Text(attempt, "status"));
        Assert.Contains("Redirect", Text(attempt, "error"), StringComparison.Ordinal);
        Assert.Equal("pending", Text(delivery, "state"));
        await Task.Delay(300);
        Assert.True(elsewhere.NothingReceived);
    }

    private static async Task<(string Id, string Secret, long Tag)> CreateAsync(HttpClient client, WebhookReceiver receiver)
    {
        var tag = await CreateTagAsync(client, "Customer");
        var webhook = await CreateWebhookAsync(client, new { name = "CRM", tagid = tag, url = receiver.Url("/hook") });
        return (Text(webhook, "id"), Text(webhook, "secret"), tag);
    }

    private static async Task TagNewContactAsync(HttpClient client, string email, long tag)
    {
        await AddAsync(client, new { email });
        await TagAsync(client, email, tag);
    }

    /// <summary>A repeat of a call: the same webhook-id, URL and body.</summary>
    private static void AssertSameCall(ReceivedRequest first, ReceivedRequest again)
    {
        Assert.Equal(first.Header("webhook-id"), again.Header("webhook-id"));
        Assert.Equal(first.PathAndQuery, again.PathAndQuery);
        Assert.Equal(first.Body, again.Body);
    }
}
