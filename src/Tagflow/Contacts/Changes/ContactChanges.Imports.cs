using Microsoft.EntityFrameworkCore;
using NpgsqlTypes;
using Tagflow.Data;
using Tagflow.Events;
using Tagflow.Tags;
using Tagflow.Wire;

namespace Tagflow.Contacts;

/// <summary>What one batch of an import did.</summary>
internal sealed class ImportTally
{
    public int Created { get; set; }
    public int Updated { get; set; }
    public int Unchanged { get; set; }
    public int Skipped { get; set; }
    public List<ImportProblem> Refused { get; } = [];
}

/// <summary>
/// The tag ids an import has looked up or created, by normalized name and by opt-in process; kept for
/// the whole import, and checked at the start of each batch: a tag deleted meanwhile is looked up (or
/// created) again.
/// </summary>
internal sealed class ImportTagIds
{
    public Dictionary<string, long> Manual { get; } = new(StringComparer.Ordinal);
    public Dictionary<long, long> OptInConfirmed { get; } = [];

    /// <summary>Forgets the ids of tags the account no longer has.</summary>
    public async Task ForgetDeletedAsync(TagflowDb db, long accountId, CancellationToken cancellationToken)
    {
        var ids = Manual.Values.Concat(OptInConfirmed.Values).ToList();
        if (ids.Count == 0) return;
        var present = (await db.Tags.Where(t => t.AccountId == accountId && ids.Contains(t.Id)).Select(t => t.Id).ToListAsync(cancellationToken)).ToHashSet();
        foreach (var (name, _) in Manual.Where(e => !present.Contains(e.Value)).ToList()) Manual.Remove(name);
        foreach (var (process, _) in OptInConfirmed.Where(e => !present.Contains(e.Value)).ToList()) OptInConfirmed.Remove(process);
    }
}

internal sealed partial class ContactChanges
{
    private static readonly BulkTable ContactsTable = new("Contacts",
        new("Id", NpgsqlDbType.Bigint), new("AccountId", NpgsqlDbType.Bigint), new("Email", NpgsqlDbType.Varchar), new("NormalizedEmail", NpgsqlDbType.Varchar),
        new("SmsPhone", NpgsqlDbType.Varchar), new("ListId", NpgsqlDbType.Bigint), new("Status", NpgsqlDbType.Varchar), new("Bounce", NpgsqlDbType.Varchar),
        new("SignupAt", NpgsqlDbType.TimestampTz), new("SignupIp", NpgsqlDbType.Varchar), new("SignupSource", NpgsqlDbType.Varchar),
        new("OptInAt", NpgsqlDbType.TimestampTz), new("OptInIp", NpgsqlDbType.Varchar), new("OptInUserAgent", NpgsqlDbType.Varchar),
        new("UnsubscribedAt", NpgsqlDbType.TimestampTz), new("UnsubscribedIp", NpgsqlDbType.Varchar), new("SmsSignupAt", NpgsqlDbType.TimestampTz),
        new("HasCampaignActivity", NpgsqlDbType.Boolean), new("CreatedAt", NpgsqlDbType.TimestampTz), new("UpdatedAt", NpgsqlDbType.TimestampTz));

    private static readonly BulkTable FieldsTable = new("ContactFields",
        new("ContactId", NpgsqlDbType.Bigint), new("Key", NpgsqlDbType.Varchar), new("Value", NpgsqlDbType.Text));

    private static readonly BulkTable TagsTable = new("ContactTags",
        new("ContactId", NpgsqlDbType.Bigint), new("TagId", NpgsqlDbType.Bigint), new("TaggedAt", NpgsqlDbType.TimestampTz));

    private static readonly BulkTable EventsTable = new("Events",
        new("AccountId", NpgsqlDbType.Bigint), new("Type", NpgsqlDbType.Varchar), new("ContactId", NpgsqlDbType.Bigint), new("TagId", NpgsqlDbType.Bigint),
        new("Fields", NpgsqlDbType.Text), new("OccurredAt", NpgsqlDbType.TimestampTz), new("SkipsAutomations", NpgsqlDbType.Boolean));

    /// <summary>At most this many values in one IN list of a lookup.</summary>
    private const int LookupChunk = 100;

    /// <summary>
    /// Imports a batch of checked rows in one change under the account's writer, by the API's rules:
    /// a new address becomes a contact with the file's status and consent and gets no confirmation
    /// email; an existing one gets the file's values and tags (unless <see cref="ExistingContacts.Skip"/>),
    /// is confirmed or unsubscribed when the file says so, and is never subscribed again once
    /// unsubscribed. Events are written as for the API (without automations when the import says
    /// so). <paramref name="checkpoint"/> runs first, in the same transaction, and again with the
    /// tally once the rows are written; the batch and its checkpoint commit together.
    /// </summary>
    /// <remarks>
    /// New contacts, their values, tags and events are written in bulk (<see cref="BulkInsert"/>),
    /// with ids taken before the insert; rows of addresses that exist go through the change tracker.
    /// The caller makes sure no address or SMS number appears twice in a batch.
    /// </remarks>
    public async Task<ImportTally> ImportAsync(ChangeOrigin origin, IReadOnlyList<ImportRow> rows, ImportOptions options, ImportTagIds tagIds,
        Func<TagflowDb, ImportTally?, CancellationToken, Task> checkpoint, CancellationToken cancellationToken)
    {
        var accountId = origin.AccountId;
        await using var write = await writes.BeginAsync(accountId, cancellationToken);
        await checkpoint(db, null, cancellationToken); // a write first: on SQLite it takes the database's write lock for the batch
        await tagIds.ForgetDeletedAsync(db, accountId, cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        var tally = new ImportTally();
        var skips = !options.StartAutomations;

        var byEmail = await LookupAsync(db, accountId, rows.Where(r => r.Email is not null).Select(r => r.Email!.Normalized), bySms: false, cancellationToken);
        var bySms = await LookupAsync(db, accountId, rows.Where(r => r.Sms is not null).Select(r => r.Sms!), bySms: true, cancellationToken);

        var fresh = new List<ImportRow>();
        var existing = new List<(ImportRow Row, Contact Contact)>();
        foreach (var row in rows)
        {
            var found = row.Email is not null ? byEmail.GetValueOrDefault(row.Email.Normalized) : null;
            var holder = row.Sms is not null ? bySms.GetValueOrDefault(row.Sms) : null;
            if (found is not null && holder is not null && holder.Id != found.Id
                || found is null && holder is not null && row.Email is not null && holder.NormalizedEmail is not null)
            {
                tally.Refused.Add(ImportRows.Problem(row.Line, TransferColumns.SmsPhone, WireErrors.SmsNumberTaken));
                continue;
            }
            if ((found ?? holder) is { } contact) existing.Add((row, contact));
            else fresh.Add(row);
        }

        var events = new List<object?[]>();
        await CreateAsync(db, accountId, fresh, tagIds, events, skips, now, cancellationToken);
        tally.Created = fresh.Count;
        if (options.Existing == ExistingContacts.Skip) tally.Skipped = existing.Count;
        else await UpdateAsync(db, accountId, existing, tagIds, events, skips, tally, now, cancellationToken);

        await db.SaveChangesAsync(cancellationToken);
        await BulkInsert.WriteAsync(db, EventsTable, events, cancellationToken);
        await checkpoint(db, tally, cancellationToken);
        await write.CommitAsync(cancellationToken, written: [typeof(Contact), typeof(ContactField), typeof(ContactTag), typeof(ContactEvent)]);
        db.ChangeTracker.Clear(); // the next batch starts afresh: what this one tracked would only slow it
        return tally;
    }

    /// <summary>
    /// The account's contacts with these addresses (or SMS numbers), untracked, by that key: their
    /// ids first (<see cref="BulkLookup"/>), then the contacts found, which in a new list are few.
    /// </summary>
    private static async Task<Dictionary<string, Contact>> LookupAsync(TagflowDb db, long accountId, IEnumerable<string> keys, bool bySms, CancellationToken cancellationToken)
    {
        var ids = await BulkLookup.IdsAsync(db, "Contacts", bySms ? "SmsPhone" : "NormalizedEmail", accountId, keys.ToHashSet(StringComparer.Ordinal), cancellationToken);
        var found = new Dictionary<string, Contact>(StringComparer.Ordinal);
        foreach (var chunk in ids.Values.Distinct().Chunk(LookupChunk))
        {
            // An IN list of parameters, not EF Core's translation of Contains (a JSON array, which SQLite reads less well).
            var sql = $"SELECT * FROM \"Contacts\" WHERE \"AccountId\" = {{0}} AND \"Id\" IN ({InList(chunk.Length, from: 1)})";
            foreach (var contact in await db.Contacts.FromSqlRaw(sql, [accountId, .. chunk.Cast<object>()]).AsNoTracking().ToListAsync(cancellationToken))
                found[bySms ? contact.SmsPhone! : contact.NormalizedEmail!] = contact;
        }
        return found;
    }

    /// <summary>Placeholders <c>{from}, {from+1}, …</c> for a raw SQL IN list of <paramref name="count"/> values.</summary>
    private static string InList(int count, int from) => string.Join(", ", Enumerable.Range(from, count).Select(i => $"{{{i}}}"));

    private static async Task CreateAsync(TagflowDb db, long accountId, List<ImportRow> rows, ImportTagIds tagIds, List<object?[]> events, bool skips,
        DateTime now, CancellationToken cancellationToken)
    {
        if (rows.Count == 0) return;
        var ids = await NewContactIdsAsync(db, rows.Count, cancellationToken);
        var contacts = new List<object?[]>(rows.Count);
        var values = new List<object?[]>();
        var tags = new List<object?[]>();
        for (var i = 0; i < rows.Count; i++)
        {
            var (row, id) = (rows[i], ids[i]);
            var status = row.NewStatus;
            var signupAt = row.SignupAt ?? row.OptInAt ?? now;
            var signupIp = row.SignupIp ?? "";
            DateTime? optInAt = status switch
            {
                ContactStatus.Subscribed => row.OptInAt ?? signupAt,
                ContactStatus.Unsubscribed => row.OptInAt,
                _ => null,
            };
            var optInIp = optInAt is null ? "" : row.OptInIp ?? (row.OptInAt is null ? signupIp : "");
            var unsubscribed = status == ContactStatus.Unsubscribed;
            contacts.Add([
                id, accountId, row.Email?.Address, row.Email?.Normalized, row.Sms, row.List.Id, status.ToString(), (row.Bounce ?? BounceStatus.None).ToString(),
                signupAt, signupIp, row.SignupSource ?? ChangeOrigin.ImportSource, optInAt, optInIp, "",
                unsubscribed ? row.UnsubscribedAt ?? now : null, unsubscribed ? row.UnsubscribedIp ?? "" : "", row.Sms is null ? null : signupAt,
                false, now, now,
            ]);
            events.Add(Event(accountId, EventTypes.ContactCreated, id, null, null, now, skips));
            foreach (var (key, value) in row.Fields) values.Add([id, key, value]);
            foreach (var tagId in await ManualTagIdsAsync(db, accountId, row.Tags, tagIds, now, cancellationToken))
            {
                tags.Add([id, tagId, now]);
                events.Add(Event(accountId, EventTypes.TagAdded, id, tagId, null, now, skips));
            }
            // The opt-in's SmartTag goes with its proof, as it stays on a contact that confirmed and later unsubscribed.
            if (optInAt is not null)
            {
                var optInTag = await OptInTagIdAsync(db, accountId, row.List.Id, tagIds, now, cancellationToken);
                tags.Add([id, optInTag, now]);
                events.Add(Event(accountId, EventTypes.TagAdded, id, optInTag, null, now, skips));
            }
        }
        await BulkInsert.WriteAsync(db, ContactsTable, contacts, cancellationToken);
        await BulkInsert.WriteAsync(db, FieldsTable, values, cancellationToken);
        await BulkInsert.WriteAsync(db, TagsTable, tags, cancellationToken);
    }

    /// <summary>
    /// Ids for new contacts, taken before they are inserted so that their values, tags and events can
    /// be written in bulk with them. On SQLite the batch holds the database's write lock (its
    /// checkpoint wrote first), so the next ids are free; PostgreSQL hands them out from the sequence.
    /// </summary>
    private static async Task<long[]> NewContactIdsAsync(TagflowDb db, int count, CancellationToken cancellationToken)
    {
        if (db is SqliteTagflowDb)
        {
            var last = await db.Database.SqlQueryRaw<long>("""
                SELECT MAX(v) AS "Value" FROM (SELECT COALESCE(MAX("Id"), 0) AS v FROM "Contacts" UNION ALL SELECT COALESCE(MAX("seq"), 0) FROM sqlite_sequence WHERE "name" = 'Contacts')
                """).SingleAsync(cancellationToken);
            return [.. Enumerable.Range(1, count).Select(i => last + i)];
        }
        return [.. await db.Database.SqlQueryRaw<long>("""
            SELECT nextval(pg_get_serial_sequence('"Contacts"', 'Id')) AS "Value" FROM generate_series(1, {0})
            """, count).ToListAsync(cancellationToken)];
    }

    private static async Task UpdateAsync(TagflowDb db, long accountId, List<(ImportRow Row, Contact Contact)> rows, ImportTagIds tagIds, List<object?[]> events,
        bool skips, ImportTally tally, DateTime now, CancellationToken cancellationToken)
    {
        if (rows.Count == 0) return;
        var ids = rows.Select(r => r.Contact.Id).Distinct().ToList();
        var stored = new Dictionary<long, Dictionary<string, ContactField>>();
        var tagged = new Dictionary<long, HashSet<long>>();
        foreach (var chunk in ids.Chunk(LookupChunk))
        {
            var values = chunk.Cast<object>().ToArray();
            var inList = InList(chunk.Length, from: 0);
            var fieldsSql = $"SELECT * FROM \"ContactFields\" WHERE \"ContactId\" IN ({inList})";
            var fields = db.ContactFields.FromSqlRaw(fieldsSql, values);
            foreach (var field in await fields.AsNoTracking().ToListAsync(cancellationToken))
                (stored.TryGetValue(field.ContactId, out var map) ? map : stored[field.ContactId] = new(StringComparer.Ordinal))[field.Key] = field;
            var tagsSql = $"SELECT * FROM \"ContactTags\" WHERE \"ContactId\" IN ({inList})";
            var tags = db.ContactTags.FromSqlRaw(tagsSql, values);
            foreach (var tag in await tags.AsNoTracking().ToListAsync(cancellationToken))
                (tagged.TryGetValue(tag.ContactId, out var set) ? set : tagged[tag.ContactId] = []).Add(tag.TagId);
        }

        // One instance per contact: rows found by address and by SMS number may be the same contact.
        var instances = new Dictionary<long, Contact>();
        foreach (var (row, found) in rows)
        {
            var id = found.Id;
            if (!instances.TryGetValue(id, out var contact))
            {
                instances[id] = contact = found;
                db.Contacts.Attach(contact);
            }
            if (contact.Status == ContactStatus.Unsubscribed && row.Status != ContactStatus.Unsubscribed)
            {
                tally.Refused.Add(ImportRows.Problem(row.Line, TransferColumns.Status, WireErrors.Unsubscribed));
                continue;
            }
            var before = (contact.Status, contact.Bounce);
            var changed = new List<string>();
            if (row.Email is not null && contact.NormalizedEmail is null)
            {
                (contact.Email, contact.NormalizedEmail) = (row.Email.Address, row.Email.Normalized);
                changed.Add("email");
            }
            if (row.Sms is not null && contact.SmsPhone != row.Sms)
            {
                (contact.SmsPhone, contact.SmsSignupAt) = (row.Sms, now);
                changed.Add("smsnumber");
            }
            var fields = stored.GetValueOrDefault(id);
            foreach (var (key, value) in row.Fields)
            {
                if (fields?.GetValueOrDefault(key) is { } field)
                {
                    if (field.Value == value) continue;
                    field.Value = value;
                    db.ContactFields.Update(field);
                }
                else db.ContactFields.Add((fields ??= stored[id] = new(StringComparer.Ordinal))[key] = new ContactField { ContactId = id, Key = key, Value = value });
                changed.Add(key);
            }
            if (changed.Count > 0) events.Add(Event(accountId, EventTypes.ContactUpdated, id, null, string.Join(',', changed), now, skips));

            var has = tagged.TryGetValue(id, out var set) ? set : tagged[id] = [];
            var tagsAdded = false;
            foreach (var tagId in await ManualTagIdsAsync(db, accountId, row.Tags, tagIds, now, cancellationToken))
                tagsAdded |= AddTag(db, accountId, id, tagId, has, events, skips, now);

            var subscribes = contact.Status == ContactStatus.Pending && (row.Status == ContactStatus.Subscribed || row.Status is null && row.OptInAt is not null);
            if (subscribes)
            {
                (contact.Status, contact.OptInAt, contact.OptInIp) = (ContactStatus.Subscribed, row.OptInAt ?? now, row.OptInIp ?? "");
                events.Add(Event(accountId, EventTypes.ContactSubscribed, id, null, null, now, skips));
                AddTag(db, accountId, id, await OptInTagIdAsync(db, accountId, contact.ListId, tagIds, now, cancellationToken), has, events, skips, now);
            }
            else if (row.Status == ContactStatus.Unsubscribed && contact.Status != ContactStatus.Unsubscribed)
            {
                (contact.Status, contact.UnsubscribedAt, contact.UnsubscribedIp) = (ContactStatus.Unsubscribed, row.UnsubscribedAt ?? now, row.UnsubscribedIp ?? "");
                events.Add(Event(accountId, EventTypes.ContactUnsubscribed, id, null, null, now, skips));
            }
            if (row.Bounce is { } bounce && contact.Bounce != bounce) contact.Bounce = bounce;

            // An unchanged contact stays tracked as unchanged: saving writes nothing for it.
            if (changed.Count > 0 || tagsAdded || (contact.Status, contact.Bounce) != before)
            {
                contact.UpdatedAt = now;
                tally.Updated++;
            }
            else tally.Unchanged++;
        }
    }

    /// <summary>Tags a contact that does not have the tag yet, with its event; false if it had it.</summary>
    private static bool AddTag(TagflowDb db, long accountId, long contactId, long tagId, HashSet<long> has, List<object?[]> events, bool skips, DateTime now)
    {
        if (!has.Add(tagId)) return false;
        db.ContactTags.Add(new ContactTag { ContactId = contactId, TagId = tagId, TaggedAt = now });
        events.Add(Event(accountId, EventTypes.TagAdded, contactId, tagId, null, now, skips));
        return true;
    }

    private static object?[] Event(long accountId, string type, long contactId, long? tagId, string? fields, DateTime now, bool skips) =>
        [accountId, type, contactId, tagId, fields, now, skips];

    /// <summary>The ids of the account's manual tags with these names; a name no tag has yet becomes a new manual tag.</summary>
    private static async Task<List<long>> ManualTagIdsAsync(TagflowDb db, long accountId, IReadOnlyList<string> names, ImportTagIds tagIds, DateTime now, CancellationToken cancellationToken)
    {
        var ids = new List<long>(names.Count);
        foreach (var name in names)
        {
            var normalized = Tag.Normalize(name);
            if (!tagIds.Manual.TryGetValue(normalized, out var id))
            {
                id = await db.Tags.Where(t => t.AccountId == accountId && t.NormalizedName == normalized && t.Kind == TagKind.Manual)
                    .Select(t => (long?)t.Id).SingleOrDefaultAsync(cancellationToken) ?? 0;
                if (id == 0)
                {
                    var tag = new Tag { AccountId = accountId, Name = name, NormalizedName = normalized, CreatedAt = now };
                    db.Tags.Add(tag);
                    await db.SaveChangesAsync(cancellationToken);
                    id = tag.Id;
                }
                tagIds.Manual[normalized] = id;
            }
            ids.Add(id);
        }
        return ids;
    }

    /// <summary>The SmartTag "Opt-in confirmed: X" of a process, created on first use.</summary>
    private static async Task<long> OptInTagIdAsync(TagflowDb db, long accountId, long processId, ImportTagIds tagIds, DateTime now, CancellationToken cancellationToken)
    {
        if (tagIds.OptInConfirmed.TryGetValue(processId, out var id)) return id;
        return tagIds.OptInConfirmed[processId] = await OptInConfirmedTagAsync(db, accountId, processId, now, cancellationToken);
    }
}
