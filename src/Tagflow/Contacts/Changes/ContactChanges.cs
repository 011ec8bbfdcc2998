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

/// <summary>What an add-or-update asks for, as any door received it: not yet checked.</summary>
internal sealed record ContactInput(string? Email, string? SmsNumber, long? ListId, long? TagId, IReadOnlyDictionary<string, string?>? Fields);

/// <summary>
/// The one place where a contact is added, updated, tagged, untagged, confirmed, unsubscribed and
/// deleted, whichever door the change came through (the API, a listbuilding key, a link in an
/// email, and later the admin app and imports): every rule, event, SmartTag and confirmation email
/// is the same for all. It takes checked-or-to-check values and a <see cref="ChangeOrigin"/>, never
/// a request, and answers a <see cref="ContactResult{T}"/> that each caller turns into its answer.
/// </summary>
/// <remarks>
/// Each change runs under the account's writer (<see cref="Writes"/>), where what it depends on is
/// read once and checked there. Only a confirmation email through an SMTP relay is decided ahead of
/// the writer: the relay must take it before anything is stored (error 6 if it does not), and the
/// writer must not wait on the network. The outbox takes it with the change, in the same commit.
/// </remarks>
internal sealed partial class ContactChanges(TagflowDb db, Writes writes, ReferenceCache references, IMailRelay relay, TimeProvider clock,
    Bounces.BounceAddresses bounces)
{
    /// <summary>The relay stores a confirmation email with its change; an SMTP relay sends it before.</summary>
    private bool SendsWithTheChange => relay is OutboxRelay;

    /// <summary>
    /// Adds a contact, or updates the one with this address (else this SMS number). Through a
    /// sign-in, an address that unsubscribed may come back through a double opt-in: it gets a
    /// confirmation email whose link (and nothing else) subscribes it again.
    /// </summary>
    public async Task<ContactResult<SavedContact>> AddOrUpdateAsync(ChangeOrigin origin, ContactInput input, CancellationToken cancellationToken)
    {
        var accountId = origin.AccountId;
        if (string.IsNullOrWhiteSpace(input.Email) && string.IsNullOrWhiteSpace(input.SmsNumber))
            return ContactResult<SavedContact>.Refused(WireErrors.EmailOrSmsRequired);
        var (email, sms, keyError) = ParseKeys(input.Email, input.SmsNumber);
        if (keyError is { } error) return ContactResult<SavedContact>.Refused(error);
        var refs = await references.GetAsync(db, accountId, origin.ReferenceVersion, cancellationToken);
        var catalog = refs.Fields;
        var (values, fieldError) = catalog.Check(input.Fields);
        if (fieldError is not null) return ContactResult<SavedContact>.Refused(fieldError);
        if (refs.Process(input.ListId) is not { } list) return ContactResult<SavedContact>.Refused(WireErrors.OptInProcessNotFound);
        if (email is not null && await refs.IsBlockedAsync(db, email, cancellationToken)) return ContactResult<SavedContact>.Refused(WireErrors.Blocked);

        PreparedConfirmation? sent = null;
        if (!SendsWithTheChange && email is not null)
        {
            var (confirmation, refusal) = await SendAheadAsync(origin, refs, list, email, sms, input.TagId, values, cancellationToken);
            if (refusal is { } refused) return ContactResult<SavedContact>.Refused(refused);
            sent = confirmation;
        }

        return await writes.RunAsync(accountId, async (db, cancellationToken) =>
        {
            var match = await ContactMatch.FindAsync(db, accountId, email, sms, tracked: true, cancellationToken);
            if (match.SmsIsAnotherPersons(email)) return Refuse<SavedContact>(WireErrors.SmsNumberTaken);
            var contact = match.Contact;
            var now = clock.GetUtcNow().UtcDateTime;
            var confirming = sent?.For ?? (SendsWithTheChange && email is not null ? await DecideAsync(db, origin, refs, list, match, now, cancellationToken) : null);
            // Unsubscribed stays unsubscribed, unless a sign-in's confirmation email asks the contact's own click.
            if (contact?.Status == ContactStatus.Unsubscribed && confirming is not { Resubscribes: true }) return Refuse<SavedContact>(WireErrors.Unsubscribed);
            if (input.TagId is { } checkedTag && await ManualTagErrorAsync(db, accountId, [checkedTag], cancellationToken) is { } tagError)
                return Refuse<SavedContact>(tagError);
            if (sms is not null && contact?.SmsPhone != sms && match.SmsTakenOtherThan(contact)) return Refuse<SavedContact>(WireErrors.SmsNumberTaken);

            var ip = origin.Ip;
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
                    SignupSource = origin.SignupSource,
                    OptInAt = single ? now : null,
                    OptInIp = single ? ip : "",
                    CreatedAt = now,
                    UpdatedAt = now,
                };
                await db.SaveNewAsync(contact, cancellationToken); // for the id
                if (confirming is not null && !single)
                {
                    if ((sent ?? Prepare(origin, confirming, contact.Id, email!.Address, values, now)) is not { } confirmation)
                        return Refuse<SavedContact>(WireErrors.ConfirmationNotSent);
                    StoreConfirmation(db, accountId, contact.Id, confirmation, now);
                }
                (stored, tags) = ([], []);
                if (single)
                    tags.Add(new TagOnContact(await ConfirmedAsync(db, accountId, contact, list.Id, now, cancellationToken, isNew: true), now, TagKind.Smart));
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
                if (confirming is not null && (contact.Status == ContactStatus.Pending || confirming.Resubscribes || confirming.AddsAddress))
                {
                    if ((sent ?? Prepare(origin, confirming, contact.Id, email!.Address, TemplateValues(stored, values), now)) is not { } confirmation)
                        return Refuse<SavedContact>(WireErrors.ConfirmationNotSent);
                    StoreConfirmation(db, accountId, contact.Id, confirmation, now);
                }
                if (confirming is { Resubscribes: true } && contact.Status == ContactStatus.Unsubscribed)
                {
                    // The new sign-up is the one the click will confirm: its process and proof replace the old ones.
                    (contact.ListId, contact.SignupAt, contact.SignupIp, contact.SignupSource) = (list.Id, now, ip, origin.SignupSource);
                }
                // The address is the lookup key: only a contact found by its SMS number gets a new one.
                var newEmail = email is not null && contact.NormalizedEmail != email.Normalized && confirming is not { AddsAddress: true } ? email : null;
                if (ApplyChanges(db, contact, newEmail, sms, values, stored, now)) await AddressChangedAsync(db, contact, cancellationToken);
            }
            if (input.TagId is { } tag)
                tags.AddRange(AddTags(db, accountId, contact.Id, [tag], [.. tags.Select(t => t.TagId)], now)
                    .Select(id => new TagOnContact(id, now, TagKind.Manual)));
            if (origin.SmartTag is { } smartTag)
            {
                var smartTagId = await SmartTags.EnsureAsync(db, accountId, smartTag.Key, smartTag.Name, now, cancellationToken);
                tags.AddRange(AddTags(db, accountId, contact.Id, [smartTagId], [.. tags.Select(t => t.TagId)], now)
                    .Select(id => new TagOnContact(id, now, TagKind.Smart)));
            }
            return Keep(new SavedContact(contact, stored.ToDictionary(f => f.Key, f => f.Value.Value), tags, activity, catalog));
        }, cancellationToken);
    }

    /// <summary>
    /// With an SMTP relay: decides the confirmation email before the change, refuses ahead what the
    /// change would refuse (so that no email goes to an address whose change is refused), and has
    /// the relay take it. The decision is the writer's one (<see cref="DecideAsync"/>) on what was
    /// read a moment before; the change then stores the link.
    /// </summary>
    private async Task<(PreparedConfirmation? Sent, int? Refusal)> SendAheadAsync(ChangeOrigin origin, ReferenceData refs, ProcessChoice list, EmailAddress email,
        string? sms, long? tagId, Dictionary<string, string> values, CancellationToken cancellationToken)
    {
        var match = await ContactMatch.FindAsync(db, origin.AccountId, email, sms, tracked: false, cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        if (await DecideAsync(db, origin, refs, list, match, now, cancellationToken) is not { } confirming) return (null, null);
        if (tagId is { } tag && refs.ManualTagError([tag]) is { } tagError) return (null, tagError);
        if (match.ByEmail is { } existing && sms is not null && match.SmsTakenOtherThan(existing)) return (null, WireErrors.SmsNumberTaken);
        var templateValues = match.ByEmail is { } found ? await TemplateValuesAsync(db, found.Id, values, cancellationToken) : values;
        return await SendAsync(origin, confirming, match.ByEmail?.Id ?? 0, email.Address, templateValues, cancellationToken) is { } sent
            ? (sent, null)
            : (null, WireErrors.ConfirmationNotSent);
    }

    /// <summary>
    /// Which confirmation email an add-or-update with an address sends, if any: a new contact of a
    /// double opt-in gets one (a hard-bounced or complaining one never); a pending one gets it again when its process says so (at most every
    /// 10 minutes); through a sign-in, one found by its SMS number that has no address yet gets one
    /// for this address (it becomes the contact's only once confirmed, like a change of address),
    /// and one that unsubscribed may sign up again.
    /// </summary>
    private static async Task<Confirming?> DecideAsync(TagflowDb db, ChangeOrigin origin, ReferenceData refs, ProcessChoice list, ContactMatch match, DateTime now,
        CancellationToken cancellationToken)
    {
        if (match.ByEmail is not { } existing)
        {
            if (list.UseSingleOptIn) return null;
            if (match.BySms is null) return new(list);
            return origin.IsSignIn && match.BySms.NormalizedEmail is null ? new(list, AddsAddress: true) : null;
        }
        if (!refs.AnyResends && !origin.IsSignIn) return null;
        if (existing.Bounce is BounceStatus.Hard or BounceStatus.Spam) return null; // an address that bounced for good, or complained, gets no more email
        if (existing.Status is not (ContactStatus.Pending or ContactStatus.Unsubscribed)) return null;
        if (await ConfirmationAllowedFromAsync(db, existing.Id, cancellationToken) > now) return null;
        if (existing.Status == ContactStatus.Pending && ConfirmingProcess(refs, existing.ListId) is { ResendConfirmationEmail: true } process) return new(process);
        return origin.IsSignIn && existing.Status == ContactStatus.Unsubscribed && !list.UseSingleOptIn ? new(list, Resubscribes: true) : null;
    }

    /// <summary>The contact's stored field values by key, with <paramref name="overrides"/> on top.</summary>
    private static Dictionary<string, string> TemplateValues(Dictionary<string, ContactField> stored, IReadOnlyDictionary<string, string> overrides)
    {
        var values = stored.ToDictionary(f => f.Key, f => f.Value.Value);
        foreach (var (key, value) in overrides) values[key] = value;
        return values;
    }

    /// <summary>The address and SMS number given (blank is not given), or error 5 or 11 for one that is neither.</summary>
    private static (EmailAddress? Email, string? Sms, int? Error) ParseKeys(string? emailText, string? smsText)
    {
        EmailAddress? email = null;
        string? sms = null;
        if (!string.IsNullOrWhiteSpace(emailText) && (email = EmailAddress.Parse(emailText)) is null) return (null, null, WireErrors.InvalidEmail);
        if (!string.IsNullOrWhiteSpace(smsText) && (sms = PhoneNumber.Normalize(smsText)) is null) return (null, null, WireErrors.InvalidPhoneNumber);
        return (email, sms, null);
    }

    private static WriteOutcome<ContactResult<T>> Keep<T>(T value) => WriteOutcome<ContactResult<T>>.Kept(ContactResult<T>.Ok(value));

    /// <summary>A change refused with a 406 error: nothing it did is kept.</summary>
    private static WriteOutcome<ContactResult<T>> Refuse<T>(int error) => WriteOutcome<ContactResult<T>>.Refused(ContactResult<T>.Refused(error));

    private static WriteOutcome<ContactResult<T>> Refuse<T>(WireError error) => WriteOutcome<ContactResult<T>>.Refused(ContactResult<T>.Refused(error));
}
