using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Tagflow.Accounts;
using Tagflow.Data;
using Tagflow.Events;
using Tagflow.Tags;
using Tagflow.Wire;

namespace Tagflow.Contacts;

internal static partial class ContactsApi
{
    private static async Task<IResult> TagAsync(Body<TagRequest> body, ClaimsPrincipal user, Writes writes, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (email, given) = body.Value;
        if (string.IsNullOrWhiteSpace(email)) return WireResults.BadRequest("The key \"email\" is required: the address of the contact to tag.");
        if (given is not { Count: > 0 }) return WireResults.BadRequest("The key \"tagids\" is required: one tag id or a list of them.");
        var tagIds = given.Distinct().ToList();
        var accountId = user.AccountId();
        return await writes.RunAsync(accountId, async (db, cancellationToken) =>
        {
            if (await FindIdAsync(db, accountId, email, cancellationToken) is not { } contactId) return RefusedChange(WireErrors.EmailNotFound);
            if (await ManualTagErrorAsync(db, accountId, tagIds, cancellationToken) is { } error) return RefusedChange(error);
            var present = await db.ContactTags.Where(t => t.ContactId == contactId && tagIds.Contains(t.TagId)).Select(t => t.TagId).ToListAsync(cancellationToken);
            AddTags(db, accountId, contactId, tagIds, present, clock.GetUtcNow().UtcDateTime);
            return KeptChange(WireResults.True());
        }, cancellationToken);
    }

    private static async Task<IResult> UntagAsync(Body<UntagRequest> body, ClaimsPrincipal user, Writes writes, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (email, tagId) = body.Value;
        if (string.IsNullOrWhiteSpace(email)) return WireResults.BadRequest("The key \"email\" is required: the address of the contact to untag.");
        if (tagId is not { } id) return WireResults.BadRequest("The key \"tagid\" is required: the tag to remove.");
        return await RemoveTagAsync(user.AccountId(), email, id, checkManual: true, writes, clock, cancellationToken);
    }

    /// <summary>Removes a tag from the contact with this address (error 7 if there is none); a manual tag only, when <paramref name="checkManual"/>.</summary>
    internal static Task<IResult> RemoveTagAsync(long accountId, string email, long tagId, bool checkManual, Writes writes, TimeProvider clock, CancellationToken cancellationToken) =>
        writes.RunAsync(accountId, async (db, cancellationToken) =>
        {
            if (await FindIdAsync(db, accountId, email, cancellationToken) is not { } contactId) return RefusedChange(WireErrors.EmailNotFound);
            if (checkManual && await ManualTagErrorAsync(db, accountId, [tagId], cancellationToken) is { } error) return RefusedChange(error);
            await Taggings.RemoveAsync(db, accountId, contactId, tagId, clock.GetUtcNow().UtcDateTime, cancellationToken);
            return KeptChange(WireResults.True());
        }, cancellationToken);

    private static async Task<IResult> UnsubscribeAsync(Body<EmailRequest> body, ClaimsPrincipal user, HttpContext http, Writes writes, TimeProvider clock, CancellationToken cancellationToken)
    {
        var email = body.Value.Email;
        if (string.IsNullOrWhiteSpace(email)) return WireResults.BadRequest("The key \"email\" is required: the address to unsubscribe.");
        return await UnsubscribeContactAsync(user.AccountId(), email, ClientIp(http), writes, clock, cancellationToken);
    }

    /// <summary>Unsubscribes the contact with this address (error 7 if there is none); unsubscribing twice keeps the first time and address.</summary>
    internal static Task<IResult> UnsubscribeContactAsync(long accountId, string email, string ip, Writes writes, TimeProvider clock, CancellationToken cancellationToken) =>
        writes.RunAsync(accountId, async (db, cancellationToken) =>
        {
            if (await FindIdAsync(db, accountId, email, cancellationToken) is not { } contactId) return RefusedChange(WireErrors.EmailNotFound);
            await MarkUnsubscribedAsync(db, accountId, contactId, ip, clock.GetUtcNow().UtcDateTime, cancellationToken);
            return KeptChange(WireResults.True());
        }, cancellationToken);

    /// <summary>Unsubscribes a contact by id (an email's unsubscribe link); nothing if it is gone or unsubscribed already.</summary>
    internal static Task UnsubscribeByIdAsync(long accountId, long contactId, string ip, Writes writes, TimeProvider clock, CancellationToken cancellationToken) =>
        writes.RunAsync(accountId, async (db, cancellationToken) =>
        {
            await MarkUnsubscribedAsync(db, accountId, contactId, ip, clock.GetUtcNow().UtcDateTime, cancellationToken);
            return WriteOutcome<bool>.Kept(true);
        }, cancellationToken);

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
