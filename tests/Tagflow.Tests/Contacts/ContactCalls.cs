using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Tagflow.Tests.Infrastructure;
using Tagflow.Tests.Tags;

namespace Tagflow.Tests.Contacts;

/// <summary>The contact calls tests make again and again, made as a client makes them and checked for success.</summary>
internal static class ContactCalls
{
    /// <summary>POST /subscriber with a JSON body; answers the contact object.</summary>
    public static async Task<JsonElement> AddAsync(HttpClient client, object body) =>
        await WireAssert.OkAsync(await client.PostAsJsonAsync("/subscriber", body));

    /// <summary>Adds (or finds) the contact with this address; answers its id.</summary>
    public static async Task<string> AddIdAsync(HttpClient client, string email) =>
        Text(await AddAsync(client, new { email }), "id");

    public static async Task<JsonElement> GetAsync(HttpClient client, string id) =>
        await WireAssert.OkAsync(await client.GetAsync($"/subscriber/{id}"));

    /// <summary>GET /subscriber with an optional query; asserts a JSON array of id strings and answers it.</summary>
    public static async Task<string[]> ListAsync(HttpClient client, string query = "")
    {
        var ids = await WireAssert.OkAsync(await client.GetAsync("/subscriber" + query));
        Assert.Equal(JsonValueKind.Array, ids.ValueKind);
        Assert.All(ids.EnumerateArray(), id => Assert.Equal(JsonValueKind.String, id.ValueKind));
        return [.. ids.EnumerateArray().Select(id => id.GetString()!)];
    }

    /// <summary>Every subscription status: without one, the lists answer Subscribed contacts only (KlickTipp's default).</summary>
    public const string AllStatuses = "pending,subscribed,unsubscribed";

    /// <summary>GET /subscriber of every status, with an optional query of more filters or paging.</summary>
    public static Task<string[]> ListAllAsync(HttpClient client, string query = "") =>
        ListAsync(client, (query.Length == 0 ? "?" : query + "&") + "status=" + AllStatuses);

    /// <summary>POST /subscriber/tagged; asserts a map of strings and answers its entries in the answer's order.</summary>
    public static async Task<(string Id, string Time)[]> TaggedAsync(HttpClient client, object body)
    {
        var map = await WireAssert.OkAsync(await client.PostAsJsonAsync("/subscriber/tagged", body));
        Assert.Equal(JsonValueKind.Object, map.ValueKind);
        Assert.All(map.EnumerateObject(), e => Assert.Equal(JsonValueKind.String, e.Value.ValueKind));
        return [.. map.EnumerateObject().Select(e => (e.Name, e.Value.GetString()!))];
    }

    /// <summary>POST /subscriber/search; asserts the id comes as a JSON number in a list of one and answers it.</summary>
    public static async Task<string> SearchAsync(HttpClient client, string email)
    {
        var answer = await WireAssert.OkAsync(await client.PostAsJsonAsync("/subscriber/search", new { email }));
        var id = Assert.Single(answer.EnumerateArray());
        Assert.Equal(JsonValueKind.Number, id.ValueKind);
        return Id(id.GetInt64());
    }

    public static async Task TagAsync(HttpClient client, string email, params long[] tagids) =>
        await AssertTrueAsync(await client.PostAsJsonAsync("/subscriber/tag", new { email, tagids }));

    public static async Task UntagAsync(HttpClient client, string email, long tagid) =>
        await AssertTrueAsync(await client.PostAsJsonAsync("/subscriber/untag", new { email, tagid }));

    public static async Task UnsubscribeAsync(HttpClient client, string email) =>
        await AssertTrueAsync(await client.PostAsJsonAsync("/subscriber/unsubscribe", new { email }));

    public static Task<long> CreateTagAsync(HttpClient client, string name) => TagApiTests.CreateAsync(client, new { name });

    /// <summary>POST /field; answers the new field's key (<c>field12</c>).</summary>
    public static async Task<string> CreateFieldAsync(HttpClient client, string name, string type)
    {
        var answer = await WireAssert.OkAsync(await client.PostAsJsonAsync("/field", new { name, type }));
        var key = Assert.Single(answer.EnumerateArray()).GetString()!;
        Assert.Matches("^field[0-9]+$", key);
        return key;
    }

    /// <summary>The id of the account's predefined opt-in process (its only one unless a test adds more).</summary>
    public static async Task<string> PredefinedListIdAsync(HttpClient client) =>
        (await WireAssert.OkAsync(await client.GetAsync("/list"))).EnumerateObject().Single(l => l.Value.GetString() == "").Name;

    /// <summary>The account's event feed after a cursor, each event reduced to what tests compare.</summary>
    public static async Task<ContactEventView[]> EventsAsync(HttpClient client, long after = 0)
    {
        var feed = await WireAssert.OkAsync(await client.GetAsync($"/events?after={Id(after)}&limit=1000"));
        return [.. feed.GetProperty("events").EnumerateArray().Select(ContactEventView.Of)];
    }

    public static async Task AssertTrueAsync(HttpResponseMessage response) =>
        Assert.True(Assert.Single((await WireAssert.OkAsync(response)).EnumerateArray()).GetBoolean());

    /// <summary>A string value of the contact object.</summary>
    public static string Text(JsonElement contact, string key) => contact.GetProperty(key).GetString()!;

    public static string[] TagIds(JsonElement contact) => [.. contact.GetProperty("tags").EnumerateArray().Select(t => t.GetString()!)];

    /// <summary>One of the contact object's maps (<c>manual_tags</c>, <c>smart_tags</c>, …).</summary>
    public static Dictionary<string, string> Map(JsonElement contact, string key) =>
        contact.GetProperty(key).EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);

    public static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

    /// <summary>The test clock's present moment as the wire writes tagging times.</summary>
    public static string UnixNow(TagflowHost host) => Id(host.Clock.GetUtcNow().ToUnixTimeSeconds());
}

/// <summary>An event of GET /events as tests compare it: the changed keys sorted and comma-joined.</summary>
internal sealed record ContactEventView(string Type, string ContactId, string TagId = "", string Fields = "")
{
    public static ContactEventView Of(JsonElement e) => new(
        e.GetProperty("type").GetString()!,
        e.GetProperty("contactid").GetString()!,
        e.GetProperty("tagid").GetString()!,
        string.Join(',', e.GetProperty("fields").EnumerateArray().Select(f => f.GetString()!).Order(StringComparer.Ordinal)));
}
