using Microsoft.EntityFrameworkCore;
using Tagflow.Data;

namespace Tagflow.Events;

/// <summary>Adds event rows to the change being made (<see cref="TagflowDb.AddRow"/>), so an event exists exactly when its change does.</summary>
internal static class EventLog
{
    public static void Add(TagflowDb db, long accountId, string type, long contactId, DateTime now, long? tagId = null, IEnumerable<string>? fields = null) =>
        db.AddRow(new ContactEvent
        {
            AccountId = accountId,
            Type = type,
            ContactId = contactId,
            TagId = tagId,
            Fields = fields is null ? null : string.Join(',', fields),
            OccurredAt = now,
        });

    /// <summary>
    /// <c>tag.removed</c> for every contact that has the tag, in one statement, before the tag is deleted.
    /// (The table and column names are the same on SQLite and PostgreSQL.)
    /// </summary>
    public static Task<int> AddTagRemovedForAllAsync(TagflowDb db, long accountId, long tagId, DateTime now, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlAsync($"""
            INSERT INTO "Events" ("AccountId", "Type", "ContactId", "TagId", "OccurredAt")
            SELECT {accountId}, {EventTypes.TagRemoved}, "ContactId", "TagId", {now} FROM "ContactTags"
            WHERE "TagId" = {tagId} ORDER BY "ContactId"
            """, cancellationToken);

    /// <summary><c>contact.updated</c> for every contact with a value in the field, in one statement, before the values are deleted.</summary>
    public static Task<int> AddFieldClearedForAllAsync(TagflowDb db, long accountId, string key, DateTime now, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlAsync($"""
            INSERT INTO "Events" ("AccountId", "Type", "ContactId", "Fields", "OccurredAt")
            SELECT {accountId}, {EventTypes.ContactUpdated}, "ContactId", "Key", {now} FROM "ContactFields"
            WHERE "Key" = {key} ORDER BY "ContactId"
            """, cancellationToken);
}
