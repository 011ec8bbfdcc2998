using Microsoft.EntityFrameworkCore;
using Tagflow.Bounces;
using Tagflow.Data;
using Tagflow.Events;
using Tagflow.Tags;

namespace Tagflow.Contacts;

/// <summary>What a bounce or complaint that came back did.</summary>
internal enum BounceOutcome
{
    /// <summary>Recorded for its contact, with what it does.</summary>
    Recorded,

    /// <summary>The same report for the same email was recorded before: nothing changed.</summary>
    Repeated,

    /// <summary>No token of this server's for a contact's current address: nothing changed.</summary>
    NoMatch,
}

internal sealed partial class ContactChanges
{
    /// <summary>
    /// A bounce or complaint for the email its token names (the first of the report's tokens that
    /// this server signed for the address its contact has now; a token for no contact (0) finds it by
    /// the report's recipient). A hard bounce marks the contact Hard Bounce; a soft one Soft Bounce,
    /// and the <see cref="BounceSettings.SoftLimit"/>th within <see cref="BounceSettings.SoftDays"/>
    /// days Hard Bounce; a complaint Spam Bounce, and unsubscribes. Each writes <c>contact.bounced</c>
    /// and assigns its SmartTag ("Bounce: hard", "Bounce: soft", "Spam complaint"), whose
    /// <c>tag.added</c> starts what it starts. A report for an email recorded before changes nothing.
    /// </summary>
    public async Task<BounceOutcome> BounceAsync(BounceReport report, CancellationToken cancellationToken)
    {
        foreach (var token in report.Tokens)
        {
            var outcome = await writes.RunAsync(token.AccountId, async (db, cancellationToken) =>
            {
                var contact = await BouncedContactAsync(db, token, report.Recipients, cancellationToken);
                if (contact is null) return WriteOutcome<BounceOutcome>.Refused(BounceOutcome.NoMatch);
                if (await db.Bounces.AnyAsync(b => b.AccountId == token.AccountId && b.EmailId == token.EmailId && b.Kind == report.Kind, cancellationToken))
                    return WriteOutcome<BounceOutcome>.Refused(BounceOutcome.Repeated);
                await RecordBounceAsync(db, contact, token.EmailId, report, clock.GetUtcNow().UtcDateTime, cancellationToken);
                return WriteOutcome<BounceOutcome>.Kept(BounceOutcome.Recorded);
            }, cancellationToken);
            if (outcome != BounceOutcome.NoMatch) return outcome;
        }
        return BounceOutcome.NoMatch;
    }

    /// <summary>The contact of the account the token names whose current address the token was signed for; null if none is.</summary>
    private async Task<Contact?> BouncedContactAsync(TagflowDb db, BounceToken token, IReadOnlyList<string> recipients, CancellationToken cancellationToken)
    {
        if (token.ContactId != 0)
        {
            var contact = await db.Contacts.SingleOrDefaultAsync(c => c.Id == token.ContactId && c.AccountId == token.AccountId, cancellationToken);
            return contact?.NormalizedEmail is { } address && bounces.Matches(token, address) ? contact : null;
        }
        foreach (var recipient in recipients)
        {
            if (EmailAddress.Parse(recipient) is not { } address || !bounces.Matches(token, address.Normalized)) continue;
            return await db.Contacts.SingleOrDefaultAsync(c => c.AccountId == token.AccountId && c.NormalizedEmail == address.Normalized, cancellationToken);
        }
        return null;
    }

    private async Task RecordBounceAsync(TagflowDb db, Contact contact, string emailId, BounceReport report, DateTime now, CancellationToken cancellationToken)
    {
        var accountId = contact.AccountId;
        db.Bounces.Add(new Bounce
        {
            AccountId = accountId, ContactId = contact.Id, EmailId = emailId, Kind = report.Kind, Status = report.Status, Diagnostic = report.Diagnostic, At = now,
        });
        await db.SaveChangesAsync(cancellationToken); // counted below
        var limits = bounces.Settings;
        switch (report.Kind)
        {
            case BounceKind.Complaint:
                contact.Bounce = BounceStatus.Spam;
                await BouncedAsync(db, contact, "spam", SmartTags.ComplaintKey, SmartTags.ComplaintName, now, cancellationToken);
                await db.SaveChangesAsync(cancellationToken);
                await MarkUnsubscribedAsync(db, accountId, contact.Id, "", now, cancellationToken);
                return;
            case BounceKind.Soft:
                if (contact.Bounce == BounceStatus.None) contact.Bounce = BounceStatus.Soft;
                await BouncedAsync(db, contact, "soft", SmartTags.SoftBounceKey, SmartTags.SoftBounceName, now, cancellationToken);
                var since = now.AddDays(-limits.SoftDays);
                var soft = await db.Bounces.CountAsync(b => b.ContactId == contact.Id && b.Kind == BounceKind.Soft && b.At >= since, cancellationToken);
                if (soft < limits.SoftLimit || contact.Bounce is BounceStatus.Hard or BounceStatus.Spam) return;
                break;
        }
        // A hard bounce, or the soft bounce that makes one; a complaint's Spam Bounce stays.
        if (contact.Bounce == BounceStatus.Spam) return;
        contact.Bounce = BounceStatus.Hard;
        await BouncedAsync(db, contact, "hard", SmartTags.HardBounceKey, SmartTags.HardBounceName, now, cancellationToken);
    }

    private static async Task BouncedAsync(TagflowDb db, Contact contact, string kind, string tagKey, string tagName, DateTime now, CancellationToken cancellationToken)
    {
        contact.UpdatedAt = now;
        EventLog.Add(db, contact.AccountId, EventTypes.ContactBounced, contact.Id, now, fields: [kind]);
        await Taggings.AssignSmartTagAsync(db, contact.AccountId, contact.Id, tagKey, tagName, now, cancellationToken);
    }

    /// <summary>
    /// The contact's address changed: links sent to the earlier one stop working (<see cref="ForgetLinksAsync"/>),
    /// and its bounce state and bounces stay behind with it.
    /// </summary>
    private static async Task AddressChangedAsync(TagflowDb db, Contact contact, CancellationToken cancellationToken, long exceptTokenId = 0)
    {
        await ForgetLinksAsync(db, contact.Id, cancellationToken, exceptTokenId);
        contact.Bounce = BounceStatus.None;
        await db.Bounces.Where(b => b.ContactId == contact.Id).ExecuteDeleteAsync(cancellationToken);
    }
}
