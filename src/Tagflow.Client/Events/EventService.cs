using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Tagflow.Client.Http;

namespace Tagflow.Client;

/// <summary>What happened to a contact.</summary>
public enum ContactEventType
{
    /// <summary>A type this client does not know; see <see cref="ContactEvent.TypeName"/>.</summary>
    Unknown,
    /// <summary><c>contact.created</c>.</summary>
    ContactCreated,
    /// <summary><c>contact.updated</c>; <see cref="ContactEvent.Fields"/> names the changed keys.</summary>
    ContactUpdated,
    /// <summary><c>contact.unsubscribed</c>.</summary>
    ContactUnsubscribed,
    /// <summary><c>contact.deleted</c>.</summary>
    ContactDeleted,
    /// <summary><c>tag.added</c>; <see cref="ContactEvent.TagId"/> names the tag.</summary>
    TagAdded,
    /// <summary><c>tag.removed</c>; <see cref="ContactEvent.TagId"/> names the tag.</summary>
    TagRemoved,
}

/// <summary>One entry of Tagflow's event feed. Its <see cref="Id"/> is the cursor to continue after.</summary>
/// <param name="Id">The event id, increasing.</param>
/// <param name="Type">What happened.</param>
/// <param name="TypeName">The type as the server wrote it, such as <c>tag.added</c>.</param>
/// <param name="Time">When it happened.</param>
/// <param name="ContactId">The contact.</param>
/// <param name="TagId">The tag, for tag events.</param>
/// <param name="Fields">The changed keys, for <see cref="ContactEventType.ContactUpdated"/>.</param>
public sealed record ContactEvent(long Id, ContactEventType Type, string TypeName, DateTimeOffset Time, long ContactId, long? TagId, IReadOnlyList<string> Fields);

/// <summary>Tagflow: the feed of contact events (<c>GET /events</c>), for integrations that poll instead of receiving webhooks.</summary>
public sealed class EventService
{
    private const int ServerMaxLimit = 1000;
    private readonly KlickTippConnection _connection;

    internal EventService(KlickTippConnection connection) => _connection = connection;

    /// <summary>
    /// The events after <paramref name="after"/>, oldest first, page by page until the feed is caught up.
    /// Keep the last <see cref="ContactEvent.Id"/> you processed and pass it next time.
    /// </summary>
    /// <param name="after">The id of the last event already processed; 0 for the start of the feed.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    public async IAsyncEnumerable<ContactEvent> ListAsync(long after = 0, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // PageSize 0 turns paging off for contact lists; the feed always pages, as full as the server allows.
        var pageSize = _connection.Options.PageSize;
        var limit = pageSize is 0 or > ServerMaxLimit ? ServerMaxLimit : pageSize;
        while (true)
        {
            var path = $"events?after={after.ToString(CultureInfo.InvariantCulture)}&limit={limit.ToString(CultureInfo.InvariantCulture)}";
            var page = await _connection.SendAsync(new ApiCall(HttpMethod.Get, path), cancellationToken);
            var events = page.TryGetProperty("events", out var list) && list.ValueKind == JsonValueKind.Array ? list : default;
            var count = 0;
            if (events.ValueKind == JsonValueKind.Array)
            {
                foreach (var e in events.EnumerateArray())
                {
                    var parsed = Parse(e);
                    if (parsed.Id <= after) yield break; // a server that ignores `after` would repeat itself
                    count++;
                    yield return parsed;
                }
            }
            var cursor = Json.Text(page, "cursor");
            var next = cursor.Length > 0 ? Json.Id(cursor) : after;
            if (count < limit || next <= after) yield break;
            after = next;
        }
    }

    private static ContactEvent Parse(JsonElement e)
    {
        var typeName = Json.Text(e, "type");
        var fields = e.TryGetProperty("fields", out var f) && f.ValueKind == JsonValueKind.Array ? f.EnumerateArray().Select(Json.Text).ToList() : [];
        return new ContactEvent(Json.Id(Json.Text(e, "id")), ParseType(typeName), typeName, Json.UnixTime(Json.Text(e, "time")) ?? DateTimeOffset.UnixEpoch,
            Json.Id(Json.Text(e, "contactid")), Json.OptionalId(Json.Text(e, "tagid")), fields);
    }

    private static ContactEventType ParseType(string name) => name switch
    {
        "contact.created" => ContactEventType.ContactCreated,
        "contact.updated" => ContactEventType.ContactUpdated,
        "contact.unsubscribed" => ContactEventType.ContactUnsubscribed,
        "contact.deleted" => ContactEventType.ContactDeleted,
        "tag.added" => ContactEventType.TagAdded,
        "tag.removed" => ContactEventType.TagRemoved,
        _ => ContactEventType.Unknown,
    };
}
