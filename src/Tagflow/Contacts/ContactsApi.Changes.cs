using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Tagflow.Accounts;
using Tagflow.Blocklist;
using Tagflow.Data;
using Tagflow.Delivery;
using Tagflow.Events;
using Tagflow.Fields;
using Tagflow.OptIns;
using Tagflow.Tags;
using Tagflow.Wire;

namespace Tagflow.Contacts;

internal static partial class ContactsApi
{
    /// <summary>The sign-up source recorded for contacts that come through the management API.</summary>
    private const string ApiSource = "API";

    private static async Task<IResult> AddOrUpdateAsync(Body<AddOrUpdateRequest> body, ClaimsPrincipal user, HttpContext http, TagflowDb db, Writes writes, ReferenceCache references, IMailRelay relay, TimeProvider clock, CancellationToken cancellationToken) =>
        (await AddOrUpdateCoreAsync(body.Value, null, user, http, db, writes, references, relay, clock, cancellationToken)).Result;

    /// <summary>A sign-up through a listbuilding key rather than the management API.</summary>
    /// <param name="Source">The sign-up source recorded with the contact.</param>
    /// <param name="SmartTagKey">The key's SmartTag (see <see cref="SmartTags"/>), assigned to every contact it signs in.</param>
    internal sealed record SignupVia(string Source, string SmartTagKey, string SmartTagName);

    /// <summary>
    /// Add or update, for the API (<paramref name="via"/> null) and for listbuilding sign-ins. A sign-in
    /// may also bring back an address that unsubscribed, through a double opt-in: it gets a confirmation
    /// email whose link (and nothing else) subscribes it again, and stays unsubscribed until then.
    /// Answers the result and the contact's status after it (null if refused).
    /// </summary>
    internal static async Task<(IResult Result, ContactStatus? Status)> AddOrUpdateCoreAsync(AddOrUpdateRequest request, SignupVia? via, ClaimsPrincipal user, HttpContext http,
        TagflowDb db, Writes writes, ReferenceCache references, IMailRelay relay, TimeProvider clock, CancellationToken cancellationToken)
    {
        var accountId = user.AccountId();
        if (string.IsNullOrWhiteSpace(request.Email) && string.IsNullOrWhiteSpace(request.SmsNumber))
            return Refusal(WireErrors.EmailOrSmsRequired);
        var (email, sms, keyError) = ParseKeys(request.Email, request.SmsNumber);
        if (keyError is { } error) return Refusal(error);

        // What the request refers to is checked before the account's writer is taken, to keep its turn short;
        // a tag removed in between is caught inside the change, a field removed in between is left unseen.
        var refs = await references.GetAsync(db, user, cancellationToken);
        var catalog = refs.Fields;
        var (values, fieldError) = catalog.Check(request.Fields);
        if (fieldError is not null) return Refusal(fieldError);
        if (refs.Process(request.ListId) is not { } list) return Refusal(WireErrors.OptInProcessNotFound);
        if (request.TagId is { } tagId && refs.ManualTagError([tagId]) is { } tagError)
            return Refusal(tagError);
        if (email is not null && await refs.IsBlockedAsync(db, email, cancellationToken))
            return Refusal(WireErrors.Blocked);

        // A new contact of a double opt-in gets its confirmation email, and so does a pending one whose
        // process sends it again (at most every 10 minutes). An SMTP relay must take it before anything
        // is stored: if it does not, the request is refused (error 6) and leaves nothing behind. The
        // outbox stores it with the change, in the same commit.
        PreparedConfirmation? confirmation = null;
        if (email is not null)
        {
            ProcessChoice? confirming = null;
            var resubscribes = false;
            IReadOnlyDictionary<string, string> templateValues = values;
            var existingId = await ContactQueries.IdByEmail(db, accountId, email.Normalized, cancellationToken);
            var addsAddress = false;
            if (existingId is not { } existing)
            {
                // A new contact, unless its SMS number finds one. Through a public sign-in, a contact found
                // by its number that has no address yet gets this one only once it is confirmed, like a
                // change of address (one with another address is refused in the change: error 9); the
                // management API sets it at once, as it does with newemail.
                var bySms = sms is null ? null : await db.Contacts.AsNoTracking().Where(c => c.AccountId == accountId && c.SmsPhone == sms)
                    .Select(c => new { c.NormalizedEmail }).SingleOrDefaultAsync(cancellationToken);
                if (!list.UseSingleOptIn && bySms is null) confirming = list;
                else if (via is not null && !list.UseSingleOptIn && bySms is { NormalizedEmail: null }) (confirming, addsAddress) = (list, true);
            }
            else if (refs.AnyResends || via is not null)
            {
                var state = await db.Contacts.Where(c => c.Id == existing).Select(c => new { c.Status, c.ListId }).SingleOrDefaultAsync(cancellationToken)
                    ?? new { Status = ContactStatus.Subscribed, ListId = 0L }; // deleted a moment ago: nothing to send
                var due = await ConfirmationAllowedFromAsync(db, existing, cancellationToken) <= clock.GetUtcNow().UtcDateTime;
                if (due && state.Status == ContactStatus.Pending && ConfirmingProcess(refs, state.ListId) is { ResendConfirmationEmail: true } process)
                    confirming = process;
                else if (due && via is not null && state.Status == ContactStatus.Unsubscribed && !list.UseSingleOptIn)
                    (confirming, resubscribes) = (list, true);
                if (confirming is not null) templateValues = await TemplateValuesAsync(db, existing, values, cancellationToken);
            }
            // What the change would refuse is refused before any email goes out.
            if (confirming is not null && existingId is { } other && sms is not null && await SmsTakenAsync(db, accountId, sms, other, cancellationToken))
                return Refusal(WireErrors.SmsNumberTaken);
            if (confirming is not null)
            {
                confirmation = await PrepareConfirmationAsync(relay, confirming, user, http, email.Address, catalog, templateValues, clock, cancellationToken);
                if (confirmation is null) return Refusal(WireErrors.ConfirmationNotSent);
                confirmation = confirmation with { Resubscribes = resubscribes, NewEmail = addsAddress ? email.Address : null };
            }
        }

        var ip = ClientIp(http);
        var zone = user.TimeZone();
        ContactStatus? status = null;
        var result = await writes.RunAsync(accountId, async (db, cancellationToken) =>
        {
            var contact = email is null ? null : await ContactQueries.ByEmail(db, accountId, email.Normalized, cancellationToken);
            if (contact is null && sms is not null)
            {
                contact = await db.Contacts.SingleOrDefaultAsync(c => c.AccountId == accountId && c.SmsPhone == sms, cancellationToken);
                // The number belongs to a contact with another address: that is another person, not a change of address.
                if (email is not null && contact?.NormalizedEmail is not null) return RefusedChange(WireErrors.SmsNumberTaken);
            }
            // Unsubscribed stays unsubscribed, unless a sign-in's confirmation email asks the contact's own click.
            if (contact?.Status == ContactStatus.Unsubscribed && confirmation is not { Resubscribes: true }) return RefusedChange(WireErrors.Unsubscribed);
            // Checked again under the writer: the tag may have been deleted since the check above.
            if (request.TagId is { } checkedTag && await ManualTagErrorAsync(db, accountId, [checkedTag], cancellationToken) is { } lateTagError)
                return RefusedChange(lateTagError);
            if (sms is not null && contact?.SmsPhone != sms && await SmsTakenAsync(db, accountId, sms, contact?.Id, cancellationToken))
                return RefusedChange(WireErrors.SmsNumberTaken);

            var now = clock.GetUtcNow().UtcDateTime;
            Dictionary<string, ContactField> stored;
            List<TagOnContact> tags;
            ContactActivity? activity = null; // a new contact has none
            if (contact is null)
            {
                var single = list.UseSingleOptIn;
                contact = new Contact
                {
                    AccountId = accountId,
                    Email = email?.Address,
                    NormalizedEmail = email?.Normalized,
                    SmsPhone = sms,
                    SmsSignupAt = sms is null ? null : now,
                    ListId = list.Id,
                    // A single opt-in subscribes at once, its sign-up being the consent; a double opt-in waits for the contact's click.
                    Status = single ? ContactStatus.Subscribed : ContactStatus.Pending,
                    SignupAt = now,
                    SignupIp = ip,
                    SignupSource = via?.Source ?? ApiSource,
                    OptInAt = single ? now : null,
                    OptInIp = single ? ip : "",
                    CreatedAt = now,
                    UpdatedAt = now,
                };
                db.Contacts.Add(contact);
                await db.SaveChangesAsync(cancellationToken); // for the id
                if (confirmation is not null && !single) StoreConfirmation(db, accountId, contact.Id, confirmation, now);
                (stored, tags) = ([], []);
                if (single)
                    tags.Add(new TagOnContact(await ConfirmedAsync(db, accountId, contact, list.Id, now, cancellationToken), now, TagKind.Smart));
                ApplyFields(db, contact.Id, values, stored);
                EventLog.Add(db, accountId, EventTypes.ContactCreated, contact.Id, now);
            }
            else
            {
                stored = await ContactQueries.Fields(db, contact.Id).ToDictionaryAsync(f => f.Key, cancellationToken: cancellationToken);
                tags = await ContactWire.LoadTagsAsync(db, contact.Id, cancellationToken);
                if (contact.HasCampaignActivity) activity = await ContactWire.LoadActivityAsync(db, contact.Id, cancellationToken);
                // Sent again to a pending contact (or sent for a new one that another request created first),
                // or sent to the address that a contact found by its SMS number gets once it is confirmed.
                if (confirmation is not null && (contact.Status == ContactStatus.Pending || confirmation.Resubscribes || confirmation.NewEmail is not null))
                    StoreConfirmation(db, accountId, contact.Id, confirmation, now);
                if (confirmation is { Resubscribes: true } && contact.Status == ContactStatus.Unsubscribed)
                {
                    // The new sign-up is the one the click will confirm: its process and proof replace the old ones.
                    (contact.ListId, contact.SignupAt, contact.SignupIp, contact.SignupSource) = (list.Id, now, ip, via?.Source ?? ApiSource);
                }
                // The address is the lookup key: only a contact found by its SMS number gets a new one.
                var newEmail = email is not null && contact.NormalizedEmail != email.Normalized && confirmation?.NewEmail is null ? email : null;
                if (ApplyChanges(db, contact, newEmail, sms, values, stored, now)) await ForgetLinksAsync(db, contact.Id, cancellationToken);
            }
            if (request.TagId is { } tag)
                tags.AddRange(AddTags(db, accountId, contact.Id, [tag], [.. tags.Select(t => t.TagId)], now)
                    .Select(id => new TagOnContact(id, now, TagKind.Manual)));
            if (via is not null)
            {
                var smartTagId = await SmartTags.EnsureAsync(db, accountId, via.SmartTagKey, via.SmartTagName, now, cancellationToken);
                tags.AddRange(AddTags(db, accountId, contact.Id, [smartTagId], [.. tags.Select(t => t.TagId)], now)
                    .Select(id => new TagOnContact(id, now, TagKind.Smart)));
            }
            status = contact.Status;
            // The answer is built from what is written, not read back.
            var answer = ContactWire.Build(contact, stored.ToDictionary(f => f.Key, f => f.Value.Value), tags, catalog, zone, activity);
            return KeptChange(WireResults.Ok(answer));
        }, cancellationToken);
        ConfirmationCommitted(relay, confirmation);
        return (result, status);
    }

    private static (IResult, ContactStatus?) Refusal(int error) => (WireResults.Refused(error), null);

    private static (IResult, ContactStatus?) Refusal(WireError error) => (WireResults.Refused(error), null);

    private static async Task<IResult> UpdateAsync(long id, Body<UpdateRequest> body, ClaimsPrincipal user, HttpContext http, TagflowDb db, Writes writes,
        ReferenceCache references, IMailRelay relay, TimeProvider clock, CancellationToken cancellationToken)
    {
        var request = body.Value;
        var accountId = user.AccountId();
        var (email, sms, keyError) = ParseKeys(request.NewEmail, request.NewSmsNumber);
        if (keyError is { } error) return WireResults.Refused(error);
        var refs = await references.GetAsync(db, user, cancellationToken);

        // Through a process with usechangeemail, a new address is confirmed first: the link goes to it,
        // and the address changes only when the link is opened (ConfirmApi). Refusals come first, so
        // that no email goes to an address the change would refuse.
        PreparedConfirmation? confirmation = null;
        if (email is not null
            && await db.Contacts.AsNoTracking().Where(c => c.Id == id && c.AccountId == accountId)
                .Select(c => new { c.NormalizedEmail, c.ListId, c.Status }).SingleOrDefaultAsync(cancellationToken) is { } current
            && current.NormalizedEmail != email.Normalized && current.Status != ContactStatus.Unsubscribed
            && refs.Process(current.ListId) is { UseChangeEmail: true, UseSingleOptIn: false } process)
        {
            if (await refs.IsBlockedAsync(db, email, cancellationToken)) return WireResults.Refused(WireErrors.Blocked);
            if (await db.Contacts.AnyAsync(c => c.AccountId == accountId && c.NormalizedEmail == email.Normalized && c.Id != id, cancellationToken))
                return WireResults.Refused(WireErrors.EmailTaken);
            var (values, fieldError) = refs.Fields.Check(request.Fields);
            if (fieldError is not null) return WireResults.Refused(fieldError);
            if (sms is not null && await SmsTakenAsync(db, accountId, sms, id, cancellationToken)) return WireResults.Refused(WireErrors.SmsNumberTaken);
            var templateValues = await TemplateValuesAsync(db, id, values, cancellationToken);
            confirmation = await PrepareConfirmationAsync(relay, process, user, http, email.Address, refs.Fields, templateValues, clock, cancellationToken);
            if (confirmation is null) return WireResults.Refused(WireErrors.ConfirmationNotSent);
            confirmation = confirmation with { NewEmail = email.Address };
        }

        var result = await writes.RunAsync(accountId, async (db, cancellationToken) =>
        {
            var contact = await db.Contacts.SingleOrDefaultAsync(c => c.Id == id && c.AccountId == accountId, cancellationToken);
            if (contact is null) return RefusedChange(WireErrors.ContactNotFound);
            var (values, fieldError) = refs.Fields.Check(request.Fields);
            if (fieldError is not null) return RefusedChange(fieldError);
            if (email is not null && contact.NormalizedEmail != email.Normalized)
            {
                if (await refs.IsBlockedAsync(db, email, cancellationToken)) return RefusedChange(WireErrors.Blocked);
                if (await db.Contacts.AnyAsync(c => c.AccountId == accountId && c.NormalizedEmail == email.Normalized && c.Id != id, cancellationToken))
                    return RefusedChange(WireErrors.EmailTaken);
            }
            if (sms is not null && contact.SmsPhone != sms && await SmsTakenAsync(db, accountId, sms, id, cancellationToken))
                return RefusedChange(WireErrors.SmsNumberTaken);

            var stored = await ContactQueries.Fields(db, id).ToDictionaryAsync(f => f.Key, cancellationToken: cancellationToken);
            var now = clock.GetUtcNow().UtcDateTime;
            if (confirmation is not null) StoreConfirmation(db, accountId, id, confirmation, now);
            if (ApplyChanges(db, contact, confirmation is null ? email : null, sms, values, stored, now)) await ForgetLinksAsync(db, id, cancellationToken);
            return KeptChange(WireResults.True());
        }, cancellationToken);
        ConfirmationCommitted(relay, confirmation);
        return result;
    }

    private static Task<IResult> DeleteAsync(long id, ClaimsPrincipal user, Writes writes, TimeProvider clock, CancellationToken cancellationToken)
    {
        var accountId = user.AccountId();
        return writes.RunAsync(accountId, async (db, cancellationToken) =>
        {
            // Field values and taggings go with the contact (cascade); its events hold no personal data.
            if (await db.Contacts.Where(c => c.Id == id && c.AccountId == accountId).ExecuteDeleteAsync(cancellationToken) == 0)
                return RefusedChange(WireErrors.ContactNotFound);
            EventLog.Add(db, accountId, EventTypes.ContactDeleted, id, clock.GetUtcNow().UtcDateTime);
            return KeptChange(WireResults.True());
        }, cancellationToken);
    }

    /// <summary>A change that answers and keeps what it did.</summary>
    private static WriteOutcome<IResult> KeptChange(IResult result) => WriteOutcome<IResult>.Kept(result);

    /// <summary>A change refused with a 406 error: nothing it did is kept.</summary>
    private static WriteOutcome<IResult> RefusedChange(int code) => WriteOutcome<IResult>.Refused(WireResults.Refused(code));

    private static WriteOutcome<IResult> RefusedChange(WireError error) => WriteOutcome<IResult>.Refused(WireResults.Refused(error));

    /// <summary>
    /// Changes an existing contact's address, SMS number and field values where they differ, and
    /// writes one <c>contact.updated</c> event naming what changed (none when nothing did).
    /// </summary>
    /// <summary>Applies the changes and writes the event; true if the address changed.</summary>
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
    /// The contact's address changed: links sent to an earlier address, or for an earlier change of
    /// address, stop working, so that nobody confirms for an address that is not theirs.
    /// </summary>
    internal static Task ForgetLinksAsync(TagflowDb db, long contactId, CancellationToken cancellationToken, long exceptTokenId = 0) =>
        db.OptInTokens.Where(t => t.ContactId == contactId && t.UsedAt == null && t.Id != exceptTokenId).ExecuteDeleteAsync(cancellationToken);

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
                db.ContactFields.Add(row);
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

    private static Task<bool> SmsTakenAsync(TagflowDb db, long accountId, string sms, long? exceptId, CancellationToken cancellationToken) =>
        db.Contacts.AnyAsync(c => c.AccountId == accountId && c.SmsPhone == sms && c.Id != exceptId, cancellationToken);

    /// <summary>The address and SMS number a request gives (blank is not given), or error 5 or 11 for one that is neither.</summary>
    private static (EmailAddress? Email, string? Sms, int? Error) ParseKeys(string? emailText, string? smsText)
    {
        EmailAddress? email = null;
        string? sms = null;
        if (!string.IsNullOrWhiteSpace(emailText) && (email = EmailAddress.Parse(emailText)) is null) return (null, null, WireErrors.InvalidEmail);
        if (!string.IsNullOrWhiteSpace(smsText) && (sms = PhoneNumber.Normalize(smsText)) is null) return (null, null, WireErrors.InvalidPhoneNumber);
        return (email, sms, null);
    }

    /// <summary>The caller's address as the sign-up proof records it (IPv4 as dotted quad).</summary>
    internal static string ClientIp(HttpContext http) => http.Connection.RemoteIpAddress is { } ip
        ? (ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip).ToString()
        : "";
}
