using System.Net.Http.Json;
using Tagflow.Tests.Infrastructure;
using static Tagflow.Tests.Contacts.ContactCalls;

namespace Tagflow.Tests.Contacts;

/// <summary>POST /subscriber/unsubscribe: status Unsubscribed, with the time and address of the first unsubscription.</summary>
public sealed class UnsubscribeTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task UnsubscribingRecordsStatusTimeAndAddressAndKeepsTheData(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var tag = await CreateTagAsync(client, "Kunde");
        var single = await DatabaseSetup.AddSingleOptInProcessAsync(host, "anna");
        var created = await AddAsync(client, new { email = "anna@example.com", listid = single, tagid = tag, fields = new Dictionary<string, string> { ["fieldFirstName"] = "Anna" } });
        host.Clock.Advance(TimeSpan.FromMinutes(90));

        await UnsubscribeAsync(client, " ANNA@Example.com ");

        var contact = await GetAsync(client, Text(created, "id"));
        Assert.Equal("Unsubscribed", Text(contact, "status"));
        Assert.Equal("27.11.2026 14:30:00", Text(contact, "unsubscription"));
        Assert.Equal("127.0.0.1", Text(contact, "unsubscription_ip"));
        foreach (var key in new[] { "email", "fieldFirstName", "optin", "optin_ip", "date", "ip", "listid" })
            Assert.Equal(Text(created, key), Text(contact, key));
        Assert.Equal(TagIds(created), TagIds(contact)); // the manual tag and the single opt-in's SmartTag
        Assert.Equal([Id(tag)], Map(contact, "manual_tags").Keys);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task UnsubscribingTwiceKeepsTheFirstTimeAndWritesOneEvent(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var id = await AddIdAsync(client, "anna@example.com");
        await UnsubscribeAsync(client, "anna@example.com");
        var before = await AccountState.ReadAsync(client);

        host.Clock.Advance(TimeSpan.FromDays(3));
        await UnsubscribeAsync(client, "anna@example.com");

        await before.AssertUnchangedAsync(client);
        Assert.Equal("27.11.2026 13:00:00", Text(await GetAsync(client, id), "unsubscription"));
        Assert.Equal([new ContactEventView("contact.created", id), new ContactEventView("contact.unsubscribed", id)], await EventsAsync(client));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task UnsubscribingAnUnknownAddressIsRefusedWithError7(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        await AddIdAsync(client, "anna@example.com");
        var before = await AccountState.ReadAsync(client);

        foreach (var email in new[] { "bert@example.com", "anna@example.org", "not an address" })
            await WireAssert.RefusedAsync(await client.PostAsJsonAsync("/subscriber/unsubscribe", new { email }), 7);

        await before.AssertUnchangedAsync(client);
    }
}
