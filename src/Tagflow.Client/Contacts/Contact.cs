using System.Globalization;
using System.Text.Json;
using Tagflow.Client.Http;

namespace Tagflow.Client;

/// <summary>
/// A contact as the server holds it. Timestamps are converted from the account's time zone; empty ones
/// are <see langword="null"/>. Maps of tags and activity are keyed by the tag, email or campaign id.
/// </summary>
public sealed class Contact
{
    /// <summary>The contact id.</summary>
    public long Id { get; init; }

    /// <summary>The opt-in process the contact subscribed through (<c>listid</c>); <see langword="null"/> when none.</summary>
    public long? OptInProcessId { get; init; }

    /// <summary>The email address; empty for a contact with only an SMS number.</summary>
    public string Email { get; init; } = "";

    /// <summary>The email subscription status.</summary>
    public ContactStatus Status { get; init; }

    /// <summary>The email bounce status.</summary>
    public BounceStatus Bounce { get; init; }

    /// <summary>When the contact confirmed the opt-in (<c>optin</c>).</summary>
    public DateTimeOffset? OptInAt { get; init; }

    /// <summary>The address the opt-in was confirmed from (<c>optin_ip</c>).</summary>
    public string OptInIp { get; init; } = "";

    /// <summary>When the contact subscribed (<c>date</c>).</summary>
    public DateTimeOffset? SubscribedAt { get; init; }

    /// <summary>The address the subscription came from (<c>ip</c>).</summary>
    public string Ip { get; init; } = "";

    /// <summary>When the contact unsubscribed (<c>unsubscription</c>).</summary>
    public DateTimeOffset? UnsubscribedAt { get; init; }

    /// <summary>The address the unsubscription came from (<c>unsubscription_ip</c>).</summary>
    public string UnsubscriptionIp { get; init; } = "";

    /// <summary>Where the subscription came from (<c>referrer</c>).</summary>
    public string Referrer { get; init; } = "";

    /// <summary>The SMS number, stored as <c>0049…</c> (<c>sms_phone</c>); empty when none.</summary>
    public string SmsNumber { get; init; } = "";

    /// <summary>The SMS subscription status.</summary>
    public ContactStatus SmsStatus { get; init; }

    /// <summary>The SMS bounce status.</summary>
    public BounceStatus SmsBounce { get; init; }

    /// <summary>When the SMS number subscribed (<c>sms_date</c>).</summary>
    public DateTimeOffset? SmsSubscribedAt { get; init; }

    /// <summary>When the SMS number unsubscribed (<c>sms_unsubscription</c>).</summary>
    public DateTimeOffset? SmsUnsubscribedAt { get; init; }

    /// <summary>Where the SMS subscription came from (<c>sms_referrer</c>).</summary>
    public string SmsReferrer { get; init; } = "";

    /// <summary>The data fields, standard and custom, with typed readers.</summary>
    public ContactFields Fields { get; init; } = new([]);

    /// <summary>Every tag the contact has, manual and smart (<c>tags</c>).</summary>
    public IReadOnlyList<long> TagIds { get; init; } = [];

    /// <summary>Manual tags → when they were assigned.</summary>
    public IReadOnlyDictionary<long, DateTimeOffset> ManualTags { get; init; } = Empty;

    /// <summary>SmartTags → when the system assigned them.</summary>
    public IReadOnlyDictionary<long, DateTimeOffset> SmartTags { get; init; } = Empty;

    /// <summary>Emails sent → when.</summary>
    public IReadOnlyDictionary<long, DateTimeOffset> EmailsSent { get; init; } = Empty;

    /// <summary>Emails opened → when.</summary>
    public IReadOnlyDictionary<long, DateTimeOffset> EmailsOpened { get; init; } = Empty;

    /// <summary>Emails clicked → when.</summary>
    public IReadOnlyDictionary<long, DateTimeOffset> EmailsClicked { get; init; } = Empty;

    /// <summary>Notification emails sent → when.</summary>
    public IReadOnlyDictionary<long, DateTimeOffset> NotificationEmailsSent { get; init; } = Empty;

    /// <summary>Notification emails opened → when.</summary>
    public IReadOnlyDictionary<long, DateTimeOffset> NotificationEmailsOpened { get; init; } = Empty;

    /// <summary>Notification emails clicked → when.</summary>
    public IReadOnlyDictionary<long, DateTimeOffset> NotificationEmailsClicked { get; init; } = Empty;

    /// <summary>Campaigns started → when.</summary>
    public IReadOnlyDictionary<long, DateTimeOffset> CampaignsStarted { get; init; } = Empty;

    /// <summary>Campaigns finished → when.</summary>
    public IReadOnlyDictionary<long, DateTimeOffset> CampaignsFinished { get; init; } = Empty;

    private static readonly IReadOnlyDictionary<long, DateTimeOffset> Empty = new Dictionary<long, DateTimeOffset>();

    private static readonly string[] TimestampFormats = ["dd.MM.yyyy HH:mm:ss", "dd.MM.yyyy HH:mm", "dd.MM.yyyy"];

    internal static Contact FromWire(JsonElement c, TimeZoneInfo timeZone)
    {
        if (c.ValueKind != JsonValueKind.Object) throw KlickTippException.UnexpectedAnswer($"Expected a contact object, got {c.ValueKind}.");
        string T(string name) => Json.Text(c, name);
        DateTimeOffset? At(string name) => Timestamp(T(name), timeZone);
        IReadOnlyDictionary<long, DateTimeOffset> Times(string name) => Json.TimeMap(c, name);

        return new Contact
        {
            Id = Json.Id(T("id")),
            OptInProcessId = Json.OptionalId(T("listid")),
            Email = T("email"),
            Status = StatusWire.ParseStatus(T("status")),
            Bounce = StatusWire.ParseBounce(T("bounce")),
            OptInAt = At("optin"),
            OptInIp = T("optin_ip"),
            SubscribedAt = At("date"),
            Ip = T("ip"),
            UnsubscribedAt = At("unsubscription"),
            UnsubscriptionIp = T("unsubscription_ip"),
            Referrer = T("referrer"),
            SmsNumber = T("sms_phone"),
            SmsStatus = StatusWire.ParseStatus(T("sms_status")),
            SmsBounce = StatusWire.ParseBounce(T("sms_bounce")),
            SmsSubscribedAt = At("sms_date"),
            SmsUnsubscribedAt = At("sms_unsubscription"),
            SmsReferrer = T("sms_referrer"),
            Fields = new ContactFields(c.EnumerateObject()
                .Where(p => p.Name.StartsWith("field", StringComparison.Ordinal) && p.Value.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array))
                .Select(p => new KeyValuePair<string, string>(p.Name, Json.Text(p.Value)))),
            TagIds = c.TryGetProperty("tags", out var tags) ? [.. Json.List(tags).Select(Json.Id)] : [],
            ManualTags = Times("manual_tags"),
            SmartTags = Times("smart_tags"),
            EmailsSent = Times("emails_sent"),
            EmailsOpened = Times("emails_opened"),
            EmailsClicked = Times("emails_clicked"),
            NotificationEmailsSent = Times("notification_emails_sent"),
            NotificationEmailsOpened = Times("notification_emails_opened"),
            NotificationEmailsClicked = Times("notification_emails_clicked"),
            CampaignsStarted = Times("campaigns_started"),
            CampaignsFinished = Times("campaigns_finished"),
        };
    }

    /// <summary><c>DD.MM.YYYY HH:MM:SS</c> in the account's time zone; Unix seconds are accepted too.</summary>
    internal static DateTimeOffset? Timestamp(string text, TimeZoneInfo timeZone)
    {
        text = text.Trim();
        if (text.Length == 0 || text == "0") return null;
        if (DateTime.TryParseExact(text, TimestampFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
            return new DateTimeOffset(local, timeZone.GetUtcOffset(local));
        return Json.UnixTime(text) ?? throw KlickTippException.UnexpectedAnswer($"'{text}' is not a timestamp (DD.MM.YYYY HH:MM:SS).");
    }
}
