using Microsoft.EntityFrameworkCore;
using Tagflow.Accounts;
using Tagflow.Data;
using Tagflow.Delivery;
using Tagflow.Events;
using Tagflow.Fields;
using Tagflow.OptIns;
using Tagflow.Tags;
using Tagflow.Wire;

namespace Tagflow.Contacts;

internal sealed partial class ContactChanges
{
    /// <summary>
    /// A confirmation email to send with a change: its process's, and what its link does besides
    /// subscribing: bring back a contact that unsubscribed, or give a contact found by its SMS
    /// number this address.
    /// </summary>
    private sealed record Confirming(ProcessChoice Process, bool Resubscribes = false, bool AddsAddress = false);

    /// <summary>
    /// A confirmation email ready to go with a change: the hash of its link's token, the address a
    /// confirmed link gives the contact (a change of address), and, with the outbox, the message to
    /// store in the same commit (an SMTP relay has already taken it).
    /// </summary>
    private sealed record PreparedConfirmation(Confirming For, string TokenHash, OutboxMail? Stored, string? NewEmail);

    /// <summary>
    /// The confirmation email with a new link, for the outbox to store with the change; null if its
    /// template runs past its limits for this contact (the change is then refused with error 6, as
    /// when a relay refuses the email).
    /// </summary>
    private PreparedConfirmation? Prepare(ChangeOrigin origin, Confirming confirming, long contactId, string email, IReadOnlyDictionary<string, string> fields,
        DateTime now, string? newEmail = null)
    {
        if (TryCompose(origin, confirming, contactId, email, fields, now) is not var (message, hash)) return null;
        return new PreparedConfirmation(confirming, hash, OutboxRelay.Prepare(message, origin.AccountId, now), newEmail ?? (confirming.AddsAddress ? email : null));
    }

    /// <summary>The confirmation email with a new link, through the SMTP relay now; null if its template runs past its limits, or the relay refuses it or cannot be reached (error 6).</summary>
    private async Task<PreparedConfirmation?> SendAsync(ChangeOrigin origin, Confirming confirming, long contactId, string email, IReadOnlyDictionary<string, string> fields,
        CancellationToken cancellationToken, string? newEmail = null)
    {
        if (TryCompose(origin, confirming, contactId, email, fields, clock.GetUtcNow().UtcDateTime) is not var (message, hash)) return null;
        try
        {
            await relay.SendAsync(message, cancellationToken);
        }
        catch (MailNotSentException)
        {
            return null;
        }
        return new PreparedConfirmation(confirming, hash, null, newEmail ?? (confirming.AddsAddress ? email : null));
    }

    /// <summary>
    /// The confirmation email and its link's hash; <paramref name="contactId"/> 0 for a contact not
    /// stored yet (its bounce address says so). Null if its template runs past its limits for this contact.
    /// </summary>
    private (MimeKit.MimeMessage Message, string TokenHash)? TryCompose(ChangeOrigin origin, Confirming confirming, long contactId, string email,
        IReadOnlyDictionary<string, string> fields, DateTime now)
    {
        var (token, hash) = ConfirmationMail.NewToken();
        MimeKit.MimeMessage message;
        try
        {
            // No tags: the email goes out as the contact signs up, before the sign-up's tags are given.
            message = ConfirmationMail.Create(confirming.Process, origin.AccountEmail, email, fields, [], origin.TimeZone,
                origin.LinkBase + ConfirmationMail.ConfirmPath + token, new DateTimeOffset(now, TimeSpan.Zero));
        }
        catch (TemplateFailedException)
        {
            return null;
        }
        bounces.Stamp(message, origin.AccountId, contactId, email);
        return (message, hash);
    }

    /// <summary>Adds the link (and, with the outbox, the message, which its commit wakes the outbox for) to the change that sends it.</summary>
    private static void StoreConfirmation(TagflowDb db, long accountId, long contactId, PreparedConfirmation confirmation, DateTime now)
    {
        db.OptInTokens.Add(new OptInToken
        {
            AccountId = accountId, ContactId = contactId, TokenHash = confirmation.TokenHash, CreatedAt = now, ExpiresAt = now + OptInToken.Lifetime,
            Resubscribes = confirmation.For.Resubscribes,
            NewEmail = confirmation.NewEmail,
        });
        if (confirmation.Stored is not null) db.OutboxMails.Add(confirmation.Stored);
    }

    /// <summary>
    /// The confirmation email again, with a new link, to a contact still pending; at most once per
    /// <see cref="ConfirmationMail.ResendInterval"/> (asked to come back after that), error 7 for an
    /// unknown address, 6 if the contact is not pending, its address bounced for good or complained, or
    /// the relay does not take the email.
    /// </summary>
    public async Task<ContactResult<bool>> ResendAsync(ChangeOrigin origin, string email, CancellationToken cancellationToken)
    {
        var accountId = origin.AccountId;
        var refs = await references.GetAsync(db, accountId, origin.ReferenceVersion, cancellationToken);
        var sent = default(PreparedConfirmation);
        if (!SendsWithTheChange)
        {
            // Through an SMTP relay the email goes out first; the change then stores its link, if no other resend came first.
            var (ready, notDone) = await ResendableAsync(db, refs, accountId, email, clock.GetUtcNow().UtcDateTime, cancellationToken);
            if (ready is null) return notDone;
            var fields = await TemplateValuesAsync(db, ready.Value.Contact.Id, new Dictionary<string, string>(), cancellationToken);
            sent = await SendAsync(origin, ready.Value.Confirming, ready.Value.Contact.Id, ready.Value.Contact.Email!, fields, cancellationToken);
            if (sent is null) return ContactResult<bool>.Refused(WireErrors.ConfirmationNotSent);
        }
        return await writes.RunAsync(accountId, async (db, cancellationToken) =>
        {
            var now = clock.GetUtcNow().UtcDateTime;
            var (ready, notDone) = await ResendableAsync(db, refs, accountId, email, now, cancellationToken);
            if (ready is not var (contact, confirming)) return WriteOutcome<ContactResult<bool>>.Refused(notDone);
            if ((sent ?? Prepare(origin, confirming, contact.Id, contact.Email!,
                    await TemplateValuesAsync(db, contact.Id, new Dictionary<string, string>(), cancellationToken), now)) is not { } confirmation)
                return Refuse<bool>(WireErrors.ConfirmationNotSent);
            StoreConfirmation(db, accountId, contact.Id, confirmation, now);
            return Keep(true);
        }, cancellationToken);
    }

    /// <summary>The pending contact with this address and the process whose email it gets again; or why it gets none now.</summary>
    private static async Task<((Contact Contact, Confirming Confirming)? Ready, ContactResult<bool> NotDone)> ResendableAsync(TagflowDb db, ReferenceData refs,
        long accountId, string email, DateTime now, CancellationToken cancellationToken)
    {
        if (EmailAddress.Parse(email) is not { } address
            || await ContactQueries.ByEmailUntracked(db, accountId, address.Normalized, cancellationToken) is not { } contact)
            return (null, ContactResult<bool>.Refused(WireErrors.EmailNotFound));
        if (contact.Status != ContactStatus.Pending || contact.Email is null || contact.Bounce is BounceStatus.Hard or BounceStatus.Spam
            || ConfirmingProcess(refs, contact.ListId) is not { } process)
            return (null, ContactResult<bool>.Refused(WireErrors.ConfirmationNotSent));
        var allowed = await ConfirmationAllowedFromAsync(db, contact.Id, cancellationToken);
        if (allowed > now)
            return (null, ContactResult<bool>.TooSoon(allowed - now,
                $"A confirmation email went to this address less than {ConfirmationMail.ResendInterval.TotalMinutes:0} minutes ago."));
        return ((contact, new Confirming(process)), default);
    }

    /// <summary>When a contact may get a confirmation email again: <see cref="ConfirmationMail.ResendInterval"/> after its last one.</summary>
    private static async Task<DateTime> ConfirmationAllowedFromAsync(TagflowDb db, long contactId, CancellationToken cancellationToken) =>
        await db.OptInTokens.Where(t => t.ContactId == contactId).MaxAsync(t => (DateTime?)t.CreatedAt, cancellationToken) is { } sent
            ? sent + ConfirmationMail.ResendInterval
            : DateTime.MinValue;

    /// <summary>
    /// The process whose email a pending contact gets again: its own, or the predefined double opt-in
    /// if its own was deleted or has since become single opt-in.
    /// </summary>
    private static ProcessChoice? ConfirmingProcess(ReferenceData refs, long? listId) =>
        refs.Process(listId) is { UseSingleOptIn: false } own ? own
        : refs.Process(null) is { UseSingleOptIn: false } predefined ? predefined
        : null;

    /// <summary>The contact's stored field values by key, with <paramref name="overrides"/> on top.</summary>
    private static async Task<Dictionary<string, string>> TemplateValuesAsync(TagflowDb db, long contactId, IReadOnlyDictionary<string, string> overrides, CancellationToken cancellationToken) =>
        TemplateValues(await ContactQueries.Fields(db, contactId).ToDictionaryAsync(f => f.Key, cancellationToken: cancellationToken), overrides);

    /// <summary>
    /// The opt-in of <paramref name="contact"/> through process <paramref name="processId"/> is
    /// confirmed (a single opt-in's sign-up, or a double opt-in's click): assigns the process's
    /// SmartTag "Opt-in confirmed: name", created on first use, with its event; answers its id.
    /// A contact this change created (<paramref name="isNew"/>) has no tag yet to look for.
    /// </summary>
    private static async Task<long> ConfirmedAsync(TagflowDb db, long accountId, Contact contact, long processId, DateTime now, CancellationToken cancellationToken,
        bool isNew = false)
    {
        var tagId = await OptInConfirmedTagAsync(db, accountId, processId, now, cancellationToken);
        if (isNew) Taggings.Add(db, accountId, contact.Id, tagId, now);
        else await Taggings.EnsureAsync(db, accountId, contact.Id, tagId, now, cancellationToken);
        return tagId;
    }

    /// <summary>The id of process <paramref name="processId"/>'s SmartTag "Opt-in confirmed: name", created on first use (the process's name is read only then).</summary>
    private static async Task<long> OptInConfirmedTagAsync(TagflowDb db, long accountId, long processId, DateTime now, CancellationToken cancellationToken)
    {
        var key = SmartTags.OptInConfirmedKey(processId);
        if (await SmartTags.FindAsync(db, accountId, key, cancellationToken) is { } existing) return existing;
        var name = await db.OptInProcesses.Where(p => p.Id == processId).Select(p => p.Name).SingleOrDefaultAsync(cancellationToken) ?? "";
        return await SmartTags.EnsureAsync(db, accountId, key, SmartTags.OptInConfirmedName(name), now, cancellationToken);
    }

    /// <summary>
    /// The contact's address changed: links sent to an earlier address, or for an earlier change of
    /// address, stop working, so that nobody confirms for an address that is not theirs.
    /// </summary>
    private static Task ForgetLinksAsync(TagflowDb db, long contactId, CancellationToken cancellationToken, long exceptTokenId = 0) =>
        db.OptInTokens.Where(t => t.ContactId == contactId && t.UsedAt == null && t.Id != exceptTokenId).ExecuteDeleteAsync(cancellationToken);
}
