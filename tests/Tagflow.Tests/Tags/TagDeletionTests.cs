using System.Net.Http.Json;
using Tagflow.Tests.Events;
using Tagflow.Tests.Infrastructure;

namespace Tagflow.Tests.Tags;

/// <summary>Deleting a tag or a data field changes the contacts that had it, and the event feed says so.</summary>
public sealed class TagDeletionTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task DeletingATagUntagsItsContactsWithATagRemovedEventEach(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var tag = await TagApiTests.CreateAsync(client, new { name = "Kunde" });
        var kept = await TagApiTests.CreateAsync(client, new { name = "Interessent" });
        var ids = new List<string>();
        foreach (var email in new[] { "a@example.com", "b@example.com" })
            ids.Add((await WireAssert.OkAsync(await client.PostAsJsonAsync("/subscriber", new { email, tagid = tag }))).GetProperty("id").GetString()!);
        await WireAssert.OkAsync(await client.PostAsJsonAsync("/subscriber", new { email = "c@example.com", tagid = kept }));
        var cursor = await EventFeed.CursorAsync(client);

        await WireAssert.OkAsync(await client.DeleteAsync($"/tag/{tag}"));

        var feed = await WireAssert.OkAsync(await client.GetAsync($"/events?after={cursor}"));
        var events = feed.GetProperty("events").EnumerateArray().ToList();
        Assert.Equal(ids, events.Select(e => e.GetProperty("contactid").GetString()));
        Assert.All(events, e =>
        {
            Assert.Equal("tag.removed", e.GetProperty("type").GetString());
            Assert.Equal(tag.ToString(System.Globalization.CultureInfo.InvariantCulture), e.GetProperty("tagid").GetString());
        });
        foreach (var id in ids)
            Assert.Empty((await WireAssert.OkAsync(await client.GetAsync($"/subscriber/{id}"))).GetProperty("tags").EnumerateArray());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task DeletingADataFieldWritesContactUpdatedForTheContactsThatHadAValue(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var key = (await WireAssert.OkAsync(await client.PostAsJsonAsync("/field", new { name = "Shoe size", type = "number" })))[0].GetString()!;
        var withValue = (await WireAssert.OkAsync(await client.PostAsJsonAsync("/subscriber",
            new { email = "a@example.com", fields = new Dictionary<string, string> { [key] = "42" } }))).GetProperty("id").GetString();
        await WireAssert.OkAsync(await client.PostAsJsonAsync("/subscriber", new { email = "b@example.com" }));
        var cursor = await EventFeed.CursorAsync(client);

        await WireAssert.OkAsync(await client.DeleteAsync($"/field/{key}"));

        var events = (await WireAssert.OkAsync(await client.GetAsync($"/events?after={cursor}"))).GetProperty("events");
        var only = Assert.Single(events.EnumerateArray());
        Assert.Equal("contact.updated", only.GetProperty("type").GetString());
        Assert.Equal(withValue, only.GetProperty("contactid").GetString());
        Assert.Equal([key], only.GetProperty("fields").EnumerateArray().Select(f => f.GetString()));
    }
}
