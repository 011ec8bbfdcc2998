using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Tagflow.Client.Http;

namespace Tagflow.Client;

/// <summary>Contacts (<c>/subscriber</c>): add or update, read, change, tag, untag, unsubscribe, delete, list.</summary>
public sealed class ContactService
{
    private readonly KlickTippConnection _connection;

    internal ContactService(KlickTippConnection connection) => _connection = connection;

    /// <summary>
    /// Adds a contact, or updates the one with this email address (<c>POST /subscriber</c>). Retried after
    /// a server error or timeout: a second run finds the contact and sets the same values.
    /// </summary>
    /// <param name="options">The email address and/or SMS number, and what to set.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The contact as stored.</returns>
    /// <exception cref="KlickTippException">Refused, for example with error 4 (unsubscribed), 5 (invalid email address) or 8 (invalid field value).</exception>
    public async Task<Contact> AddOrUpdateAsync(ContactAddOrUpdateOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var body = new JsonObject();
        if (options.Email is not null) body["email"] = options.Email;
        if (options.SmsNumber is not null) body["smsnumber"] = options.SmsNumber;
        if (options.OptInProcessId is { } listId) body["listid"] = listId;
        if (options.TagId is { } tagId) body["tagid"] = tagId;
        if (options.Fields is { Count: > 0 } fields) body["fields"] = FieldsJson(fields);
        // The time zone first: failing to learn it after the write would report a stored contact as a failure.
        var timeZone = await _connection.TimeZoneAsync(cancellationToken);
        var answer = await _connection.SendAsync(new ApiCall(HttpMethod.Post, "subscriber", body), cancellationToken);
        return Contact.FromWire(answer, timeZone);
    }

    /// <summary>Reads a contact with every field, tag and activity (<c>GET /subscriber/{id}</c>).</summary>
    /// <param name="id">The contact id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="KlickTippException">With <see cref="KlickTippErrorKind.NotFound"/> when there is no such contact.</exception>
    public async Task<Contact> GetAsync(long id, CancellationToken cancellationToken = default)
    {
        var timeZone = await _connection.TimeZoneAsync(cancellationToken);
        var answer = await _connection.SendAsync(new ApiCall(HttpMethod.Get, "subscriber/" + Json.IdText(id)), cancellationToken);
        return Contact.FromWire(answer, timeZone);
    }

    /// <summary>Changes a contact's fields, email address or SMS number (<c>PUT /subscriber/{id}</c>).</summary>
    /// <param name="id">The contact id.</param>
    /// <param name="options">What to change.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="KlickTippException">Refused, for example with error 507 (the new address belongs to another contact).</exception>
    public async Task UpdateAsync(long id, ContactUpdateOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var body = new JsonObject();
        if (options.Fields is { Count: > 0 } fields) body["fields"] = FieldsJson(fields);
        if (options.NewEmail is not null) body["newemail"] = options.NewEmail;
        if (options.NewSmsNumber is not null) body["newsmsnumber"] = options.NewSmsNumber;
        await _connection.SendAsync(new ApiCall(HttpMethod.Put, "subscriber/" + Json.IdText(id), body), cancellationToken);
    }

    /// <summary>Deletes a contact (<c>DELETE /subscriber/{id}</c>).</summary>
    /// <param name="id">The contact id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task DeleteAsync(long id, CancellationToken cancellationToken = default) =>
        await _connection.SendAsync(new ApiCall(HttpMethod.Delete, "subscriber/" + Json.IdText(id)), cancellationToken);

    /// <summary>Finds the id of the contact with this email address (<c>POST /subscriber/search</c>).</summary>
    /// <param name="email">The email address.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="KlickTippException">When no contact has the address (404, or 406 with error 7).</exception>
    public async Task<long> SearchAsync(string email, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(email);
        var answer = await _connection.SendAsync(new ApiCall(HttpMethod.Post, "subscriber/search", new JsonObject { ["email"] = email }), cancellationToken);
        return Json.Id(Json.Single(answer));
    }

    /// <summary>Adds manual tags to the contact with this email address (<c>POST /subscriber/tag</c>); tags it already has stay as they are.</summary>
    /// <param name="email">The contact's email address.</param>
    /// <param name="tagIds">The tags to add.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="KlickTippException">Refused with error 403 (no such tag) or 31 (a SmartTag).</exception>
    public async Task TagAsync(string email, IReadOnlyCollection<long> tagIds, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(email);
        ArgumentNullException.ThrowIfNull(tagIds);
        if (tagIds.Count == 0) throw new ArgumentException("Name at least one tag.", nameof(tagIds));
        var body = new JsonObject { ["email"] = email, ["tagids"] = new JsonArray([.. tagIds.Select(id => JsonValue.Create(id))]) };
        await _connection.SendAsync(new ApiCall(HttpMethod.Post, "subscriber/tag", body), cancellationToken);
    }

    /// <summary>Removes a manual tag from the contact with this email address (<c>POST /subscriber/untag</c>).</summary>
    /// <param name="email">The contact's email address.</param>
    /// <param name="tagId">The tag to remove.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task UntagAsync(string email, long tagId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(email);
        await _connection.SendAsync(new ApiCall(HttpMethod.Post, "subscriber/untag", new JsonObject { ["email"] = email, ["tagid"] = tagId }), cancellationToken);
    }

    /// <summary>Unsubscribes the contact with this email address (<c>POST /subscriber/unsubscribe</c>); it cannot be subscribed again through the API.</summary>
    /// <param name="email">The contact's email address.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task UnsubscribeAsync(string email, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(email);
        await _connection.SendAsync(new ApiCall(HttpMethod.Post, "subscriber/unsubscribe", new JsonObject { ["email"] = email }), cancellationToken);
    }

    /// <summary>
    /// Sends the confirmation email of a pending contact again (<c>POST /subscriber/resend</c>). Not retried
    /// after a server error or timeout, so that the contact does not get it twice.
    /// </summary>
    /// <param name="email">The contact's email address.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task ResendAsync(string email, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(email);
        await _connection.SendAsync(new ApiCall(HttpMethod.Post, "subscriber/resend", new JsonObject { ["email"] = email }, Repeat: Repeat.OnlyIfNotReceived), cancellationToken);
    }

    /// <summary>
    /// Contact ids, streamed (<c>GET /subscriber</c>), in pages of <see cref="KlickTippClientOptions.PageSize"/>
    /// where the server pages. Ids are read as they arrive, so millions of them never sit in memory at once.
    /// </summary>
    /// <param name="filter">
    /// Which contacts; when <see langword="null"/>, the server's default: Subscribed contacts that did not
    /// hard-bounce. <see cref="ContactFilter.Everyone"/> lists them all.
    /// </param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    public IAsyncEnumerable<long> ListAsync(ContactFilter? filter = null, CancellationToken cancellationToken = default) =>
        PagedAsync(after => new ApiCall(HttpMethod.Get, "subscriber" + ListQuery(filter, after)), cancellationToken)
            .Select(entry => Json.Id(entry.Value));

    /// <summary>
    /// The contacts that carry a tag, with the time of tagging, streamed (<c>POST /subscriber/tagged</c>) and
    /// paged like <see cref="ListAsync"/>.
    /// </summary>
    /// <param name="tagId">The tag.</param>
    /// <param name="filter">
    /// Which contacts; when <see langword="null"/>, the server's default: Subscribed contacts that did not
    /// hard-bounce. <see cref="ContactFilter.Everyone"/> lists them all.
    /// </param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <exception cref="KlickTippException">Refused with error 403 when there is no such tag.</exception>
    public IAsyncEnumerable<TaggedContact> TaggedAsync(long tagId, ContactFilter? filter = null, CancellationToken cancellationToken = default) =>
        PagedAsync(after => new ApiCall(HttpMethod.Post, "subscriber/tagged", TaggedBody(tagId, filter, after)), cancellationToken)
            .Select(entry => new TaggedContact(Json.Id(entry.Key ?? ""), Json.UnixTime(entry.Value) ?? DateTimeOffset.UnixEpoch));

    /// <summary>
    /// Pages by contact id: each request asks for <c>limit</c> entries <c>after</c> the highest id seen, until
    /// a page is empty. A short page is not taken as the last, since a server may cap <c>limit</c> lower
    /// than asked; one empty request more is cheaper than a silently cut list. A server that ignores paging
    /// answers everything at once: more entries than asked for, or (asked again) ids not after the cursor;
    /// either ends the enumeration without duplicates.
    /// </summary>
    private async IAsyncEnumerable<KeyValuePair<string?, string>> PagedAsync(Func<long?, ApiCall> call, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var pageSize = _connection.Options.PageSize;
        long? after = null;
        while (true)
        {
            using var response = await _connection.SendAsync(call(after), HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            var count = 0;
            var highest = after ?? long.MinValue;
            await foreach (var entry in JsonStream.ReadEntriesAsync(stream, cancellationToken))
            {
                var id = Json.Id(entry.Key ?? entry.Value);
                if (after is { } cursor && id <= cursor) yield break;
                count++;
                highest = Math.Max(highest, id);
                yield return entry;
            }
            if (pageSize == 0 || count == 0 || count > pageSize) yield break;
            after = highest;
        }
    }

    private string ListQuery(ContactFilter? filter, long? after)
    {
        var query = new List<string>();
        if (filter is { Statuses.Count: > 0 }) query.Add("status=" + string.Join(",", filter.Statuses.Select(StatusWire.Filter)));
        if (filter is { BounceStatuses.Count: > 0 }) query.Add("bounceStatus=" + string.Join(",", filter.BounceStatuses.Select(StatusWire.Filter)));
        if (_connection.Options.PageSize > 0) query.Add("limit=" + _connection.Options.PageSize.ToString(CultureInfo.InvariantCulture));
        if (after is { } cursor) query.Add("after=" + Json.IdText(cursor));
        return query.Count == 0 ? "" : "?" + string.Join("&", query);
    }

    private JsonObject TaggedBody(long tagId, ContactFilter? filter, long? after)
    {
        var body = new JsonObject { ["tagid"] = tagId };
        if (filter is { Statuses.Count: > 0 }) body["status"] = new JsonArray([.. filter.Statuses.Select(s => JsonValue.Create(StatusWire.Filter(s)))]);
        if (filter is { BounceStatuses.Count: > 0 }) body["bounceStatus"] = new JsonArray([.. filter.BounceStatuses.Select(s => JsonValue.Create(StatusWire.Filter(s)))]);
        if (_connection.Options.PageSize > 0) body["limit"] = _connection.Options.PageSize;
        if (after is { } cursor) body["after"] = cursor;
        return body;
    }

    internal static JsonObject FieldsJson(FieldValues fields)
    {
        var json = new JsonObject();
        foreach (var (key, value) in fields)
            json[key] = value;
        return json;
    }
}
