using Microsoft.EntityFrameworkCore;
using Tagflow.Contacts;
using Tagflow.Data;
using Tagflow.Events;

namespace Tagflow.Tags;

/// <summary>Tagging and untagging a contact inside a change, each with its event; for requests and the automation engine alike.</summary>
internal static class Taggings
{
    /// <summary>Adds a tag the contact does not have yet, with its <c>tag.added</c> event.</summary>
    public static void Add(TagflowDb db, long accountId, long contactId, long tagId, DateTime now)
    {
        db.AddRow(new ContactTag { ContactId = contactId, TagId = tagId, TaggedAt = now });
        EventLog.Add(db, accountId, EventTypes.TagAdded, contactId, now, tagId: tagId);
    }

    /// <summary>Tags the contact unless it has the tag already (which keeps its first tagging time and writes no event).</summary>
    public static async Task EnsureAsync(TagflowDb db, long accountId, long contactId, long tagId, DateTime now, CancellationToken cancellationToken)
    {
        if (!await db.ContactTags.AnyAsync(t => t.ContactId == contactId && t.TagId == tagId, cancellationToken))
            Add(db, accountId, contactId, tagId, now);
    }

    /// <summary>Removes a tag from the contact, with its <c>tag.removed</c> event if it had it.</summary>
    public static async Task RemoveAsync(TagflowDb db, long accountId, long contactId, long tagId, DateTime now, CancellationToken cancellationToken)
    {
        if (await db.ContactTags.Where(t => t.ContactId == contactId && t.TagId == tagId).ExecuteDeleteAsync(cancellationToken) > 0)
            EventLog.Add(db, accountId, EventTypes.TagRemoved, contactId, now, tagId: tagId);
    }

    /// <summary>Assigns the SmartTag with this key (created with <paramref name="name"/> on first use); answers its id.</summary>
    public static async Task<long> AssignSmartTagAsync(TagflowDb db, long accountId, long contactId, string key, string name, DateTime now, CancellationToken cancellationToken)
    {
        var tagId = await SmartTags.EnsureAsync(db, accountId, key, name, now, cancellationToken);
        await EnsureAsync(db, accountId, contactId, tagId, now, cancellationToken);
        return tagId;
    }
}
