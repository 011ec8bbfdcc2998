using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Tagflow.Client.Tests.Infrastructure;

namespace Tagflow.Client.Tests;

/// <summary>
/// <see cref="WebhookSignature"/>: a webhook that a real Tagflow server sends to a receiver in the
/// test verifies with the webhook's secret, and any change to the body, the id, the timestamp or
/// the secret makes it fail.
/// </summary>
public sealed class WebhookSignatureTests
{
    [Fact]
    public async Task AWebhookTagflowSentVerifiesAndATamperedOneDoesNot()
    {
        using var receiver = new HttpListener();
        var port = FreePort();
        receiver.Prefixes.Add($"http://127.0.0.1:{port}/");
        receiver.Start();
        await using var server = await TagflowServer.StartAsync(adjust: s => s with { WebhookAllowPrivate = true, AutomationPoll = TimeSpan.FromMilliseconds(50) });
        var (username, developerKey, customerKey) = await server.AddPartnerAsync("anna");
        using var kt = server.Client(KlickTippCredentials.Partner(username, developerKey, customerKey));
        var tag = await kt.Tags.CreateAsync("Customer", cancellationToken: CancellationToken.None);
        await kt.Contacts.AddOrUpdateAsync(new ContactAddOrUpdateOptions { Email = "bert@example.com" }, CancellationToken.None);

        // Webhooks are Tagflow's own addition to the API, so the client has no call for them: plain HTTP.
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        http.DefaultRequestHeaders.Add("X-Un", username);
        http.DefaultRequestHeaders.Add("X-Ci", Tagflow.Accounts.KeyRing.ComputeXCi(developerKey, customerKey));
        using var created = await http.PostAsJsonAsync("/webhook", new { name = "CRM", tagid = tag, url = $"http://127.0.0.1:{port}/hook" });
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        var secret = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret").GetString()!;

        await kt.Contacts.TagAsync("bert@example.com", [tag], CancellationToken.None);
        var context = await receiver.GetContextAsync().WaitAsync(TimeSpan.FromSeconds(10));
        var request = context.Request;
        string body;
        using (var reader = new StreamReader(request.InputStream)) body = await reader.ReadToEndAsync();
        context.Response.StatusCode = 204;
        context.Response.Close();
        var (id, timestamp, signature) = (request.Headers["webhook-id"], request.Headers["webhook-timestamp"], request.Headers["webhook-signature"]);
        var now = server.Clock.GetUtcNow(); // the server signs with its own (moved) clock

        Assert.Contains("bert@example.com", body, StringComparison.Ordinal);
        Assert.True(WebhookSignature.Verify(secret, id, timestamp, signature, body, now: now));
        Assert.False(WebhookSignature.Verify(secret, id, timestamp, signature, body.Replace("bert", "eve", StringComparison.Ordinal), now: now));
        Assert.False(WebhookSignature.Verify(secret, id + "x", timestamp, signature, body, now: now));
        Assert.False(WebhookSignature.Verify(secret, id, (long.Parse(timestamp!) + 1).ToString(), signature, body, now: now));
        Assert.False(WebhookSignature.Verify("whsec_" + Convert.ToBase64String(new byte[32]), id, timestamp, signature, body, now: now));
        // Too old: a captured request replayed later is refused.
        Assert.False(WebhookSignature.Verify(secret, id, timestamp, signature, body, now: now.AddMinutes(6)));
        Assert.True(WebhookSignature.Verify(secret, id, timestamp, signature, body, tolerance: TimeSpan.FromMinutes(10), now: now.AddMinutes(6)));
    }

    [Fact]
    public void SignMatchesTheStandardWebhooksReferenceVector()
    {
        // The example of the Standard Webhooks specification's reference libraries.
        const string secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        const string id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
        const string body = """{"test": 2432232314}""";
        Assert.Equal("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", WebhookSignature.Sign(secret, id, 1614265330, body));
        Assert.True(WebhookSignature.Verify(secret, id, "1614265330", "v1,bogus v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", body,
            now: DateTimeOffset.FromUnixTimeSeconds(1614265330)));
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
