using Microsoft.EntityFrameworkCore;
using Tagflow.Data;
using Tagflow.Events;

namespace Tagflow.Contacts;

/// <summary>What opening a confirmation link did.</summary>
internal enum LinkConfirmation
{
    /// <summary>The contact is subscribed (or its new address is its own), now or by an earlier open.</summary>
    Confirmed,

    /// <summary>A change of address whose address another contact has taken since the link went out.</summary>
    AddressTaken,
}

internal sealed partial class ContactChanges
{
    /// <summary>
    /// The first open of a confirmation link: subscribes the contact and records the confirmation
    /// (time, address, browser) apart from the sign-up proof; a link sent for a change of address
    /// makes the new address the contact's. A link opened twice at once, or whose contact is gone,
    /// changes nothing the second time.
    /// </summary>
    public async Task<LinkConfirmation> ConfirmAsync(ChangeOrigin origin, long tokenId, long contactId, CancellationToken cancellationToken)
    {
        var accountId = origin.AccountId;
        var taken = await writes.RunAsync(accountId, async (db, cancellationToken) =>
        {
            var row = await db.OptInTokens.SingleOrDefaultAsync(t => t.Id == tokenId && t.AccountId == accountId, cancellationToken);
            var contact = await db.Contacts.SingleOrDefaultAsync(c => c.Id == contactId && c.AccountId == accountId, cancellationToken);
            if (row is null || row.UsedAt is not null || contact is null) return WriteOutcome<bool>.Refused(false);
            var now = clock.GetUtcNow().UtcDateTime;
            row.UsedAt = now;
            if (row.NewEmail is not null)
                return await ChangeAddressAsync(db, contact, row, origin, now, cancellationToken) ? WriteOutcome<bool>.Kept(false) : WriteOutcome<bool>.Refused(true);
            // A pending contact, or one that unsubscribed and signed up again through a listbuilding key.
            if (contact.Status == ContactStatus.Pending || contact.Status == ContactStatus.Unsubscribed && row.Resubscribes)
            {
                if (contact.Status == ContactStatus.Unsubscribed) (contact.UnsubscribedAt, contact.UnsubscribedIp) = (null, "");
                contact.Status = ContactStatus.Subscribed;
                (contact.OptInAt, contact.OptInIp, contact.OptInUserAgent, contact.UpdatedAt) = (now, origin.Ip, origin.UserAgent, now);
                EventLog.Add(db, accountId, EventTypes.ContactSubscribed, contact.Id, now);
                await ConfirmedAsync(db, accountId, contact, contact.ListId, now, cancellationToken);
            }
            return WriteOutcome<bool>.Kept(false);
        }, cancellationToken);
        return taken ? LinkConfirmation.AddressTaken : LinkConfirmation.Confirmed;
    }

    /// <summary>
    /// A change of address confirmed from the new address: it becomes the contact's address, and the
    /// click is its proof. False if another contact has taken the address since the link was sent.
    /// </summary>
    private static async Task<bool> ChangeAddressAsync(TagflowDb db, Contact contact, OptIns.OptInToken token, ChangeOrigin origin, DateTime now, CancellationToken cancellationToken)
    {
        if (EmailAddress.Parse(token.NewEmail) is not { } address) return false;
        if (await db.Contacts.AnyAsync(c => c.AccountId == contact.AccountId && c.NormalizedEmail == address.Normalized && c.Id != contact.Id, cancellationToken))
            return false;
        (contact.Email, contact.NormalizedEmail) = (address.Address, address.Normalized);
        (contact.OptInAt, contact.OptInIp, contact.OptInUserAgent, contact.UpdatedAt) = (now, origin.Ip, origin.UserAgent, now);
        if (contact.Status == ContactStatus.Pending)
        {
            contact.Status = ContactStatus.Subscribed;
            EventLog.Add(db, contact.AccountId, EventTypes.ContactSubscribed, contact.Id, now);
        }
        EventLog.Add(db, contact.AccountId, EventTypes.ContactUpdated, contact.Id, now, fields: ["email"]);
        await AddressChangedAsync(db, contact, cancellationToken, exceptTokenId: token.Id);
        return true;
    }
}
