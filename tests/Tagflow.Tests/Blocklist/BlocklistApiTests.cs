using System.Net;
using System.Net.Http.Json;
using Tagflow.Tests.Infrastructure;

namespace Tagflow.Tests.Blocklist;

/// <summary>Tagflow's blocklist API: GET /blocklist, POST /blocklist (value), DELETE /blocklist/{value} (issue 3, "Blocklist").</summary>
public sealed class BlocklistApiTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AddressesAndDomainsAreListedSortedInLowerCase(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");

        foreach (var value in new[] { "Zeta.DE", "Spam@Example.COM", "@Example.ORG", "alpha.de", " mid@beta.de " })
            await AssertTrueAsync(await client.PostAsJsonAsync("/blocklist", new { value }));

        Assert.Equal(["alpha.de", "example.org", "mid@beta.de", "spam@example.com", "zeta.de"], await ListAsync(client));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnEmptyBlocklistIsAnEmptyList(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");

        Assert.Equal("[]", await client.GetStringAsync("/blocklist"));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task BlockingAValueAgainInAnyFormKeepsOneEntry(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");

        foreach (var value in new[] { "example.com", "EXAMPLE.com", "@example.com", "spam@example.com", "Spam@Example.com" })
            await AssertTrueAsync(await client.PostAsJsonAsync("/blocklist", new { value }));
        using var form = new FormUrlEncodedContent([new("value", "example.com")]);
        await AssertTrueAsync(await client.PostAsync("/blocklist", form));

        Assert.Equal(["example.com", "spam@example.com"], await ListAsync(client));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AValueThatIsNeitherAnAddressNorADomainIsRefusedWith400(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");

        foreach (var value in new[] { "", "   ", "not an address", "anna@", "@", "anna@@example.com", "http://example.com/x", "exa mple.com" })
            Assert.Contains("\"value\"", await WireAssert.MessageAsync(await client.PostAsJsonAsync("/blocklist", new { value }), HttpStatusCode.BadRequest), StringComparison.Ordinal);
        await WireAssert.MessageAsync(await client.PostAsJsonAsync("/blocklist", new { other = "example.com" }), HttpStatusCode.BadRequest);

        Assert.Empty(await ListAsync(client));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnAddressWithEscapedCharactersCanBeUnblocked(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        string[] values = ["a/b@example.com", "a+tag@example.com", "a%b@example.com"];
        foreach (var value in values)
            await AssertTrueAsync(await client.PostAsJsonAsync("/blocklist", new { value }));

        foreach (var value in values)
            await AssertTrueAsync(await client.DeleteAsync($"/blocklist/{Uri.EscapeDataString(value)}"));

        Assert.Empty(await ListAsync(client));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task DeletingAValueUnblocksItAndDeletingItAgainAnswers404(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        foreach (var value in new[] { "spam@example.com", "example.org", "example.net" })
            await AssertTrueAsync(await client.PostAsJsonAsync("/blocklist", new { value }));

        await AssertTrueAsync(await client.DeleteAsync("/blocklist/spam@example.com"));
        await AssertTrueAsync(await client.DeleteAsync("/blocklist/EXAMPLE.org"));
        await AssertTrueAsync(await client.DeleteAsync("/blocklist/@example.net"));

        Assert.Empty(await ListAsync(client));
        foreach (var value in new[] { "spam@example.com", "example.org", "unknown.de", "nobody@example.com" })
            Assert.Equal("There is no such entity.", await WireAssert.MessageAsync(await client.DeleteAsync($"/blocklist/{value}"), HttpStatusCode.NotFound));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task UnicodeDomainsAreStoredInTheirPunycodeForm(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");

        await AssertTrueAsync(await client.PostAsJsonAsync("/blocklist", new { value = "Bücher.de" }));
        await AssertTrueAsync(await client.PostAsJsonAsync("/blocklist", new { value = "anna@müller.de" }));
        await AssertTrueAsync(await client.PostAsJsonAsync("/blocklist", new { value = "xn--bcher-kva.de" }));

        Assert.Equal(["anna@xn--mller-kva.de", "xn--bcher-kva.de"], await ListAsync(client));
        await AssertTrueAsync(await client.DeleteAsync($"/blocklist/{Uri.EscapeDataString("bücher.de")}"));
        await AssertTrueAsync(await client.DeleteAsync("/blocklist/anna@xn--mller-kva.de"));
        Assert.Empty(await ListAsync(client));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task TheBlocklistNeedsAuthentication(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);

        await WireAssert.MessageAsync(await host.Client.GetAsync("/blocklist"), HttpStatusCode.Forbidden);
        await WireAssert.MessageAsync(await host.Client.PostAsJsonAsync("/blocklist", new { value = "example.com" }), HttpStatusCode.Forbidden);
        await WireAssert.MessageAsync(await host.Client.DeleteAsync("/blocklist/example.com"), HttpStatusCode.Forbidden);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task EachAccountHasABlocklistOfItsOwn(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var anna = await host.NewAccountClientAsync("anna");
        using var bert = await host.NewAccountClientAsync("bert");
        await AssertTrueAsync(await anna.PostAsJsonAsync("/blocklist", new { value = "example.com" }));

        Assert.Empty(await ListAsync(bert));
        await WireAssert.MessageAsync(await bert.DeleteAsync("/blocklist/example.com"), HttpStatusCode.NotFound);
        await AssertTrueAsync(await bert.PostAsJsonAsync("/blocklist", new { value = "example.org" }));

        Assert.Equal(["example.com"], await ListAsync(anna));
        Assert.Equal(["example.org"], await ListAsync(bert));
    }

    internal static async Task<List<string>> ListAsync(HttpClient client) =>
        [.. (await WireAssert.OkAsync(await client.GetAsync("/blocklist"))).EnumerateArray().Select(v => v.GetString()!)];

    internal static async Task AssertTrueAsync(HttpResponseMessage response) =>
        Assert.True(Assert.Single((await WireAssert.OkAsync(response)).EnumerateArray()).GetBoolean());
}
