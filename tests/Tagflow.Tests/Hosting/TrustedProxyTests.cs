using System.Net;
using System.Net.Http.Json;
using Tagflow.Tests.Cli;
using Tagflow.Tests.Contacts;
using Tagflow.Tests.Infrastructure;
using static Tagflow.Tests.Contacts.ContactCalls;

namespace Tagflow.Tests.Hosting;

/// <summary>Behind a reverse proxy: the client's address comes from X-Forwarded-For, but only from proxies the operator trusts.</summary>
[Collection(AdminCli.Collection)]
public sealed class TrustedProxyTests
{
    private static readonly IPNetwork Loopback = IPNetwork.Parse("127.0.0.0/8");

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ATrustedProxysForwardedAddressIsRecordedAsTheClients(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider, s => s with { TrustedProxies = [Loopback] });
        using var client = await host.NewAccountClientAsync("anna");
        var single = await DatabaseSetup.AddSingleOptInProcessAsync(host, "anna");

        var contact = await AddThroughAsync(client, "ann@example.com", single, "198.51.100.9, 203.0.113.7");
        using var unsubscribe = new HttpRequestMessage(HttpMethod.Post, "/subscriber/unsubscribe") { Content = JsonContent.Create(new { email = "ann@example.com" }) };
        unsubscribe.Headers.Add("X-Forwarded-For", "2001:db8::7");
        await AssertTrueAsync(await client.SendAsync(unsubscribe));

        // The proxy saw 203.0.113.7; what that client claims before it (198.51.100.9) is not believed.
        Assert.Equal(("203.0.113.7", "203.0.113.7"), (Text(contact, "ip"), Text(contact, "optin_ip")));
        Assert.Equal("2001:db8::7", Text(await GetAsync(client, Text(contact, "id")), "unsubscription_ip"));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task WithoutATrustedProxyTheHeaderIsIgnored(string provider)
    {
        await using var plain = await TagflowHost.StartAsync(provider);
        await using var elsewhere = await TagflowHost.StartAsync(provider, s => s with { TrustedProxies = [IPNetwork.Parse("10.0.0.0/8")] });

        foreach (var host in new[] { plain, elsewhere })
        {
            using var client = await host.NewAccountClientAsync("anna");
            var single = await DatabaseSetup.AddSingleOptInProcessAsync(host, "anna");
            var contact = await AddThroughAsync(client, "ann@example.com", single, "203.0.113.7");
            Assert.Equal("127.0.0.1", Text(contact, "ip"));
        }
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task PerAddressLimitsCountTheForwardedAddress(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider, s => s with { TrustedProxies = [Loopback], LoginsPerMinutePerAddress = 2 });
        await host.AddAccountAsync("anna");

        for (var i = 0; i < 2; i++)
            Assert.Equal(HttpStatusCode.OK, (await LoginFromAsync(host, "203.0.113.7")).StatusCode);
        Assert.Equal((HttpStatusCode)429, (await LoginFromAsync(host, "203.0.113.7")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await LoginFromAsync(host, "203.0.113.8")).StatusCode);
    }

    [Fact]
    public async Task ATrustedProxyThatIsNoAddressIsRefusedWithASentence()
    {
        var result = await AdminCli.RunRawAsync(["--trusted-proxy", "the proxy", "--db", Path.Combine(Path.GetTempPath(), "never-made.db")]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--trusted-proxy must be an address", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
    }

    private static async Task<System.Text.Json.JsonElement> AddThroughAsync(HttpClient client, string email, long listId, string forwardedFor)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/subscriber") { Content = JsonContent.Create(new { email, listid = listId }) };
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        return await WireAssert.OkAsync(await client.SendAsync(request));
    }

    private static async Task<HttpResponseMessage> LoginFromAsync(TagflowHost host, string address)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/account/login") { Content = JsonContent.Create(new { username = "anna", password = TagflowHost.Password }) };
        request.Headers.Add("X-Forwarded-For", address);
        return await host.Client.SendAsync(request);
    }
}
