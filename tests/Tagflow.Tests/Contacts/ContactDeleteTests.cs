using System.Net;
using System.Net.Http.Json;
using Tagflow.Tests.Infrastructure;
using static Tagflow.Tests.Contacts.ContactCalls;

namespace Tagflow.Tests.Contacts;

/// <summary>DELETE /subscriber/{id} erases the contact and its personal data everywhere.</summary>
public sealed class ContactDeleteTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ADeletedContactIsGoneFromEveryCall(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var tag = await CreateTagAsync(client, "Kunde");
        var id = Text(await AddAsync(client, new { email = "anna@example.com", tagid = tag, fields = new Dictionary<string, string> { ["fieldFirstName"] = "Annabelle" } }), "id");
        var keep = Text(await AddAsync(client, new { email = "bert@example.com", tagid = tag }), "id");

        await AssertTrueAsync(await client.DeleteAsync($"/subscriber/{id}"));

        Assert.Equal("There is no such entity.", await WireAssert.MessageAsync(await client.GetAsync($"/subscriber/{id}"), HttpStatusCode.NotFound));
        Assert.Equal("There is no such entity.", await WireAssert.MessageAsync(
            await client.PostAsJsonAsync("/subscriber/search", new { email = "anna@example.com" }), HttpStatusCode.NotFound));
        Assert.Equal([keep], await ListAllAsync(client));
        Assert.Equal([keep], (await TaggedAsync(client, new { tagid = tag, status = AllStatuses })).Select(e => e.Id));
        await WireAssert.RefusedAsync(await client.PostAsJsonAsync("/subscriber/tag", new { email = "anna@example.com", tagids = new[] { tag } }), 7);
        await WireAssert.RefusedAsync(await client.PostAsJsonAsync("/subscriber/unsubscribe", new { email = "anna@example.com" }), 7);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ReAddingADeletedAddressCreatesANewContactWithNothingOfTheOld(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var tag = await CreateTagAsync(client, "Kunde");
        var old = Text(await AddAsync(client, new { email = "anna@example.com", smsnumber = "+4915112345678", tagid = tag, fields = new Dictionary<string, string> { ["fieldFirstName"] = "Anna" } }), "id");
        await UnsubscribeAsync(client, "anna@example.com");
        await AssertTrueAsync(await client.DeleteAsync($"/subscriber/{old}"));
        host.Clock.Advance(TimeSpan.FromDays(1));

        var again = await AddAsync(client, new { email = "anna@example.com", smsnumber = "+4915112345678" });

        Assert.NotEqual(old, Text(again, "id"));
        Assert.Equal("Opt-In Pending", Text(again, "status"));
        Assert.Equal("", Text(again, "fieldFirstName"));
        Assert.Equal("", Text(again, "unsubscription"));
        Assert.Equal("28.11.2026 13:00:00", Text(again, "date"));
        Assert.Empty(TagIds(again));
        Assert.Equal([Text(again, "id")], await ListAllAsync(client));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task DeletingWritesOneDeletedEventAndNoEventKeepsTheAddress(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var tag = await CreateTagAsync(client, "Kunde");
        var id = Text(await AddAsync(client, new { email = "annabelle.berg@example.com", tagid = tag, fields = new Dictionary<string, string> { ["fieldFirstName"] = "Annabelle" } }), "id");
        await AssertTrueAsync(await client.PutAsJsonAsync($"/subscriber/{id}", new { newemail = "annabelle.b@example.com", newsmsnumber = "+4915112345678" }));
        var cursor = (await EventsAsync(client)).Length;

        await AssertTrueAsync(await client.DeleteAsync($"/subscriber/{id}"));

        Assert.Equal([new ContactEventView("contact.deleted", id)], (await EventsAsync(client)).Skip(cursor));
        var feed = await client.GetStringAsync("/events?limit=1000");
        foreach (var personal in new[] { "annabelle", "example.com", "15112345678" })
            Assert.DoesNotContain(personal, feed, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task DeletingAnUnknownOrAlreadyDeletedContactIsRefusedWithError401(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var gone = await AddIdAsync(client, "gone@example.com");
        await AssertTrueAsync(await client.DeleteAsync($"/subscriber/{gone}"));
        await AddIdAsync(client, "anna@example.com");
        var before = await AccountState.ReadAsync(client);

        await WireAssert.RefusedAsync(await client.DeleteAsync($"/subscriber/{gone}"), 401);
        await WireAssert.RefusedAsync(await client.DeleteAsync("/subscriber/424242"), 401);

        await before.AssertUnchangedAsync(client);
    }
}
