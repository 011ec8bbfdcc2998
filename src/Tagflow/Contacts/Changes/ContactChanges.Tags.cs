using Microsoft.EntityFrameworkCore;
using Tagflow.Data;
using Tagflow.Events;
using Tagflow.Tags;
using Tagflow.Wire;

namespace Tagflow.Contacts;

internal sealed partial class ContactChanges
{
    /// <summary>Adds manual tags to the contact with this address (error 7 if there is none); a tag it has keeps its first tagging time.</summary>
    public Task<ContactResult<bool>> TagAsync(ChangeOrigin origin, string email, IReadOnlyCollection<long> tagIds, CancellationToken cancellationToken) =>
        TagAsync(origin, (db, cancellationToken) => ContactQueries.IdByAddressAsync(db, origin.AccountId, email, cancellationToken), WireErrors.EmailNotFound,
            tagIds, cancellationToken);

    /// <summary>Adds manual tags to the account's contact with this id (error 401 if there is none): the admin app's door.</summary>
    public Task<ContactResult<bool>> TagAsync(ChangeOrigin origin, long contactId, IReadOnlyCollection<long> tagIds, CancellationToken cancellationToken) =>
        TagAsync(origin, (db, cancellationToken) => IdOfAsync(db, origin.AccountId, contactId, cancellationToken), WireErrors.ContactNotFound,
            tagIds, cancellationToken);

    private Task<ContactResult<bool>> TagAsync(ChangeOrigin origin, Func<TagflowDb, CancellationToken, Task<long?>> find, int notFound,
        IReadOnlyCollection<long> tagIds, CancellationToken cancellationToken)
    {
        var accountId = origin.AccountId;
        var ids = tagIds.Distinct().ToList();
        return writes.RunAsync(accountId, async (db, cancellationToken) =>
        {
            if (await find(db, cancellationToken) is not { } contactId) return Refuse<bool>(notFound);
            if (await ManualTagErrorAsync(db, accountId, ids, cancellationToken) is { } error) return Refuse<bool>(error);
            var present = await db.ContactTags.Where(t => t.ContactId == contactId && ids.Contains(t.TagId)).Select(t => t.TagId).ToListAsync(cancellationToken);
            AddTags(db, accountId, contactId, ids, present, clock.GetUtcNow().UtcDateTime);
            return Keep(true);
        }, cancellationToken);
    }

    /// <summary>Removes a manual tag from the account's contact with this id (error 401 if there is none, 31 for a SmartTag): the admin app's door.</summary>
    public Task<ContactResult<bool>> UntagAsync(ChangeOrigin origin, long contactId, long tagId, CancellationToken cancellationToken)
    {
        var accountId = origin.AccountId;
        return writes.RunAsync(accountId, async (db, cancellationToken) =>
        {
            if (await IdOfAsync(db, accountId, contactId, cancellationToken) is null) return Refuse<bool>(WireErrors.ContactNotFound);
            if (await ManualTagErrorAsync(db, accountId, [tagId], cancellationToken) is { } error) return Refuse<bool>(error);
            await Taggings.RemoveAsync(db, accountId, contactId, tagId, clock.GetUtcNow().UtcDateTime, cancellationToken);
            return Keep(true);
        }, cancellationToken);
    }

    /// <summary>The id if the account has such a contact, else null.</summary>
    private static async Task<long?> IdOfAsync(TagflowDb db, long accountId, long contactId, CancellationToken cancellationToken) =>
        await db.Contacts.AnyAsync(c => c.Id == contactId && c.AccountId == accountId, cancellationToken) ? contactId : null;

    /// <summary>Removes a tag from the contact with this address (error 7 if there is none); a manual tag only, when <paramref name="manualOnly"/>.</summary>
    public Task<ContactResult<bool>> UntagAsync(ChangeOrigin origin, string email, long tagId, bool manualOnly, CancellationToken cancellationToken)
    {
        var accountId = origin.AccountId;
        return writes.RunAsync(accountId, async (db, cancellationToken) =>
        {
            if (await ContactQueries.IdByAddressAsync(db, accountId, email, cancellationToken) is not { } contactId) return Refuse<bool>(WireErrors.EmailNotFound);
            if (manualOnly && await ManualTagErrorAsync(db, accountId, [tagId], cancellationToken) is { } error) return Refuse<bool>(error);
            await Taggings.RemoveAsync(db, accountId, contactId, tagId, clock.GetUtcNow().UtcDateTime, cancellationToken);
            return Keep(true);
        }, cancellationToken);
    }

    /// <summary>Unsubscribes the contact with this address (error 7 if there is none); unsubscribing twice keeps the first time and address.</summary>
    public Task<ContactResult<bool>> UnsubscribeAsync(ChangeOrigin origin, string email, CancellationToken cancellationToken)
    {
        var accountId = origin.AccountId;
        return writes.RunAsync(accountId, async (db, cancellationToken) =>
        {
            if (await ContactQueries.IdByAddressAsync(db, accountId, email, cancellationToken) is not { } contactId) return Refuse<bool>(WireErrors.EmailNotFound);
            await MarkUnsubscribedAsync(db, accountId, contactId, origin.Ip, clock.GetUtcNow().UtcDateTime, cancellationToken);
            return Keep(true);
        }, cancellationToken);
    }

    /// <summary>Unsubscribes a contact by id (an email's unsubscribe link); nothing if it is gone or unsubscribed already.</summary>
    public Task<ContactResult<bool>> UnsubscribeAsync(ChangeOrigin origin, long contactId, CancellationToken cancellationToken)
    {
        var accountId = origin.AccountId;
        return writes.RunAsync(accountId, async (db, cancellationToken) =>
        {
            await MarkUnsubscribedAsync(db, accountId, contactId, origin.Ip, clock.GetUtcNow().UtcDateTime, cancellationToken);
            return Keep(true);
        }, cancellationToken);
    }

    private static async Task MarkUnsubscribedAsync(TagflowDb db, long accountId, long contactId, string ip, DateTime now, CancellationToken cancellationToken)
    {
        var changed = await db.Contacts
            .Where(c => c.Id == contactId && c.AccountId == accountId && c.Status != ContactStatus.Unsubscribed)
            .ExecuteUpdateAsync(s => s
                .SetProperty(c => c.Status, ContactStatus.Unsubscribed)
                .SetProperty(c => c.UnsubscribedAt, now)
                .SetProperty(c => c.UnsubscribedIp, ip)
                .SetProperty(c => c.UpdatedAt, now), cancellationToken);
        if (changed > 0) EventLog.Add(db, accountId, EventTypes.ContactUnsubscribed, contactId, now);
    }

    /// <summary>
    /// Error 403 if a tag is not the account's, 31 if it is a SmartTag; null if all are manual tags of
    /// the account. Asked inside the change, under the account's writer, so that a tag deleted a
    /// moment before is refused and not left to the foreign key (a 500).
    /// </summary>
    private static async Task<int?> ManualTagErrorAsync(TagflowDb db, long accountId, List<long> tagIds, CancellationToken cancellationToken)
    {
        var ids = tagIds.Distinct().ToList();
        var kinds = await db.Tags.Where(t => t.AccountId == accountId && ids.Contains(t.Id)).Select(t => t.Kind).ToListAsync(cancellationToken);
        if (kinds.Count != ids.Count) return WireErrors.TagNotFound;
        return kinds.Any(k => k != TagKind.Manual) ? WireErrors.SmartTag : null;
    }

    /// <summary>Tags a contact; a tag it already has keeps its first tagging time and writes no event. Answers the tags added.</summary>
    private static List<long> AddTags(TagflowDb db, long accountId, long contactId, List<long> tagIds, IReadOnlyCollection<long> present, DateTime now)
    {
        var added = tagIds.Distinct().Except(present).ToList();
        foreach (var tagId in added) Taggings.Add(db, accountId, contactId, tagId, now);
        return added;
    }
}
