using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Tagflow.Accounts;
using Tagflow.Tests.Infrastructure;

namespace Tagflow.Tests.Accounts;

/// <summary>Developer key + customer key (WIRE.md, "Authentication", scheme 2), with X-Ci computed in the test.</summary>
public sealed class PartnerAuthTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ValidKeysReadTheAccount(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = (await host.AddPartnerAsync("anna")).ClientFor(host);

        var account = await WireAssert.OkAsync(await client.GetAsync("/account"));

        Assert.Equal("anna", account.GetProperty("username").GetString());
        Assert.Equal(JsonValueKind.String, account.GetProperty("uid").ValueKind);
        Assert.Matches("^[0-9]+$", account.GetProperty("uid").GetString());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AWrongMacIsRefused(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        var anna = await host.AddPartnerAsync("anna");
        var bytes = Convert.FromBase64String(TagflowHost.XCi(anna.DeveloperKey, anna.CustomerKey));
        bytes[7] ^= 0x01; // inside the 32-byte MAC; the customer key after it stays intact

        await AssertRefusedAsync(host, "anna", Convert.ToBase64String(bytes));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnXCiThatIsNotBase64IsRefused(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        await host.AddPartnerAsync("anna");

        await AssertRefusedAsync(host, "anna", "%%not*base64%%");
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnXCiWithoutXUnIsRefused(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        var anna = await host.AddPartnerAsync("anna");

        await AssertRefusedAsync(host, null, TagflowHost.XCi(anna.DeveloperKey, anna.CustomerKey));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnotherAccountsUsernameDoesNotWorkWithTheseKeys(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        var anna = await host.AddPartnerAsync("anna");
        await host.AddPartnerAsync("annab");
        await host.AddAccountAsync("ann");
        var xci = TagflowHost.XCi(anna.DeveloperKey, anna.CustomerKey);

        foreach (var other in new[] { "annab", "ann", "ANNAB" })
            await AssertRefusedAsync(host, other, xci);

        // Matching the username regardless of case is acceptable; answering as another account is not.
        using var upper = host.PartnerClient("ANNA", anna.DeveloperKey, anna.CustomerKey);
        using var response = await upper.GetAsync("/account");
        if (response.StatusCode == HttpStatusCode.OK)
            Assert.Equal("anna", (await WireAssert.OkAsync(response)).GetProperty("username").GetString());
        else
            await WireAssert.MessageAsync(response, HttpStatusCode.Forbidden);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task RevokedGrantIsRefusedAtOnceAndANewGrantHasANewKey(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        var anna = await host.AddPartnerAsync("anna");
        using var client = anna.ClientFor(host);
        await WireAssert.OkAsync(await client.GetAsync("/account"));

        await host.WithServicesAsync(async sp =>
        {
            await sp.GetRequiredService<AccountAdmin>().RevokeAsync("anna", anna.Developer, CancellationToken.None);
            return true;
        });
        await WireAssert.MessageAsync(await client.GetAsync("/account"), HttpStatusCode.Forbidden);

        var newKey = await host.WithServicesAsync(sp =>
            sp.GetRequiredService<AccountAdmin>().GrantAsync("anna", anna.Developer, CancellationToken.None));
        Assert.NotEqual(anna.CustomerKey, newKey);
        using var renewed = host.PartnerClient("anna", anna.DeveloperKey, newKey);
        await WireAssert.OkAsync(await renewed.GetAsync("/account"));
        await WireAssert.MessageAsync(await client.GetAsync("/account"), HttpStatusCode.Forbidden);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AStandardPlanAccountIsDeniedApiAccess(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = (await host.AddPartnerAsync("stan", Plan.Standard)).ClientFor(host);

        Assert.Equal("API access denied.", await WireAssert.MessageAsync(await client.GetAsync("/account"), HttpStatusCode.Forbidden));
        Assert.Equal("API access denied.", await WireAssert.MessageAsync(await client.GetAsync("/tag"), HttpStatusCode.Forbidden));
    }

    private static async Task AssertRefusedAsync(TagflowHost host, string? username, string xci)
    {
        using var client = host.NewClient();
        if (username is not null) client.DefaultRequestHeaders.Add("X-Un", username);
        client.DefaultRequestHeaders.TryAddWithoutValidation("X-Ci", xci);

        var message = await WireAssert.MessageAsync(await client.GetAsync("/account"), HttpStatusCode.Forbidden);
        Assert.False(string.IsNullOrWhiteSpace(message));
    }
}
