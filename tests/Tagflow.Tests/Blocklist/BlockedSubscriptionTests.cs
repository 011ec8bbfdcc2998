using System.Net;
using System.Net.Http.Json;
using Tagflow.Tests.Events;
using Tagflow.Tests.Fields;
using Tagflow.Tests.Infrastructure;

namespace Tagflow.Tests.Blocklist;

/// <summary>A blocked address or domain (with its subdomains) cannot be used for a contact: 406 error 30, nothing changed.</summary>
public sealed class BlockedSubscriptionTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ABlockedAddressIsRefusedWithError30InAnyCase(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        await BlocklistApiTests.AssertTrueAsync(await client.PostAsJsonAsync("/blocklist", new { value = "spam@example.com" }));

        foreach (var email in new[] { "spam@example.com", "Spam@Example.COM", " spam@example.com " })
            await AssertRefusedAndNothingCreatedAsync(client, email);

        await Subscriber.AddAsync(client, new { email = "anna@example.com" });
        await Subscriber.AddAsync(client, new { email = "spam@example.org" });
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ABlockedDomainBlocksItsSubdomainsButNotOtherDomainsEndingInTheSameLetters(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        await BlocklistApiTests.AssertTrueAsync(await client.PostAsJsonAsync("/blocklist", new { value = "example.com" }));

        foreach (var email in new[] { "anna@example.com", "ANNA@EXAMPLE.COM", "anna@mail.example.com", "anna@deep.mail.Example.com" })
            await AssertRefusedAndNothingCreatedAsync(client, email);

        foreach (var email in new[] { "anna@notexample.com", "anna@example.com.evil.de", "anna@example.co", "anna@example.org" })
            await Subscriber.AddAsync(client, new { email });
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ADomainBlockedInItsAtFormBlocksTheDomainAndItsSubdomains(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        await BlocklistApiTests.AssertTrueAsync(await client.PostAsJsonAsync("/blocklist", new { value = "@example.com" }));

        await AssertRefusedAndNothingCreatedAsync(client, "anna@example.com");
        await AssertRefusedAndNothingCreatedAsync(client, "anna@shop.example.com");
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ABlockedSubdomainDoesNotBlockItsParent(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        await BlocklistApiTests.AssertTrueAsync(await client.PostAsJsonAsync("/blocklist", new { value = "mail.example.com" }));

        await AssertRefusedAndNothingCreatedAsync(client, "anna@mail.example.com");
        await Subscriber.AddAsync(client, new { email = "anna@example.com" });
        await Subscriber.AddAsync(client, new { email = "anna@shop.example.com" });
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AUnicodeDomainIsBlockedInBothItsForms(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        await BlocklistApiTests.AssertTrueAsync(await client.PostAsJsonAsync("/blocklist", new { value = "bücher.de" }));
        await BlocklistApiTests.AssertTrueAsync(await client.PostAsJsonAsync("/blocklist", new { value = "xn--mller-kva.de" }));

        foreach (var email in new[] { "anna@bücher.de", "anna@BÜCHER.de", "anna@xn--bcher-kva.de", "anna@müller.de", "anna@shop.müller.de" })
            await AssertRefusedAndNothingCreatedAsync(client, email);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnExistingContactWhoseAddressIsBlockedLaterIsNotUpdatedByAddOrUpdate(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var id = Subscriber.Id(await Subscriber.AddAsync(client, new { email = "anna@example.com", fields = new { fieldFirstName = "Anna" } }));
        var before = await client.GetStringAsync($"/subscriber/{id}");
        await BlocklistApiTests.AssertTrueAsync(await client.PostAsJsonAsync("/blocklist", new { value = "example.com" }));
        var cursor = await EventFeed.CursorAsync(client);

        await WireAssert.RefusedAsync(await client.PostAsJsonAsync("/subscriber", new { email = "anna@example.com", fields = new { fieldFirstName = "Changed" } }), 30);

        Assert.Equal(before, await client.GetStringAsync($"/subscriber/{id}"));
        Assert.Equal(cursor, await EventFeed.CursorAsync(client));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ChangingAContactsAddressToABlockedOneIsRefusedWithError30(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var id = Subscriber.Id(await Subscriber.AddAsync(client, new { email = "anna@example.org" }));
        await BlocklistApiTests.AssertTrueAsync(await client.PostAsJsonAsync("/blocklist", new { value = "example.com" }));
        await BlocklistApiTests.AssertTrueAsync(await client.PostAsJsonAsync("/blocklist", new { value = "spam@example.net" }));
        var before = await client.GetStringAsync($"/subscriber/{id}");

        foreach (var newemail in new[] { "anna@example.com", "anna@mail.example.com", "SPAM@example.net" })
            await WireAssert.RefusedAsync(await client.PutAsJsonAsync($"/subscriber/{id}", new { newemail, fields = new { fieldFirstName = "Changed" } }), 30);

        Assert.Equal(before, await client.GetStringAsync($"/subscriber/{id}"));
        await WireAssert.OkAsync(await client.PutAsJsonAsync($"/subscriber/{id}", new { newemail = "anna@example.net" }));
        Assert.Equal("anna@example.net", (await Subscriber.GetAsync(client, id)).GetProperty("email").GetString());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task UnblockingAnAddressLetsItSubscribeAgain(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        await BlocklistApiTests.AssertTrueAsync(await client.PostAsJsonAsync("/blocklist", new { value = "example.com" }));
        await AssertRefusedAndNothingCreatedAsync(client, "anna@example.com");

        await BlocklistApiTests.AssertTrueAsync(await client.DeleteAsync("/blocklist/example.com"));

        var contact = await Subscriber.AddAsync(client, new { email = "anna@example.com" });
        Assert.Equal("anna@example.com", contact.GetProperty("email").GetString());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnotherAccountsBlocklistDoesNotBlock(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var anna = await host.NewAccountClientAsync("anna");
        using var bert = await host.NewAccountClientAsync("bert");
        await BlocklistApiTests.AssertTrueAsync(await bert.PostAsJsonAsync("/blocklist", new { value = "example.com" }));
        await BlocklistApiTests.AssertTrueAsync(await bert.PostAsJsonAsync("/blocklist", new { value = "carla@example.org" }));

        await Subscriber.AddAsync(anna, new { email = "anna@example.com" });
        await Subscriber.AddAsync(anna, new { email = "carla@example.org" });
        await AssertRefusedAndNothingCreatedAsync(bert, "anna@example.com");
        await AssertRefusedAndNothingCreatedAsync(bert, "carla@example.org");
    }

    /// <summary>Add-or-update of the address answers 406 error 30, creates no contact and writes no event.</summary>
    private static async Task AssertRefusedAndNothingCreatedAsync(HttpClient client, string email)
    {
        var cursor = await EventFeed.CursorAsync(client);
        await WireAssert.RefusedAsync(await client.PostAsJsonAsync("/subscriber", new { email, fields = new { fieldFirstName = "Blocked" } }), 30);
        await WireAssert.MessageAsync(await client.PostAsJsonAsync("/subscriber/search", new { email }), HttpStatusCode.NotFound);
        Assert.Equal(cursor, await EventFeed.CursorAsync(client));
    }
}
