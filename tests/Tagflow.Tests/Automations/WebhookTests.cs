using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using Tagflow.Tests.Infrastructure;
using static Tagflow.Tests.Automations.AutomationCalls;
using static Tagflow.Tests.Automations.WebhookCalls;
using static Tagflow.Tests.Contacts.ContactCalls;

namespace Tagflow.Tests.Automations;

/// <summary>
/// Outbound webhooks end to end: a tag (or a campaign step) makes Tagflow call a receiver started in
/// the test, with the chosen values in the URL and the body, signed the Standard Webhooks way.
/// </summary>
public sealed class WebhookTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task TaggingPostsTheChosenValuesAsSignedJsonAndFillsTheUrlPlaceholders(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await TagflowHost.StartAsync(provider, Fast);
        using var client = await host.NewAccountClientAsync("anna");
        var tag = await CreateTagAsync(client, "Customer");
        var shoeSize = await CreateFieldAsync(client, "Shoe size", "number");
        var webhook = await CreateWebhookAsync(client, new
        {
            name = "CRM",
            tagid = tag,
            url = receiver.Url("/hook/__first__?from=__source__&who=__email__"),
            parameters = new object[]
            {
                new { name = "first", field = "fieldFirstName" },
                new { name = "size", field = shoeSize },
                new { name = "contact", field = "id" },
                new { name = "source", value = "tag flow" },
            },
        });
        var secret = Text(webhook, "secret");
        var contactId = Text(await AddAsync(client, new { email = "bert@example.com", fields = new Dictionary<string, string> { ["fieldFirstName"] = "Bért", [shoeSize] = "44" } }), "id");

        await TagAsync(client, "bert@example.com", tag);
        var request = await receiver.ReceiveAsync();

        Assert.Equal("POST", request.Method);
        Assert.Equal("/hook/B%C3%A9rt?from=tag%20flow&who=bert%40example.com", request.PathAndQuery);
        Assert.Equal("application/json; charset=utf-8", request.Header("Content-Type"));
        var body = JsonSerializer.Deserialize<Dictionary<string, string>>(request.Body)!;
        Assert.Equal(
            [("contact", contactId), ("email", "bert@example.com"), ("first", "Bért"), ("size", "44"), ("source", "tag flow")],
            body.Select(p => (p.Key, p.Value)).OrderBy(p => p.Key, StringComparer.Ordinal));
        AssertStandardWebhook(request, secret, host);

        var delivery = await DeliveryAfterAsync(client, Text(webhook, "id"), attempts: 1);
        Assert.Equal("delivered", Text(delivery, "state"));
        Assert.Equal(request.Header("webhook-id"), Text(delivery, "webhook_id"));
        Assert.Equal(contactId, Text(delivery, "contactid"));
        var attempt = Assert.Single(Attempts(delivery));
        Assert.Equal("200", Text(attempt, "status"));
        Assert.Equal("", Text(attempt, "error"));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task FormatFormPostsAnUrlEncodedBodyThatIsSigned(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await TagflowHost.StartAsync(provider, Fast);
        using var client = await host.NewAccountClientAsync("anna");
        var tag = await CreateTagAsync(client, "Customer");
        var webhook = await CreateWebhookAsync(client, new
        {
            name = "Form", tagid = tag, url = receiver.Url("/form"), format = "form",
            parameters = new object[] { new { name = "first", field = "fieldFirstName" }, new { name = "source", value = "a&b=c" } },
        });
        await AddAsync(client, new { email = "bert@example.com", fields = new Dictionary<string, string> { ["fieldFirstName"] = "Bert" } });

        await TagAsync(client, "bert@example.com", tag);
        var request = await receiver.ReceiveAsync();

        Assert.Equal("POST", request.Method);
        Assert.Equal("/form", request.PathAndQuery);
        Assert.Equal("application/x-www-form-urlencoded; charset=utf-8", request.Header("Content-Type"));
        var form = QueryHelpers.ParseQuery(request.Body);
        Assert.Equal(["email", "first", "source"], form.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("bert@example.com", form["email"].ToString());
        Assert.Equal("Bert", form["first"].ToString());
        Assert.Equal("a&b=c", form["source"].ToString());
        AssertStandardWebhook(request, Text(webhook, "secret"), host);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task MethodGetSendsTheValuesInTheQueryStringAndSignsTheEmptyBody(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await TagflowHost.StartAsync(provider, Fast);
        using var client = await host.NewAccountClientAsync("anna");
        var tag = await CreateTagAsync(client, "Customer");
        var webhook = await CreateWebhookAsync(client, new
        {
            name = "Ping", tagid = tag, url = receiver.Url("/ping?key=1"), method = "get",
            parameters = new object[] { new { name = "mail", field = "email" }, new { name = "state", field = "status" } },
        });
        Assert.Equal("GET", Text(webhook, "method"));
        var contact = await AddAsync(client, new { email = "bert@example.com" });

        await TagAsync(client, "bert@example.com", tag);
        var request = await receiver.ReceiveAsync();

        Assert.Equal("GET", request.Method);
        Assert.StartsWith("/ping?key=1&", request.PathAndQuery, StringComparison.Ordinal);
        // A parameter that sends the address under a name of its own replaces "email".
        var query = QueryHelpers.ParseQuery(new Uri(receiver.Url(request.PathAndQuery)).Query);
        Assert.Equal(["key", "mail", "state"], query.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("bert@example.com", query["mail"].ToString());
        Assert.Equal(Text(contact, "status"), query["state"].ToString());
        Assert.Equal("", request.Body);
        Assert.Equal("", request.Header("Content-Type"));
        AssertStandardWebhook(request, Text(webhook, "secret"), host);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AHostFilledInFromAFieldIsCalledAndOneThatMakesNoUrlFailsTheDeliveryAtOnce(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await TagflowHost.StartAsync(provider, Fast);
        using var client = await host.NewAccountClientAsync("anna");
        var tag = await CreateTagAsync(client, "Customer");
        var webhook = await CreateWebhookAsync(client, new
        {
            name = "Per host", tagid = tag, url = $"http://__server__:{receiver.Port}/hook",
            parameters = new object[] { new { name = "server", field = "fieldFirstName" } },
        });
        var webhookId = Text(webhook, "id");
        await AddAsync(client, new { email = "good@example.com", fields = new Dictionary<string, string> { ["fieldFirstName"] = "127.0.0.1" } });
        var bad = Text(await AddAsync(client, new { email = "bad@example.com", fields = new Dictionary<string, string> { ["fieldFirstName"] = "no such host" } }), "id");

        await TagAsync(client, "good@example.com", tag);
        Assert.Equal("/hook", (await receiver.ReceiveAsync()).PathAndQuery);
        await TagAsync(client, "bad@example.com", tag);

        // The URL is fixed when the call is queued: one that is no URL cannot come right by waiting.
        JsonElement delivery = default;
        await EventuallyAsync(async () =>
        {
            delivery = (await DeliveriesAsync(client, webhookId)).FirstOrDefault(d => Text(d, "contactid") == bad);
            return delivery.ValueKind == JsonValueKind.Object && Attempts(delivery).Length == 1;
        }, "the attempt for the contact whose field makes no URL is recorded");
        Assert.Equal("failed", Text(delivery, "state"));
        var attempt = Attempts(delivery)[0];
        Assert.Equal("", Text(attempt, "status"));
        Assert.Contains("URL", Text(attempt, "error"), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ACampaignsWebhookStepCallsTheWebhook(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await TagflowHost.StartAsync(provider, Fast);
        using var client = await host.NewAccountClientAsync("anna");
        var list = await SingleOptInListAsync(client);
        var start = await CreateTagAsync(client, "Buyer");
        // No trigger tag: only the campaign calls it.
        var webhook = await CreateWebhookAsync(client, new { name = "Step", url = receiver.Url("/step"), parameters = new object[] { new { name = "step", value = "welcome" } } });
        Assert.Equal("", Text(webhook, "tagid"));
        await CreateCampaignAsync(client, new
        {
            name = "Welcome",
            tagid = start,
            steps = new object[] { new { type = "wait", seconds = 60 }, new { type = "webhook", webhookid = Text(webhook, "id") } },
        });

        var bert = await SubscribeAsync(client, "bert@example.com", list, start);
        // The clock moves only once bert waits in the campaign: a wait that began after the move would never end.
        await EventuallyAsync(async () => Map(await GetAsync(client, bert), "campaigns_started").Count == 1, "bert entered the campaign");
        await Task.Delay(300);
        Assert.True(receiver.NothingReceived);
        host.Clock.Advance(TimeSpan.FromSeconds(61));
        var request = await receiver.ReceiveAsync();

        Assert.Equal("/step", request.PathAndQuery);
        var body = JsonSerializer.Deserialize<Dictionary<string, string>>(request.Body)!;
        Assert.Equal("bert@example.com", body["email"]);
        Assert.Equal("welcome", body["step"]);
        AssertStandardWebhook(request, Text(webhook, "secret"), host);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task TaggingsMadeBeforeTheWebhookExistedDoNotCallIt(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await TagflowHost.StartAsync(provider, Fast);
        using var client = await host.NewAccountClientAsync("anna");
        var tag = await CreateTagAsync(client, "Customer");
        await AddAsync(client, new { email = "early@example.com" });
        await TagAsync(client, "early@example.com", tag);

        await CreateWebhookAsync(client, new { name = "CRM", tagid = tag, url = receiver.Url("/hook") });
        await AddAsync(client, new { email = "late@example.com" });
        await TagAsync(client, "late@example.com", tag);

        var request = await receiver.ReceiveAsync();
        Assert.Equal("late@example.com", JsonSerializer.Deserialize<Dictionary<string, string>>(request.Body)!["email"]);
        await Task.Delay(500);
        Assert.True(receiver.NothingReceived);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task WithoutAllowPrivateAUrlToAPrivateAddressIsRefused(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider, s => s with { AutomationPoll = TimeSpan.FromMilliseconds(50) });
        using var client = await host.NewAccountClientAsync("anna");
        var tag = await CreateTagAsync(client, "Customer");
        string[] urls =
        [
            "http://127.0.0.1:8080/hook", "http://localhost:8080/", "http://app.localhost/", "http://[::1]:8080/", "http://127.1/",
            "http://[::ffff:127.0.0.1]/", "http://10.1.2.3/", "http://172.16.0.1/", "http://192.168.1.1/", "http://169.254.169.254/latest/meta-data",
            "http://[fd00::1]/", "http://[fe80::1]/",
            // Documentation and benchmarking ranges, IPv6 forms that carry a private IPv4 address, and names for this machine.
            "http://192.0.2.1/", "http://198.51.100.1/", "http://203.0.113.1/", "http://198.18.0.1/", "http://[2001:db8::1]/", "http://[100::1]/",
            "http://[2002:7f00:1::]/", "http://[64:ff9b::7f00:1]/", "http://[::ffff:0:7f00:1]/", "http://localhost./", "http://LOCALHOST./",
            "http://①②⑦.0.0.1/", $"http://{Dns.GetHostName()}:8080/",
        ];
        foreach (var url in urls)
        {
            using var refused = await client.PostAsJsonAsync("/webhook", new { name = "CRM", tagid = tag, url });
            Assert.True(refused.StatusCode == HttpStatusCode.BadRequest, $"{url} is taken");
            Assert.Contains("private", await WireAssert.MessageAsync(refused, HttpStatusCode.BadRequest), StringComparison.Ordinal);
        }
        Assert.Empty((await WireAssert.OkAsync(await client.GetAsync("/webhook"))).EnumerateArray());

        // A public one is taken, and cannot be changed into a private one.
        var webhookId = Text(await CreateWebhookAsync(client, new { name = "CRM", tagid = tag, url = "https://crm.example/hook" }), "id");
        Assert.Contains("private", await WireAssert.MessageAsync(await PutAsync(client, webhookId, new { url = "http://127.0.0.1/" }), HttpStatusCode.BadRequest), StringComparison.Ordinal);
        Assert.Equal("https://crm.example/hook", Text(await GetWebhookAsync(client, webhookId), "url"));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AWebhookToThisMachineIsRefusedAtDeliveryOnceTheServerNoLongerAllowsPrivateTargets(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var database = await TestDatabase.CreateAsync(provider);
        var clock = new TestClock();
        PartnerCredentials anna;
        string webhookId;
        long tag;
        await using (var allowing = await TagflowHost.StartOnAsync(database, clock, Fast))
        {
            anna = await allowing.AddPartnerAsync("anna");
            using var client = anna.ClientFor(allowing);
            tag = await CreateTagAsync(client, "Customer");
            webhookId = Text(await CreateWebhookAsync(client, new { name = "CRM", tagid = tag, url = receiver.Url("/hook") }), "id");
            // While allowed, the receiver is reached.
            await AddAsync(client, new { email = "first@example.com" });
            await TagAsync(client, "first@example.com", tag);
            await receiver.ReceiveAsync();
            await DeliveryAfterAsync(client, webhookId, attempts: 1);
        }

        // The check runs on the address Tagflow connects to (a name resolving to 127.0.0.1 meets the same check,
        // but no such name is sure to exist on a machine without DNS, so a stored literal stands in for it).
        await using var refusing = await TagflowHost.StartOnAsync(database, clock, s => s with { AutomationPoll = TimeSpan.FromMilliseconds(50) });
        using var again = anna.ClientFor(refusing);
        await AddAsync(again, new { email = "bert@example.com" });
        await TagAsync(again, "bert@example.com", tag);

        JsonElement[] deliveries = [];
        await EventuallyAsync(async () => (deliveries = await DeliveriesAsync(again, webhookId)).Length == 2 && Attempts(deliveries[0]).Length == 1, "the attempt is recorded");
        var delivery = deliveries[0];
        var attempt = Attempts(delivery)[0];
        Assert.Equal("", Text(attempt, "status"));
        Assert.Contains("private", Text(attempt, "error"), StringComparison.Ordinal);
        Assert.Equal("pending", Text(delivery, "state"));
        await Task.Delay(300);
        Assert.True(receiver.NothingReceived);
    }
}
