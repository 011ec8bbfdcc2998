using Microsoft.EntityFrameworkCore;
using Tagflow.Accounts;
using Tagflow.Data;
using Tagflow.Events;
using Tagflow.Wire;

namespace Tagflow.Contacts;

/// <summary>What an update of a contact asks for: field values, a new address, a new SMS number; not yet checked.</summary>
internal sealed record ContactEdit(IReadOnlyDictionary<string, string?>? Fields, string? NewEmail, string? NewSmsNumber);

internal sealed partial class ContactChanges
{
    /// <summary>
    /// Changes a contact's field values, address or SMS number. Through a process with
    /// change-of-address confirmation, a new address is confirmed first: the link goes to it, and
    /// the address changes only when the link is opened (<see cref="ConfirmAsync"/>).
    /// </summary>
    public async Task<ContactResult<bool>> UpdateAsync(ChangeOrigin origin, long id, ContactEdit edit, CancellationToken cancellationToken)
    {
        var accountId = origin.AccountId;
        var (email, sms, keyError) = ParseKeys(edit.NewEmail, edit.NewSmsNumber);
        if (keyError is { } error) return ContactResult<bool>.Refused(error);
        var refs = await references.GetAsync(db, accountId, origin.ReferenceVersion, cancellationToken);

        PreparedConfirmation? sent = null;
        if (!SendsWithTheChange && email is not null)
        {
            var (confirmation, refusal) = await SendNewAddressAheadAsync(origin, refs, id, email, sms, edit.Fields, cancellationToken);
            if (refusal is { } refused) return ContactResult<bool>.Refused(refused);
            sent = confirmation;
        }

        return await writes.RunAsync(accountId, async (db, cancellationToken) =>
        {
            var contact = await db.Contacts.SingleOrDefaultAsync(c => c.Id == id && c.AccountId == accountId, cancellationToken);
            if (contact is null) return Refuse<bool>(WireErrors.ContactNotFound);
            var (values, fieldError) = refs.Fields.Check(edit.Fields);
            if (fieldError is not null) return Refuse<bool>(fieldError);
            var addressChanges = email is not null && contact.NormalizedEmail != email.Normalized;
            if (addressChanges)
            {
                if (await refs.IsBlockedAsync(db, email!, cancellationToken)) return Refuse<bool>(WireErrors.Blocked);
                if (await db.Contacts.AnyAsync(c => c.AccountId == accountId && c.NormalizedEmail == email!.Normalized && c.Id != id, cancellationToken))
                    return Refuse<bool>(WireErrors.EmailTaken);
            }
            if (sms is not null && contact.SmsPhone != sms && await SmsTakenAsync(db, accountId, sms, id, cancellationToken))
                return Refuse<bool>(WireErrors.SmsNumberTaken);

            var stored = await ContactQueries.Fields(db, id).ToDictionaryAsync(f => f.Key, cancellationToken: cancellationToken);
            var now = clock.GetUtcNow().UtcDateTime;
            var confirmation = sent;
            if (confirmation is null && SendsWithTheChange && addressChanges && ChangeOfAddressProcess(refs, contact) is { } process
                && (confirmation = Prepare(origin, new Confirming(process), id, email!.Address, TemplateValues(stored, values), now, newEmail: email.Address)) is null)
                return Refuse<bool>(WireErrors.ConfirmationNotSent);
            if (confirmation is not null) StoreConfirmation(db, accountId, id, confirmation, now);
            if (ApplyChanges(db, contact, confirmation is null ? email : null, sms, values, stored, now)) await AddressChangedAsync(db, contact, cancellationToken);
            return Keep(true);
        }, cancellationToken);
    }

    /// <summary>The process of a contact whose new address is confirmed before it becomes the contact's; null if the address changes at once.</summary>
    private static ProcessChoice? ChangeOfAddressProcess(ReferenceData refs, Contact contact) =>
        contact.Status != ContactStatus.Unsubscribed && refs.Process(contact.ListId) is { UseChangeEmail: true, UseSingleOptIn: false } process ? process : null;

    /// <summary>
    /// With an SMTP relay: a new address that is confirmed first gets its link before the change,
    /// once every refusal the change would give is ruled out, so that no email goes to an address
    /// the change would refuse.
    /// </summary>
    private async Task<(PreparedConfirmation? Sent, WireError? Refusal)> SendNewAddressAheadAsync(ChangeOrigin origin, ReferenceData refs, long id,
        EmailAddress email, string? sms, IReadOnlyDictionary<string, string?>? fields, CancellationToken cancellationToken)
    {
        var accountId = origin.AccountId;
        var current = await db.Contacts.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id && c.AccountId == accountId, cancellationToken);
        if (current is null || current.NormalizedEmail == email.Normalized || ChangeOfAddressProcess(refs, current) is not { } process) return (null, null);
        if (await refs.IsBlockedAsync(db, email, cancellationToken)) return (null, new WireError(WireErrors.Blocked));
        if (await db.Contacts.AnyAsync(c => c.AccountId == accountId && c.NormalizedEmail == email.Normalized && c.Id != id, cancellationToken))
            return (null, new WireError(WireErrors.EmailTaken));
        var (values, fieldError) = refs.Fields.Check(fields);
        if (fieldError is not null) return (null, fieldError);
        if (sms is not null && await SmsTakenAsync(db, accountId, sms, id, cancellationToken)) return (null, new WireError(WireErrors.SmsNumberTaken));
        var templateValues = await TemplateValuesAsync(db, id, values, cancellationToken);
        return await SendAsync(origin, new Confirming(process), id, email.Address, templateValues, cancellationToken, newEmail: email.Address) is { } sent
            ? (sent, null)
            : (null, new WireError(WireErrors.ConfirmationNotSent));
    }

    /// <summary>Erases a contact and its personal data (error 404 if the account has no such contact).</summary>
    public Task<ContactResult<bool>> DeleteAsync(ChangeOrigin origin, long id, CancellationToken cancellationToken)
    {
        var accountId = origin.AccountId;
        return writes.RunAsync(accountId, async (db, cancellationToken) =>
        {
            // Field values and taggings go with the contact (cascade); its events hold no personal data.
            var email = await db.Contacts.Where(c => c.Id == id && c.AccountId == accountId).Select(c => c.Email).FirstOrDefaultAsync(cancellationToken);
            if (await db.Contacts.Where(c => c.Id == id && c.AccountId == accountId).ExecuteDeleteAsync(cancellationToken) == 0)
                return Refuse<bool>(WireErrors.ContactNotFound);
            // The record of emails to its address that were not delivered names the address: it goes too.
            if (email is not null)
                await db.MailFailures.Where(f => f.AccountId == accountId && f.Recipient == email).ExecuteDeleteAsync(cancellationToken);
            EventLog.Add(db, accountId, EventTypes.ContactDeleted, id, clock.GetUtcNow().UtcDateTime);
            return Keep(true);
        }, cancellationToken);
    }

    /// <summary>Applies the changes and writes one <c>contact.updated</c> event naming what changed (none when nothing did); true if the address changed.</summary>
    private static bool ApplyChanges(TagflowDb db, Contact contact, EmailAddress? email, string? sms,
        Dictionary<string, string> values, Dictionary<string, ContactField> stored, DateTime now)
    {
        var changed = new List<string>();
        if (email is not null && contact.Email != email.Address)
        {
            (contact.Email, contact.NormalizedEmail) = (email.Address, email.Normalized);
            changed.Add("email");
        }
        if (sms is not null && contact.SmsPhone != sms)
        {
            contact.SmsPhone = sms;
            contact.SmsSignupAt = now;
            changed.Add("smsnumber");
        }
        changed.AddRange(ApplyFields(db, contact.Id, values, stored));
        if (changed.Count == 0) return false;
        contact.UpdatedAt = now;
        EventLog.Add(db, contact.AccountId, EventTypes.ContactUpdated, contact.Id, now, fields: changed);
        return changed.Contains("email");
    }

    /// <summary>
    /// Stores checked field values (an empty one clears) over the contact's stored ones, keeping
    /// <paramref name="stored"/> up to date; answers the keys whose value changed.
    /// </summary>
    private static List<string> ApplyFields(TagflowDb db, long contactId, Dictionary<string, string> values, Dictionary<string, ContactField> stored)
    {
        var changed = new List<string>();
        foreach (var (key, value) in values)
        {
            var row = stored.GetValueOrDefault(key);
            if (row is null && value.Length > 0)
            {
                row = new ContactField { ContactId = contactId, Key = key, Value = value };
                db.AddTracked(row);
                stored[key] = row;
            }
            else if (row is not null && value.Length == 0)
            {
                db.ContactFields.Remove(row);
                stored.Remove(key);
            }
            else if (row is not null && row.Value != value) row.Value = value;
            else continue;
            changed.Add(key);
        }
        return changed;
    }

    private static Task<bool> SmsTakenAsync(TagflowDb db, long accountId, string sms, long exceptId, CancellationToken cancellationToken) =>
        db.Contacts.AnyAsync(c => c.AccountId == accountId && c.SmsPhone == sms && c.Id != exceptId, cancellationToken);
}
