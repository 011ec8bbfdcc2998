using System.Globalization;
using System.Text.Json;
using Tagflow.Tests.Infrastructure;

namespace Tagflow.Tests.Events;

/// <summary>One answer of GET /events: its events and the cursor to poll with next.</summary>
internal sealed record FeedPage(IReadOnlyList<JsonElement> Events, long Cursor);

/// <summary>Reads an account's event feed as a polling integration does.</summary>
internal static class EventFeed
{
    /// <summary>GET /events; asserts 200 and the shape <c>{"events":[…],"cursor":"N"}</c>.</summary>
    public static async Task<FeedPage> ReadAsync(HttpClient client, long? after = null, int? limit = null)
    {
        var query = new List<string>();
        if (after is { } a) query.Add($"after={a.ToString(CultureInfo.InvariantCulture)}");
        if (limit is { } l) query.Add($"limit={l.ToString(CultureInfo.InvariantCulture)}");
        var body = await WireAssert.OkAsync(await client.GetAsync(query.Count == 0 ? "/events" : "/events?" + string.Join('&', query)));
        Assert.Equal(["cursor", "events"], body.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        var cursor = body.GetProperty("cursor");
        Assert.Equal(JsonValueKind.String, cursor.ValueKind);
        var page = new FeedPage([.. body.GetProperty("events").EnumerateArray()], long.Parse(cursor.GetString()!, CultureInfo.InvariantCulture));
        // Checked on every read, so that a poll loop fails instead of spinning when the cursor does not move on.
        var ids = page.Events.Select(Id).ToList();
        Assert.True(limit is null || ids.Count <= limit, $"limit={limit} answered {ids.Count} events");
        Assert.True(ids.All(id => id > (after ?? 0)), $"after={after} answered events {string.Join(", ", ids)}");
        Assert.True(ids.Zip(ids.Skip(1)).All(p => p.First < p.Second), $"a page's event ids are not strictly increasing: {string.Join(", ", ids)}");
        Assert.True(ids.Count == 0 || page.Cursor == ids[^1], $"the cursor {page.Cursor} is not the last event id of {string.Join(", ", ids)}");
        Assert.True(ids.Count > 0 || page.Cursor == (after ?? 0), $"an empty page after {after} answered the cursor {page.Cursor}");
        return page;
    }

    /// <summary>Every event of the account, polled page by page from the start until a page comes back empty.</summary>
    public static async Task<List<JsonElement>> AllAsync(HttpClient client, int limit = 1000)
    {
        var all = new List<JsonElement>();
        long cursor = 0;
        while (true)
        {
            var page = await ReadAsync(client, cursor, limit);
            if (page.Events.Count == 0) return all;
            all.AddRange(page.Events);
            cursor = page.Cursor;
        }
    }

    /// <summary>The cursor that sees no event written so far.</summary>
    public static async Task<long> CursorAsync(HttpClient client)
    {
        var events = await AllAsync(client);
        return events.Count == 0 ? 0 : Id(events[^1]);
    }

    public static long Id(JsonElement e) => long.Parse(e.GetProperty("id").GetString()!, CultureInfo.InvariantCulture);

    public static string Type(JsonElement e) => e.GetProperty("type").GetString()!;

    public static string ContactId(JsonElement e) => e.GetProperty("contactid").GetString()!;
}
