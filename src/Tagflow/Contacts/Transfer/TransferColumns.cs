using System.Globalization;
using Tagflow.Wire;

namespace Tagflow.Contacts;

/// <summary>
/// The columns of Tagflow's contact files, what an export writes and an import reads (CSV header
/// names and NDJSON keys alike): these, then the data fields by key (<c>fieldFirstName</c>,
/// <c>field12</c>; an import also takes a field's label). Times are ISO 8601 with the account's
/// offset on export; an import also reads them without an offset (the account's zone), as the
/// wire's <c>DD.MM.YYYY HH:MM:SS</c>, as a date alone, or as Unix seconds.
/// </summary>
internal static class TransferColumns
{
    public const string Email = "email";
    public const string SmsPhone = "sms_phone";
    public const string Status = "status";
    public const string Bounce = "bounce";
    /// <summary>The opt-in process, by the id it has in the account the file is imported into.</summary>
    public const string ListId = "listid";
    public const string SignupAt = "signup_at";
    public const string SignupIp = "signup_ip";
    public const string SignupSource = "signup_source";
    public const string OptInAt = "optin_at";
    public const string OptInIp = "optin_ip";
    public const string UnsubscribedAt = "unsubscribed_at";
    public const string UnsubscribedIp = "unsubscribed_ip";
    /// <summary>The manual tags, by name, joined by the tag separator (an array in NDJSON).</summary>
    public const string Tags = "tags";
    /// <summary>The SmartTags by name, written for the reader; an import skips them, as only the system assigns SmartTags.</summary>
    public const string SmartTags = "smart_tags";

    /// <summary>Between tag names in one CSV cell, unless the file says otherwise.</summary>
    public const char DefaultTagSeparator = '|';

    /// <summary>Whether a character may separate tag names in a cell (the same for import and export): no letter, digit, space, quote or control character.</summary>
    public static bool IsTagSeparator(char c) => !char.IsLetterOrDigit(c) && !char.IsWhiteSpace(c) && !WireText.IsControl(c) && !char.IsSurrogate(c) && c != '"';

    public const string TagSeparatorHelp = "one character that is no letter, digit, space, quote or control character, such as | (the default), ; or /";

    /// <summary>The columns before the data fields, in the order an export writes them.</summary>
    public static readonly IReadOnlyList<string> Leading =
        [Email, SmsPhone, Status, Bounce, ListId, SignupAt, SignupIp, SignupSource, OptInAt, OptInIp, UnsubscribedAt, UnsubscribedIp, Tags, SmartTags];

    /// <summary>Other names an import takes for the same columns: the keys of the wire's contact object, and common spellings.</summary>
    public static readonly IReadOnlyDictionary<string, string> Aliases = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["email_address"] = Email,
        ["emailaddress"] = Email,
        ["smsnumber"] = SmsPhone,
        ["sms_number"] = SmsPhone,
        ["list_id"] = ListId,
        ["date"] = SignupAt,
        ["ip"] = SignupIp,
        ["optin"] = OptInAt,
        ["unsubscription"] = UnsubscribedAt,
        ["unsubscription_ip"] = UnsubscribedIp,
    };

    /// <summary>The column a header names (case-insensitively), or null if it names none of these.</summary>
    public static string? Find(string header)
    {
        var name = header.Trim();
        foreach (var column in Leading)
            if (string.Equals(column, name, StringComparison.OrdinalIgnoreCase)) return column;
        return Aliases.GetValueOrDefault(name);
    }

    /// <summary>A time as an export writes it: ISO 8601 in the account's zone, with its offset; empty when unknown.</summary>
    public static string FormatTime(DateTime? utc, TimeZoneInfo zone)
    {
        if (utc is not { } t) return "";
        var at = DateTime.SpecifyKind(t, DateTimeKind.Utc);
        return new DateTimeOffset(at).ToOffset(zone.GetUtcOffset(at)).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
    }

    private static readonly string[] LocalFormats =
    [
        "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd HH:mm", "yyyy-MM-dd",
        "dd.MM.yyyy HH:mm:ss", "dd.MM.yyyy HH:mm", "dd.MM.yyyy",
    ];

    /// <summary>Reads a time of an imported file as UTC; false for text that is none of the accepted forms.</summary>
    public static bool TryParseTime(string text, TimeZoneInfo zone, out DateTime utc)
    {
        utc = default;
        var value = text.Trim();
        if (value.Length > 0 && value.All(char.IsAsciiDigit))
        {
            if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds > 253402300799) return false;
            utc = DateTimeOffset.FromUnixTimeSeconds(seconds).UtcDateTime;
            return true;
        }
        if (DateTime.TryParseExact(value, LocalFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            // A wall-clock time that the zone skips (a spring-forward hour) is read as the moment just after.
            if (zone.IsInvalidTime(local)) local = local.AddHours(1);
            utc = TimeZoneInfo.ConvertTimeToUtc(local, zone);
            return true;
        }
        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var withOffset)
            && (value.EndsWith('Z') || value.EndsWith('z') || HasOffset(value)))
        {
            utc = withOffset.UtcDateTime;
            return true;
        }
        return false;
    }

    /// <summary>Whether ISO text ends in <c>+hh:mm</c>, <c>-hh:mm</c>, <c>+hhmm</c> or <c>+hh</c> after its time.</summary>
    private static bool HasOffset(string value)
    {
        var t = value.IndexOfAny(['T', 't', ' ']);
        if (t < 0) return false;
        var sign = value.LastIndexOfAny(['+', '-']);
        return sign > t;
    }

    /// <summary>A status as the wire writes it ("Opt-In Pending") or as a word (pending, subscribed, unsubscribed).</summary>
    public static ContactStatus? ParseStatus(string text) => Letters(text) switch
    {
        "pending" or "optinpending" => ContactStatus.Pending,
        "subscribed" => ContactStatus.Subscribed,
        "unsubscribed" => ContactStatus.Unsubscribed,
        _ => null,
    };

    /// <summary>A bounce state as the wire writes it ("Hard Bounce") or as a word (none, soft, hard, spam).</summary>
    public static BounceStatus? ParseBounce(string text) => Letters(text) switch
    {
        "" or "none" or "notbounced" or "nobounce" => BounceStatus.None,
        "soft" or "softbounce" => BounceStatus.Soft,
        "hard" or "hardbounce" => BounceStatus.Hard,
        "spam" or "spambounce" => BounceStatus.Spam,
        _ => null,
    };

    private static string Letters(string text) => new string([.. text.Where(char.IsLetter)]).ToLowerInvariant();
}
