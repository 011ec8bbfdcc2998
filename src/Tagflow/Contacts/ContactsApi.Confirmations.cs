using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Tagflow.Accounts;
using Tagflow.Data;
using Tagflow.Delivery;
using Tagflow.Fields;
using Tagflow.OptIns;
using Tagflow.Tags;
using Tagflow.Wire;

namespace Tagflow.Contacts;

internal static partial class ContactsApi
{
    /// <summary>
    /// A confirmation email ready to go with a change: the hash of its link's token, and, with the
    /// outbox, the message to store in the same commit (an SMTP relay has already taken it).
    /// </summary>
    private sealed record PreparedConfirmation(string TokenHash, OutboxMail? Stored, bool Resubscribes = false, string? NewEmail = null);

    /// <summary>
    /// Builds a contact's confirmation email with a new link. An SMTP relay must take it now (null if
    /// it refuses or cannot be reached: error 6); the outbox takes it with the change
    /// (<see cref="StoreConfirmation"/>).
    /// </summary>
    private static async Task<PreparedConfirmation?> PrepareConfirmationAsync(IMailRelay relay, ProcessChoice process, ClaimsPrincipal user,
        HttpContext http, string email, FieldCatalog catalog, IReadOnlyDictionary<string, string> fields, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (token, hash) = ConfirmationMail.NewToken();
        var now = clock.GetUtcNow();
        var message = ConfirmationMail.Create(process, user.AccountEmail(), email, catalog, fields,
            OptInPages.Url(http, ConfirmationMail.ConfirmPath + token), now);
        if (relay is OutboxRelay) return new PreparedConfirmation(hash, OutboxRelay.Prepare(message, now.UtcDateTime));
        try
        {
            await relay.SendAsync(message, cancellationToken);
        }
        catch (MailNotSentException)
        {
            return null;
        }
        return new PreparedConfirmation(hash, null);
    }

    /// <summary>Adds the link (and, with the outbox, the message) to the change that sends it.</summary>
    private static void StoreConfirmation(TagflowDb db, long accountId, long contactId, PreparedConfirmation confirmation, DateTime now)
    {
        db.OptInTokens.Add(new OptInToken
        {
            AccountId = accountId, ContactId = contactId, TokenHash = confirmation.TokenHash, CreatedAt = now, ExpiresAt = now + OptInToken.Lifetime,
            Resubscribes = confirmation.Resubscribes,
            NewEmail = confirmation.NewEmail,
        });
        if (confirmation.Stored is not null) db.OutboxMails.Add(confirmation.Stored);
    }

    /// <summary>After the commit: the outbox writes what was stored.</summary>
    private static void ConfirmationCommitted(IMailRelay relay, PreparedConfirmation? confirmation)
    {
        if (confirmation?.Stored is not null) relay.Wake();
    }

    /// <summary>When a pending contact may get its confirmation email again; null if it is not pending (or does not exist).</summary>
    private static async Task<DateTime?> NextConfirmationAsync(TagflowDb db, long contactId, CancellationToken cancellationToken) =>
        await db.Contacts.AnyAsync(c => c.Id == contactId && c.Status == ContactStatus.Pending, cancellationToken)
            ? await ConfirmationAllowedFromAsync(db, contactId, cancellationToken)
            : null;

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
    private static async Task<Dictionary<string, string>> TemplateValuesAsync(TagflowDb db, long contactId, IReadOnlyDictionary<string, string> overrides, CancellationToken cancellationToken)
    {
        var values = new Dictionary<string, string>();
        await foreach (var field in ContactQueries.Fields(db, contactId).WithCancellation(cancellationToken)) values[field.Key] = field.Value;
        foreach (var (key, value) in overrides) values[key] = value;
        return values;
    }

    /// <summary>
    /// The opt-in of <paramref name="contact"/> through process <paramref name="processId"/> is
    /// confirmed (a single opt-in's sign-up, or a double opt-in's click): assigns the process's
    /// SmartTag "Opt-in confirmed: name", created on first use, with its event; answers its id.
    /// </summary>
    internal static async Task<long> ConfirmedAsync(TagflowDb db, long accountId, Contact contact, long processId, DateTime now, CancellationToken cancellationToken)
    {
        var name = await db.OptInProcesses.Where(p => p.Id == processId).Select(p => p.Name).SingleOrDefaultAsync(cancellationToken) ?? "";
        return await Taggings.AssignSmartTagAsync(db, accountId, contact.Id, SmartTags.OptInConfirmedKey(processId), SmartTags.OptInConfirmedName(name), now, cancellationToken);
    }

    /// <summary>
    /// <c>POST /subscriber/resend</c>: the confirmation email again, with a new link, to a contact
    /// still pending; at most once per <see cref="ConfirmationMail.ResendInterval"/> (429 with
    /// Retry-After before that), error 7 for an unknown address, 6 if the contact is not pending or
    /// the relay does not take the email.
    /// </summary>
    private static async Task<IResult> ResendAsync(Body<EmailRequest> body, ClaimsPrincipal user, HttpContext http, TagflowDb db, Writes writes,
        ReferenceCache references, IMailRelay relay, TimeProvider clock, CancellationToken cancellationToken)
    {
        var email = body.Value.Email;
        if (string.IsNullOrWhiteSpace(email)) return WireResults.BadRequest("The key \"email\" is required: the address to send the confirmation email to again.");
        var accountId = user.AccountId();
        if (await FindIdAsync(db, accountId, email, cancellationToken) is not { } contactId) return WireResults.Refused(WireErrors.EmailNotFound);
        var contact = await db.Contacts.AsNoTracking().Where(c => c.Id == contactId).Select(c => new { c.Email, c.ListId }).SingleOrDefaultAsync(cancellationToken);
        if (contact is null) return WireResults.Refused(WireErrors.EmailNotFound); // deleted a moment ago
        var refs = await references.GetAsync(db, user, cancellationToken);
        if (await NextConfirmationAsync(db, contactId, cancellationToken) is not { } next || contact.Email is null
            || ConfirmingProcess(refs, contact.ListId) is not { } process)
            return WireResults.Refused(WireErrors.ConfirmationNotSent);
        var now = clock.GetUtcNow().UtcDateTime;
        if (next > now) return TooSoon(next - now);

        var fields = await TemplateValuesAsync(db, contactId, new Dictionary<string, string>(), cancellationToken);
        if (await PrepareConfirmationAsync(relay, process, user, http, contact.Email, refs.Fields, fields, clock, cancellationToken) is not { } confirmation)
            return WireResults.Refused(WireErrors.ConfirmationNotSent);
        var result = await writes.RunAsync(accountId, async (db, cancellationToken) =>
        {
            // Asked again under the writer: another resend may have come first.
            if (await NextConfirmationAsync(db, contactId, cancellationToken) is not { } due) return RefusedChange(WireErrors.ConfirmationNotSent);
            if (due > now) return WriteOutcome<IResult>.Refused(TooSoon(due - now));
            StoreConfirmation(db, accountId, contactId, confirmation, now);
            return KeptChange(WireResults.True());
        }, cancellationToken);
        ConfirmationCommitted(relay, confirmation);
        return result;
    }

    private static IResult TooSoon(TimeSpan wait) => WireResults.TooManyRequests(wait,
        $"A confirmation email went to this address less than {ConfirmationMail.ResendInterval.TotalMinutes:0} minutes ago.");
}
