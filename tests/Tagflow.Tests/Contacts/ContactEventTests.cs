using System.Globalization;
using System.Net.Http.Json;
using Tagflow.Tests.Infrastructure;
using static Tagflow.Tests.Contacts.ContactCalls;

namespace Tagflow.Tests.Contacts;

/// <summary>Each change to a contact writes exactly one event of its type; a no-op writes none.</summary>
public sealed class ContactEventTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task CreatingAContactWritesOneCreatedEventAndOneTagAddedForItsTag(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var tag = await CreateTagAsync(client, "Kunde");

        var plain = await AddIdAsync(client, "plain@example.com");
        var tagged = Text(await AddAsync(client, new { email = "tagged@example.com", tagid = tag, fields = new Dictionary<string, string> { ["fieldFirstName"] = "Anna" } }), "id");

        Assert.Equal(
            [new ContactEventView("contact.created", plain), new ContactEventView("contact.created", tagged), new ContactEventView("tag.added", tagged, Id(tag))],
            await EventsAsync(client));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AddOrUpdateWritesOneUpdatedEventNamingTheChangedKeysAndNoneWhenNothingChanges(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var shoeSize = await CreateFieldAsync(client, "Shoe size", "number");
        var id = Text(await AddAsync(client, new { email = "anna@example.com", fields = new Dictionary<string, string> { ["fieldFirstName"] = "Anna", ["fieldCity"] = "Köln" } }), "id");

        await AddAsync(client, new { email = "anna@example.com", fields = new Dictionary<string, string> { ["fieldFirstName"] = "Anna", ["fieldCity"] = "Bonn", [shoeSize] = "38" } });
        await AddAsync(client, new { email = "anna@example.com", fields = new Dictionary<string, string> { ["fieldFirstName"] = "Anna", ["fieldCity"] = "Bonn", [shoeSize] = "38" } });
        await AddAsync(client, new { email = "ANNA@example.com" });
        await AddAsync(client, new { email = "anna@example.com", fields = new Dictionary<string, string> { ["fieldLastName"] = "" } });
        await AddAsync(client, new { email = "anna@example.com", fields = new Dictionary<string, string> { ["fieldCity"] = "" } });

        Assert.Equal(
        [
            new ContactEventView("contact.created", id),
            new ContactEventView("contact.updated", id, Fields: string.Join(',', new[] { "fieldCity", shoeSize }.Order(StringComparer.Ordinal))),
            new ContactEventView("contact.updated", id, Fields: "fieldCity"),
        ], await EventsAsync(client));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task PutWritesOneUpdatedEventNamingTheChangedKeysAndNoneWhenNothingChanges(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var id = Text(await AddAsync(client, new { email = "anna@example.com", fields = new Dictionary<string, string> { ["fieldFirstName"] = "Anna" } }), "id");
        var cursor = (await EventsAsync(client)).Length;

        await AssertTrueAsync(await client.PutAsJsonAsync($"/subscriber/{id}", new { fields = new Dictionary<string, string> { ["fieldFirstName"] = "Annabelle", ["fieldLastName"] = "Berg" } }));
        await AssertTrueAsync(await client.PutAsJsonAsync($"/subscriber/{id}", new { fields = new Dictionary<string, string> { ["fieldFirstName"] = "Annabelle" } }));
        await AssertTrueAsync(await client.PutAsJsonAsync($"/subscriber/{id}", new { newemail = "anna.berg@example.com" }));
        await AssertTrueAsync(await client.PutAsJsonAsync($"/subscriber/{id}", new { newemail = "anna.berg@example.com" }));
        await AssertTrueAsync(await client.PutAsJsonAsync($"/subscriber/{id}", new { }));

        Assert.Equal(
        [
            new ContactEventView("contact.updated", id, Fields: "fieldFirstName,fieldLastName"),
            new ContactEventView("contact.updated", id, Fields: "email"),
        ], (await EventsAsync(client)).Skip(cursor));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task EveryKindOfChangeWritesItsEventOnceInOrder(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var a = await CreateTagAsync(client, "A");
        var b = await CreateTagAsync(client, "B");

        var id = await AddIdAsync(client, "anna@example.com");
        await TagAsync(client, "anna@example.com", a, b);
        await TagAsync(client, "anna@example.com", a);
        await UntagAsync(client, "anna@example.com", b);
        await UntagAsync(client, "anna@example.com", b);
        await UnsubscribeAsync(client, "anna@example.com");
        await UnsubscribeAsync(client, "anna@example.com");
        await AssertTrueAsync(await client.DeleteAsync($"/subscriber/{id}"));

        Assert.Equal(
        [
            new ContactEventView("contact.created", id),
            new ContactEventView("tag.added", id, Id(a)),
            new ContactEventView("tag.added", id, Id(b)),
            new ContactEventView("tag.removed", id, Id(b)),
            new ContactEventView("contact.unsubscribed", id),
            new ContactEventView("contact.deleted", id),
        ], await EventsAsync(client));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task EventsCarryTheTimeOfTheChangeAndAPollingCursor(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var id = await AddIdAsync(client, "anna@example.com");
        var created = UnixNow(host);
        host.Clock.Advance(TimeSpan.FromMinutes(10));
        await UnsubscribeAsync(client, "anna@example.com");

        var feed = await WireAssert.OkAsync(await client.GetAsync("/events"));
        var events = feed.GetProperty("events").EnumerateArray().ToList();
        Assert.Equal([created, UnixNow(host)], events.Select(e => e.GetProperty("time").GetString()));
        var first = long.Parse(events[0].GetProperty("id").GetString()!, CultureInfo.InvariantCulture);
        Assert.True(long.Parse(events[1].GetProperty("id").GetString()!, CultureInfo.InvariantCulture) > first);
        Assert.Equal(events[1].GetProperty("id").GetString(), feed.GetProperty("cursor").GetString());

        Assert.Equal([new ContactEventView("contact.unsubscribed", id)], await EventsAsync(client, first));
        await UntagAsync(client, "anna@example.com", await CreateTagAsync(client, "Kunde"));
        var cursor = long.Parse(feed.GetProperty("cursor").GetString()!, CultureInfo.InvariantCulture);
        Assert.Empty(await EventsAsync(client, cursor));
    }
}
