using System.Net;
using System.Net.Http.Json;
using Tagflow.Tests.Infrastructure;
using static Tagflow.Tests.Contacts.ContactCalls;

namespace Tagflow.Tests.Contacts;

/// <summary>Integrations retry and fan out: concurrent requests for one contact make one contact, one tagging, one event.</summary>
public sealed class ConcurrentChangeTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ConcurrentAddsOfOneAddressMakeExactlyOneContact(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            client.PostAsJsonAsync("/subscriber", new { email = i % 2 == 0 ? "anna@example.com" : " ANNA@Example.com " })));

        var ids = new List<string>();
        foreach (var response in responses)
            using (response)
                ids.Add(Text(await WireAssert.OkAsync(response), "id"));
        var id = Assert.Single(ids.Distinct());
        Assert.Equal([id], await ListAllAsync(client));
        Assert.Equal([new ContactEventView("contact.created", id)], await EventsAsync(client));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ConcurrentTaggingWithOneTagWritesOneTaggingAndOneEvent(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var tag = await CreateTagAsync(client, "Kunde");
        var id = await AddIdAsync(client, "anna@example.com");

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            client.PostAsJsonAsync("/subscriber/tag", new { email = "anna@example.com", tagids = new[] { tag } })));

        foreach (var response in responses)
            using (response)
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal([Id(tag)], TagIds(await GetAsync(client, id)));
        Assert.Equal([new ContactEventView("contact.created", id), new ContactEventView("tag.added", id, Id(tag))], await EventsAsync(client));
    }
}
