using System.Net;
using System.Net.Http.Json;
using Tagflow.Tests.Infrastructure;
using static Tagflow.Tests.Contacts.ContactCalls;

namespace Tagflow.Tests.Contacts;

/// <summary>POST /subscriber/tagged: a map contact id → Unix time of tagging, with status filters and paging.</summary>
public sealed class TaggedListTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task TaggedMapsEachTaggedContactToItsTaggingTime(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var tag = await CreateTagAsync(client, "Kunde");
        var other = await CreateTagAsync(client, "Other");
        var late = await AddIdAsync(client, "late@example.com");
        var early = await AddIdAsync(client, "early@example.com");
        await AddIdAsync(client, "untagged@example.com");
        await TagAsync(client, "untagged@example.com", other);
        await TagAsync(client, "early@example.com", tag);
        var first = UnixNow(host);
        host.Clock.Advance(TimeSpan.FromSeconds(3601));
        await TagAsync(client, "late@example.com", tag);

        var tagged = await TaggedAsync(client, new { tagid = tag, status = AllStatuses });

        Assert.Equal([(late, UnixNow(host)), (early, first)], tagged);
        Assert.Equal("1795784401", UnixNow(host));
        Assert.Equal(tagged, await TaggedAsync(client, new { tagid = Id(tag), status = AllStatuses }));
        using var form = new FormUrlEncodedContent([new("tagid", Id(tag)), new("status", AllStatuses)]);
        Assert.Equal(2, (await WireAssert.OkAsync(await client.PostAsync("/subscriber/tagged", form))).EnumerateObject().Count());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ATagWithoutContactsAnswersAnEmptyMap(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var tag = await CreateTagAsync(client, "Kunde");
        await AddIdAsync(client, "anna@example.com");

        var response = await client.PostAsJsonAsync("/subscriber/tagged", new { tagid = tag });
        await WireAssert.OkAsync(response);
        Assert.Equal("{}", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnUnknownOrForeignTagIsRefusedWithError403(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var anna = await host.NewAccountClientAsync("anna");
        using var bert = await host.NewAccountClientAsync("bert");
        var berts = await CreateTagAsync(bert, "Kunde");
        await AddIdAsync(bert, "bert@example.com");
        await TagAsync(bert, "bert@example.com", berts);

        await WireAssert.RefusedAsync(await anna.PostAsJsonAsync("/subscriber/tagged", new { tagid = 424242 }), 403);
        await WireAssert.RefusedAsync(await anna.PostAsJsonAsync("/subscriber/tagged", new { tagid = berts }), 403);
        await WireAssert.MessageAsync(await anna.PostAsJsonAsync("/subscriber/tagged", new { }), HttpStatusCode.BadRequest);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task TaggedFiltersByStatus(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var tag = await CreateTagAsync(client, "Kunde");
        var single = await DatabaseSetup.AddSingleOptInProcessAsync(host, "anna");
        var pending = Text(await AddAsync(client, new { email = "pending@example.com", tagid = tag }), "id");
        var subscribed = Text(await AddAsync(client, new { email = "subscribed@example.com", tagid = tag, listid = single }), "id");
        var unsubscribed = Text(await AddAsync(client, new { email = "unsubscribed@example.com", tagid = tag }), "id");
        await UnsubscribeAsync(client, "unsubscribed@example.com");

        Assert.Equal([subscribed], (await TaggedAsync(client, new { tagid = tag, status = new[] { "subscribed" } })).Select(e => e.Id));
        Assert.Equal([pending, subscribed], (await TaggedAsync(client, new { tagid = tag, status = "subscribed,pending" })).Select(e => e.Id));
        Assert.Equal([pending, unsubscribed], (await TaggedAsync(client, new { tagid = tag, status = new[] { "pending", "unsubscribed" } })).Select(e => e.Id));
        Assert.Empty(await TaggedAsync(client, new { tagid = tag, bounceStatus = "hardbounce" }));
        await WireAssert.MessageAsync(await client.PostAsJsonAsync("/subscriber/tagged", new { tagid = tag, status = "gone" }), HttpStatusCode.BadRequest);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task PagingWithLimitAndAfterWalksEveryTaggedContactExactlyOnce(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var tag = await CreateTagAsync(client, "Kunde");
        var ids = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            var id = await AddIdAsync(client, $"contact{i}@example.com");
            if (i % 3 != 1) ids.Add(id);
            if (i % 3 != 1) await TagAsync(client, $"contact{i}@example.com", tag);
        }

        Assert.Equal(ids.Take(2), (await TaggedAsync(client, new { tagid = tag, limit = 2, status = AllStatuses })).Select(e => e.Id));
        Assert.Equal(ids.Skip(2).Take(2), (await TaggedAsync(client, new { tagid = tag, limit = "2", after = ids[1], status = AllStatuses })).Select(e => e.Id));
        foreach (var size in new[] { 1, 2, 4 })
        {
            var all = new List<string>();
            var after = "0";
            while ((await TaggedAsync(client, new { tagid = tag, limit = size, after, status = AllStatuses })).Select(e => e.Id).ToList() is { Count: > 0 } page)
            {
                Assert.True(page.Count <= size);
                all.AddRange(page);
                after = page[^1];
            }
            Assert.Equal(ids, all);
        }
    }
}
