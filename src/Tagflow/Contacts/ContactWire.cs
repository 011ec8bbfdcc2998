using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Tagflow.Data;
using Tagflow.Fields;
using Tagflow.Tags;

namespace Tagflow.Contacts;

internal sealed record TagOnContact(long TagId, DateTime TaggedAt, TagKind Kind);

/// <summary>The contact object of the wire: every key, always, as strings (WIRE.md, "Response shapes").</summary>
internal static class ContactWire
{
    private static readonly string[] ActivityMaps =
    [
        "emails_sent", "emails_opened", "emails_clicked",
        "notification_emails_sent", "notification_emails_opened", "notification_emails_clicked",
        "campaigns_started", "campaigns_finished",
    ];

    /// <summary>Reads a contact of the account as the wire shows it; null if the account has no such contact.</summary>
    public static async Task<Dictionary<string, object>?> LoadAsync(TagflowDb db, long accountId, long contactId, FieldCatalog catalog, TimeZoneInfo zone, CancellationToken cancellationToken)
    {
        var contact = await db.Contacts.AsNoTracking().SingleOrDefaultAsync(c => c.Id == contactId && c.AccountId == accountId, cancellationToken);
        if (contact is null) return null;
        var values = await db.ContactFields.AsNoTracking()
            .Where(f => f.ContactId == contactId)
            .ToDictionaryAsync(f => f.Key, f => f.Value, cancellationToken);
        var tags = await LoadTagsAsync(db, contactId, cancellationToken);
        return Build(contact, values, tags, catalog, zone);
    }

    /// <summary>The contact's tags, manual and smart, with their tagging times.</summary>
    public static ValueTask<List<TagOnContact>> LoadTagsAsync(TagflowDb db, long contactId, CancellationToken cancellationToken) =>
        ContactQueries.Tags(db, contactId).ToListAsync(cancellationToken);

    /// <summary>The contact object from a contact, its field values by key, and its tags.</summary>
    public static Dictionary<string, object> Build(Contact contact, IReadOnlyDictionary<string, string> values, IEnumerable<TagOnContact> tagsOnContact, FieldCatalog catalog, TimeZoneInfo zone)
    {
        var tags = tagsOnContact.OrderBy(t => t.TagId).ToList();
        var sms = contact.SmsPhone is not null;
        var o = new Dictionary<string, object>
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
        foreach (var map in ActivityMaps)
            o[map] = new Dictionary<string, string>();
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
