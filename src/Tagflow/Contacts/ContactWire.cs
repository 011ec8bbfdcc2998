using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Tagflow.Data;
using Tagflow.Fields;
using Tagflow.Tags;
using Tagflow.Wire;

namespace Tagflow.Contacts;

internal sealed record TagOnContact(long TagId, DateTime TaggedAt, TagKind Kind);

/// <summary>A campaign email sent to a contact: its id, and when it was sent, first opened and first clicked.</summary>
internal sealed record EmailActivity(long Id, DateTime Sent, DateTime? Opened, DateTime? Clicked);

/// <summary>A contact's way through a campaign: when it started, where it stands, when it ended.</summary>
internal sealed record CampaignActivity(long CampaignId, DateTime Started, Automations.RunState State, DateTime? Ended)
{
    public DateTime? Finished => State == Automations.RunState.Finished ? Ended : null;
}

/// <summary>What campaigns did with a contact: its emails and its campaigns.</summary>
internal sealed record ContactActivity(IReadOnlyList<EmailActivity> Emails, IReadOnlyList<CampaignActivity> Campaigns);

/// <summary>The contact object of the wire: every key, always, as strings (WIRE.md, "Response shapes").</summary>
internal static class ContactWire
{
    /// <summary>The activity maps Tagflow has no source for: it sends no notification emails.</summary>
    private static readonly string[] NotificationMaps =
    [
        "notification_emails_sent", "notification_emails_opened", "notification_emails_clicked",
    ];

    /// <summary>Reads a contact of the account as the wire shows it; null if the account has no such contact.</summary>
    public static async Task<WireObject?> LoadAsync(TagflowDb db, long accountId, long contactId, FieldCatalog catalog, TimeZoneInfo zone, CancellationToken cancellationToken)
    {
        var contact = await db.Contacts.AsNoTracking().SingleOrDefaultAsync(c => c.Id == contactId && c.AccountId == accountId, cancellationToken);
        if (contact is null) return null;
        var values = await db.ContactFields.AsNoTracking()
            .Where(f => f.ContactId == contactId)
            .ToDictionaryAsync(f => f.Key, f => f.Value, cancellationToken);
        var tags = await LoadTagsAsync(db, contactId, cancellationToken);
        return Build(contact, values, tags, catalog, zone, contact.HasCampaignActivity ? await LoadActivityAsync(db, contactId, cancellationToken) : null);
    }

    /// <summary>The contact's campaign emails and campaigns.</summary>
    public static async Task<ContactActivity> LoadActivityAsync(TagflowDb db, long contactId, CancellationToken cancellationToken) =>
        new(await ContactQueries.Emails(db, contactId).ToListAsync(cancellationToken), await ContactQueries.Campaigns(db, contactId).ToListAsync(cancellationToken));

    /// <summary>The contact's tags, manual and smart, with their tagging times.</summary>
    public static ValueTask<List<TagOnContact>> LoadTagsAsync(TagflowDb db, long contactId, CancellationToken cancellationToken) =>
        ContactQueries.Tags(db, contactId).ToListAsync(cancellationToken);

    /// <summary>The contact object from a contact, its field values by key, and its tags.</summary>
    public static WireObject Build(Contact contact, IReadOnlyDictionary<string, string> values, IEnumerable<TagOnContact> tagsOnContact,
        FieldCatalog catalog, TimeZoneInfo zone, ContactActivity? activity)
    {
        var tags = tagsOnContact.OrderBy(t => t.TagId).ToList();
        var sms = contact.SmsPhone is not null;
        var o = new WireObject
        {
            ["id"] = Id(contact.Id),
            ["listid"] = Id(contact.ListId),
            ["optin"] = Time(contact.OptInAt, zone),
            ["optin_ip"] = contact.OptInIp,
            ["email"] = contact.Email ?? "",
            ["status"] = StatusLabel(contact.Status),
            ["bounce"] = BounceLabel(contact.Bounce),
            ["date"] = Time(contact.SignupAt, zone),
            ["ip"] = contact.SignupIp,
            ["unsubscription"] = Time(contact.UnsubscribedAt, zone),
            ["unsubscription_ip"] = contact.UnsubscribedIp,
            ["referrer"] = "",
            ["sms_phone"] = contact.SmsPhone ?? "",
            ["sms_status"] = sms ? StatusLabel(contact.Status) : "",
            ["sms_bounce"] = sms ? BounceLabel(BounceStatus.None) : "",
            ["sms_date"] = sms ? Time(contact.SmsSignupAt, zone) : "",
            ["sms_unsubscription"] = sms ? Time(contact.UnsubscribedAt, zone) : "",
            ["sms_referrer"] = "",
        };
        foreach (var field in catalog.All)
            o[field.Key] = values.GetValueOrDefault(field.Key, "");
        o["tags"] = tags.Select(t => Id(t.TagId)).ToArray();
        o["manual_tags"] = tags.Where(t => t.Kind == TagKind.Manual).ToDictionary(t => Id(t.TagId), t => UnixTime(t.TaggedAt));
        o["smart_tags"] = tags.Where(t => t.Kind == TagKind.Smart).ToDictionary(t => Id(t.TagId), t => UnixTime(t.TaggedAt));
        var emails = activity?.Emails ?? [];
        var campaigns = activity?.Campaigns ?? [];
        o["emails_sent"] = emails.ToDictionary(m => Id(m.Id), m => UnixTime(m.Sent));
        o["emails_opened"] = emails.Where(m => m.Opened is not null).ToDictionary(m => Id(m.Id), m => UnixTime(m.Opened!.Value));
        o["emails_clicked"] = emails.Where(m => m.Clicked is not null).ToDictionary(m => Id(m.Id), m => UnixTime(m.Clicked!.Value));
        foreach (var map in NotificationMaps)
            o[map] = new Dictionary<string, string>();
        o["campaigns_started"] = campaigns.ToDictionary(c => Id(c.CampaignId), c => UnixTime(c.Started));
        o["campaigns_finished"] = campaigns.Where(c => c.Finished is not null).ToDictionary(c => Id(c.CampaignId), c => UnixTime(c.Finished!.Value));
        return o;
    }

    public static string StatusLabel(ContactStatus status) => status switch
    {
        ContactStatus.Pending => "Opt-In Pending",
        ContactStatus.Subscribed => "Subscribed",
        _ => "Unsubscribed",
    };

    public static string BounceLabel(BounceStatus bounce) => bounce switch
    {
        BounceStatus.Soft => "Soft Bounce",
        BounceStatus.Hard => "Hard Bounce",
        BounceStatus.Spam => "Spam Bounce",
        _ => "Not Bounced",
    };

    public static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

    public static string UnixTime(DateTime utc) =>
        new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc)).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    /// <summary><c>DD.MM.YYYY HH:MM:SS</c> in the account's time zone; empty when unknown.</summary>
    private static string Time(DateTime? utc, TimeZoneInfo zone) => utc is { } t
        ? TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(t, DateTimeKind.Utc), zone).ToString("dd.MM.yyyy HH:mm:ss", CultureInfo.InvariantCulture)
        : "";
}
