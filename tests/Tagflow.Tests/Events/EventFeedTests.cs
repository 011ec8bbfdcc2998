using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Tagflow.Tests.Fields;
using Tagflow.Tests.Infrastructure;
using Tagflow.Tests.Tags;

namespace Tagflow.Tests.Events;

/// <summary>GET /events?after=&amp;limit=: every change once, in order, with a cursor to poll from (issue 3, "Event log").</summary>
public sealed class EventFeedTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task PollingTwoAtATimeSeesEveryEventExactlyOnceInOrder(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var (anna, bert, tag) = await MakeSevenChangesAsync(client);

        var seen = new List<JsonElement>();
        long cursor = 0;
        while (true)
        {
            var page = await EventFeed.ReadAsync(client, cursor, limit: 2);
            Assert.True(page.Events.Count <= 2, $"limit=2 answered {page.Events.Count} events");
            if (page.Events.Count == 0)
            {
                Assert.Equal(cursor, page.Cursor);
                break;
            }
            Assert.Equal(EventFeed.Id(page.Events[^1]), page.Cursor);
            seen.AddRange(page.Events);
            cursor = page.Cursor;
        }

        Assert.Equal(
            [
                ("contact.created", anna, ""), ("contact.created", bert, ""), ("contact.updated", anna, ""), ("tag.added", anna, tag),
                ("tag.removed", anna, tag), ("contact.unsubscribed", bert, ""), ("contact.deleted", anna, ""),
            ],
            seen.Select(e => (EventFeed.Type(e), EventFeed.ContactId(e), e.GetProperty("tagid").GetString()!)));
        AssertStrictlyIncreasing(seen.Select(EventFeed.Id));
        Assert.Equal(seen.Select(EventFeed.Id), (await EventFeed.ReadAsync(client)).Events.Select(EventFeed.Id));
        var again = await EventFeed.ReadAsync(client, cursor, limit: 2);
        Assert.Empty(again.Events);
        Assert.Equal(cursor, again.Cursor);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task PollingFromACursorAnswersOnlyTheEventsAfterIt(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        await MakeSevenChangesAsync(client);
        var all = (await EventFeed.ReadAsync(client)).Events;
        Assert.Equal(7, all.Count);

        for (var i = 0; i < all.Count; i++)
        {
            var page = await EventFeed.ReadAsync(client, EventFeed.Id(all[i]));
            Assert.Equal(all.Skip(i + 1).Select(EventFeed.Id), page.Events.Select(EventFeed.Id));
            Assert.Equal(EventFeed.Id(all[^1]), page.Cursor);
        }
        var newer = await Subscriber.AddAsync(client, new { email = "carla@example.com" });
        var next = await EventFeed.ReadAsync(client, EventFeed.Id(all[^1]));
        Assert.Equal(("contact.created", Subscriber.Id(newer)), Assert.Single(next.Events.Select(e => (EventFeed.Type(e), EventFeed.ContactId(e)))));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task EachEventCarriesItsIdTypeTimeContactTagAndChangedFields(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var size = await FieldManagementTests.CreateAsync(client, "Shoe size", "number");
        var tag = (await TagApiTests.CreateAsync(client, new { name = "Kunde" })).ToString(CultureInfo.InvariantCulture);
        var created = host.Clock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var id = Subscriber.Id(await Subscriber.AddAsync(client, new { email = "anna@example.com" }));
        host.Clock.Advance(TimeSpan.FromMinutes(5));
        var updated = host.Clock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        await WireAssert.OkAsync(await client.PutAsJsonAsync($"/subscriber/{id}",
            new { fields = new Dictionary<string, string> { ["fieldFirstName"] = "Anna", [size] = "38" } }));
        await WireAssert.OkAsync(await client.PostAsJsonAsync("/subscriber/tag", new { email = "anna@example.com", tagids = new[] { tag } }));

        var events = (await EventFeed.ReadAsync(client)).Events;

        Assert.Equal(3, events.Count);
        foreach (var e in events)
        {
            Assert.Equal(["contactid", "fields", "id", "tagid", "time", "type"], e.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
            foreach (var key in new[] { "contactid", "id", "tagid", "time", "type" })
                Assert.Equal(JsonValueKind.String, e.GetProperty(key).ValueKind);
            Assert.Equal(JsonValueKind.Array, e.GetProperty("fields").ValueKind);
            Assert.Equal(id, EventFeed.ContactId(e));
        }
        Assert.Equal(("contact.created", created, "", 0), Describe(events[0]));
        Assert.Equal(("contact.updated", updated, "", 2), Describe(events[1]));
        Assert.Equal(new[] { "fieldFirstName", size }.Order(StringComparer.Ordinal), events[1].GetProperty("fields").EnumerateArray().Select(f => f.GetString()!).Order(StringComparer.Ordinal));
        Assert.Equal(("tag.added", updated, tag, 0), Describe(events[2]));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnEmptyFeedAnswersNoEventsAndTheStartCursor(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");

        foreach (var page in new[] { await EventFeed.ReadAsync(client), await EventFeed.ReadAsync(client, after: 0), await EventFeed.ReadAsync(client, after: 0, limit: 1000) })
        {
            Assert.Empty(page.Events);
            Assert.Equal(0, page.Cursor);
        }
        var far = await EventFeed.ReadAsync(client, after: 424242, limit: 1);
        Assert.Empty(far.Events);
        Assert.Equal(424242, far.Cursor);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ALimitOutsideOneToAThousandIsRefusedWith400(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        for (var i = 0; i < 3; i++)
            await Subscriber.AddAsync(client, new { email = $"contact{i}@example.com" });

        foreach (var query in new[] { "limit=0", "limit=-1", "limit=1001", "limit=abc", "after=0&limit=0", "after=0&limit=1001" })
            Assert.Contains("limit", await WireAssert.MessageAsync(await client.GetAsync($"/events?{query}"), HttpStatusCode.BadRequest), StringComparison.Ordinal);

        Assert.Single((await EventFeed.ReadAsync(client, limit: 1)).Events);
        Assert.Equal(3, (await EventFeed.ReadAsync(client, limit: 1000)).Events.Count);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task TheFeedNeedsAuthentication(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);

        await WireAssert.MessageAsync(await host.Client.GetAsync("/events"), HttpStatusCode.Forbidden);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task EveryChangeWritesOneEventAndARepeatedOrRefusedRequestNone(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var size = await FieldManagementTests.CreateAsync(client, "Shoe size", "number");
        var tag = await TagApiTests.CreateAsync(client, new { name = "Kunde" });
        await BlocklistBlocksAsync(client, "blocked.example");
        var anna = Subscriber.Id(await Subscriber.AddAsync(client, new { email = "anna@example.com", fields = new { fieldFirstName = "Anna" } }));

        // Repeats that change nothing.
        await Subscriber.AddAsync(client, new { email = "anna@example.com", fields = new { fieldFirstName = "Anna" } });
        await WireAssert.OkAsync(await client.PutAsJsonAsync($"/subscriber/{anna}", new { fields = new { fieldFirstName = "Anna" } }));
        for (var i = 0; i < 2; i++)
            await WireAssert.OkAsync(await client.PostAsJsonAsync("/subscriber/tag", new { email = "anna@example.com", tagids = new[] { tag } }));
        for (var i = 0; i < 2; i++)
            await WireAssert.OkAsync(await client.PostAsJsonAsync("/subscriber/untag", new { email = "anna@example.com", tagid = tag }));
        // Refusals.
        await WireAssert.RefusedAsync(await client.PostAsJsonAsync("/subscriber",
            new { email = "anna@example.com", fields = new Dictionary<string, string> { ["fieldFirstName"] = "Changed", [size] = "1.5" } }), 8);
        await WireAssert.RefusedAsync(await client.PutAsJsonAsync($"/subscriber/{anna}",
            new { fields = new Dictionary<string, string> { ["fieldFirstName"] = "Changed", [size] = "abc" } }), 8);
        await WireAssert.RefusedAsync(await client.PostAsJsonAsync("/subscriber", new { email = "new@example.com", fields = new { fieldNope = "x" } }), 8);
        await WireAssert.RefusedAsync(await client.PostAsJsonAsync("/subscriber", new { email = "new@blocked.example" }), 30);
        await WireAssert.RefusedAsync(await client.PostAsJsonAsync("/subscriber", new { email = "new@example.com", tagid = 424242 }), 403);
        await WireAssert.RefusedAsync(await client.PostAsJsonAsync("/subscriber", new { email = "not an address" }), 5);
        for (var i = 0; i < 2; i++)
            await WireAssert.OkAsync(await client.PostAsJsonAsync("/subscriber/unsubscribe", new { email = "anna@example.com" }));

        var events = (await EventFeed.ReadAsync(client)).Events;

        Assert.Equal(["contact.created", "tag.added", "tag.removed", "contact.unsubscribed"], events.Select(EventFeed.Type));
        Assert.All(events, e => Assert.Equal(anna, EventFeed.ContactId(e)));
    }

    /// <summary>
    /// Seven changes, one of each kind: created anna, created bert, updated anna, tagged anna,
    /// untagged anna, unsubscribed bert, deleted anna. Answers the ids of anna, bert and the tag.
    /// </summary>
    internal static async Task<(string Anna, string Bert, string Tag)> MakeSevenChangesAsync(HttpClient client)
    {
        var tag = (await TagApiTests.CreateAsync(client, new { name = "Kunde" })).ToString(CultureInfo.InvariantCulture);
        var anna = Subscriber.Id(await Subscriber.AddAsync(client, new { email = "anna@example.com" }));
        var bert = Subscriber.Id(await Subscriber.AddAsync(client, new { email = "bert@example.com" }));
        await WireAssert.OkAsync(await client.PutAsJsonAsync($"/subscriber/{anna}", new { fields = new { fieldFirstName = "Anna", fieldCity = "Köln" } }));
        await WireAssert.OkAsync(await client.PostAsJsonAsync("/subscriber/tag", new { email = "anna@example.com", tagids = new[] { tag } }));
        await WireAssert.OkAsync(await client.PostAsJsonAsync("/subscriber/untag", new { email = "anna@example.com", tagid = tag }));
        await WireAssert.OkAsync(await client.PostAsJsonAsync("/subscriber/unsubscribe", new { email = "bert@example.com" }));
        await WireAssert.OkAsync(await client.DeleteAsync($"/subscriber/{anna}"));
        return (anna, bert, tag);
    }

    internal static void AssertStrictlyIncreasing(IEnumerable<long> ids)
    {
        var list = ids.ToList();
        for (var i = 1; i < list.Count; i++)
            Assert.True(list[i - 1] < list[i], $"event ids not strictly increasing at {i}: {string.Join(", ", list)}");
    }

    private static (string Type, string Time, string TagId, int FieldCount) Describe(JsonElement e) =>
        (EventFeed.Type(e), e.GetProperty("time").GetString()!, e.GetProperty("tagid").GetString()!, e.GetProperty("fields").GetArrayLength());

    private static async Task BlocklistBlocksAsync(HttpClient client, string value) =>
        await WireAssert.OkAsync(await client.PostAsJsonAsync("/blocklist", new { value }));
}
