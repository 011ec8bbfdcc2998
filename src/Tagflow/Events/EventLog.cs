using Tagflow.Data;

namespace Tagflow.Events;

/// <summary>Adds event rows to the change being saved, so an event exists exactly when its change does.</summary>
internal static class EventLog
{
    public static void Add(TagflowDb db, long accountId, string type, long contactId, DateTime now, long? tagId = null, IEnumerable<string>? fields = null) =>
        db.Events.Add(new ContactEvent
        {
            AccountId = accountId,
            Type = type,
            ContactId = contactId,
            TagId = tagId,
            Fields = fields is null ? null : string.Join(',', fields),
            OccurredAt = now,
        });
}
