using System.Globalization;
using System.Text.RegularExpressions;

namespace Tagflow.Fields;

/// <summary>
/// A data field as a form shows it (the app's contact page, a hosted sign-up form): the input fitting its type, the stored value in that
/// input's format, and the input's value back in the stored format. What is stored is then checked by
/// the API's own rules (<see cref="FieldCatalog.Check"/>); this only translates the browser's formats
/// (a date picker, a time picker, a decimal with a comma).
/// </summary>
internal static partial class FieldInputs
{
    /// <summary>The input element's type; a paragraph or HTML is a text area.</summary>
    public static string InputType(FieldType type) => type switch
    {
        FieldType.Email => "email",
        FieldType.Number => "number",
        FieldType.Url => "url",
        FieldType.Date => "date",
        FieldType.Time => "time",
        FieldType.DateTime => "datetime-local",
        _ => "text",
    };

    public static bool IsTextArea(FieldType type) => type is FieldType.Paragraph or FieldType.Html;

    /// <summary>The stored value in the input's format: a date (UTC day) for a Date, the account's local time for a Date and time.</summary>
    public static string Display(FieldType type, string? stored, TimeZoneInfo zone)
    {
        if (string.IsNullOrEmpty(stored)) return "";
        if (!long.TryParse(stored, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)) return stored;
        return type switch
        {
            FieldType.Date => DateTimeOffset.FromUnixTimeSeconds(n).UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            FieldType.DateTime => TimeZoneInfo.ConvertTimeFromUtc(DateTimeOffset.FromUnixTimeSeconds(n).UtcDateTime, zone)
                .ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture),
            FieldType.Time => TimeSpan.FromSeconds(n).ToString(n % 60 == 0 ? @"hh\:mm" : @"hh\:mm\:ss", CultureInfo.InvariantCulture),
            _ => stored,
        };
    }

    /// <summary>The input's value as the API takes it; an error when the input's own format is not met (an empty value clears).</summary>
    public static (string Value, string? Error) ToStored(FieldType type, string? input, TimeZoneInfo zone)
    {
        var text = type is FieldType.Paragraph or FieldType.Html ? (input ?? "").Replace("\r\n", "\n", StringComparison.Ordinal) : (input ?? "").Trim();
        if (text.Length == 0) return ("", null);
        switch (type)
        {
            case FieldType.Date:
                return DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
                    ? (Unix(date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc)), null)
                    : (text, "Expected a date such as 2024-05-08.");
            case FieldType.DateTime:
                if (!DateTime.TryParseExact(text, ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
                    return (text, "Expected a date and time such as 2024-05-08T14:30.");
                return zone.IsInvalidTime(local)
                    ? (text, "This time does not exist in the account's time zone (the clocks skip it).")
                    : (Unix(TimeZoneInfo.ConvertTimeToUtc(local, zone)), null);
            case FieldType.Time:
                return TimeOnly.TryParseExact(text, ["HH:mm", "HH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var time)
                    ? (((long)time.ToTimeSpan().TotalSeconds).ToString(CultureInfo.InvariantCulture), null)
                    : (text, "Expected a time such as 14:30.");
            case FieldType.Decimal:
                // People write amounts, not the API's hundredths: 20 is 20.00, 19,5 is 19.50.
                var amount = text.Replace(',', '.');
                return (WholeNumber().IsMatch(amount) ? amount + ".00" : amount, null);
            default:
                return (text, null);
        }
    }

    private static string Unix(DateTime utc) => new DateTimeOffset(utc, TimeSpan.Zero).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex("^-?[0-9]+$")]
    private static partial Regex WholeNumber();
}
