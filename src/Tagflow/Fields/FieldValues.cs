using System.Globalization;
using System.Text.RegularExpressions;
using Tagflow.Contacts;

namespace Tagflow.Fields;

/// <summary>A field value checked against its type: the form to store, or why it does not fit.</summary>
internal readonly record struct FieldValue(string? Stored, string? Refusal)
{
    public static FieldValue Ok(string stored) => new(stored, null);
    public static FieldValue Refused(string reason) => new(null, reason);
}

/// <summary>What a value of each field type must be, and the form it is stored in (WIRE.md, "Data fields").</summary>
internal static partial class FieldValues
{
    public const int MaxLineLength = 255;
    public const int MaxTextLength = 65_535;

    /// <summary>Checks a non-empty value; an empty value clears a field and needs no check.</summary>
    public static FieldValue Check(FieldType type, string value) => type switch
    {
        FieldType.Line => value.Contains('\n') || value.Contains('\r') ? FieldValue.Refused("A line may not contain line breaks.")
            : value.Length > MaxLineLength ? FieldValue.Refused($"A line may have at most {MaxLineLength} characters.")
            : FieldValue.Ok(value),
        FieldType.Paragraph or FieldType.Html => value.Length > MaxTextLength
            ? FieldValue.Refused($"The text may have at most {MaxTextLength} characters.")
            : FieldValue.Ok(value),
        FieldType.Email => EmailAddress.Parse(value) is { } address ? FieldValue.Ok(address.Address)
            : FieldValue.Refused("Expected an email address such as anna@example.com."),
        FieldType.Number => Integer().IsMatch(value) && long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)
            ? FieldValue.Ok(value)
            : FieldValue.Refused("Expected a whole number: digits with an optional leading minus, nothing else."),
        FieldType.Decimal => CheckDecimal(value),
        FieldType.Url => Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.Host.Length > 0
            && value.StartsWith(uri.Scheme + "://", StringComparison.OrdinalIgnoreCase) && !value.Any(char.IsWhiteSpace) && value.Length <= 2048
            ? FieldValue.Ok(value)
            : FieldValue.Refused("Expected an absolute URL beginning with http:// or https://."),
        FieldType.Time => Integer().IsMatch(value) && int.TryParse(value, CultureInfo.InvariantCulture, out var seconds) && seconds is >= 0 and <= 86_399
            ? FieldValue.Ok(seconds.ToString(CultureInfo.InvariantCulture))
            : FieldValue.Refused("Expected seconds since midnight, a whole number from 0 to 86399."),
        FieldType.Date or FieldType.DateTime => CheckUnixTime(value),
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    private static FieldValue CheckDecimal(string value)
    {
        // A whole number means hundredths (1999 = 19.99); a dotted one has at most two places.
        var match = DecimalNumber().Match(value);
        if (!match.Success) return FieldValue.Refused("Expected hundredths as a whole number (1999 = 19.99) or a decimal with a dot and at most two places (19.5).");
        var negative = match.Groups["sign"].Success;
        var whole = match.Groups["whole"].Value;
        string units, cents;
        if (match.Groups["places"].Success)
        {
            units = whole;
            cents = match.Groups["places"].Value.PadRight(2, '0');
        }
        else
        {
            var padded = whole.PadLeft(3, '0');
            units = padded[..^2];
            cents = padded[^2..];
        }
        if (!decimal.TryParse($"{units}.{cents}", CultureInfo.InvariantCulture, out var amount) || amount > 1_000_000_000_000_000m)
            return FieldValue.Refused("The number is too large.");
        var text = amount.ToString("0.00", CultureInfo.InvariantCulture);
        return FieldValue.Ok(negative && amount != 0 ? "-" + text : text);
    }

    private static FieldValue CheckUnixTime(string value)
    {
        // Between the years 1 and 9999: birthdays before 1970 are negative.
        const long min = -62_135_596_800, max = 253_402_300_799;
        return Integer().IsMatch(value) && long.TryParse(value, CultureInfo.InvariantCulture, out var t) && t is >= min and <= max
            ? FieldValue.Ok(t.ToString(CultureInfo.InvariantCulture))
            : FieldValue.Refused("Expected a Unix timestamp in seconds, such as 1715126400; formatted dates are not accepted.");
    }

    [GeneratedRegex(@"^-?[0-9]+$")]
    private static partial Regex Integer();

    [GeneratedRegex(@"^(?<sign>-)?(?<whole>[0-9]+)(\.(?<places>[0-9]{1,2}))?$")]
    private static partial Regex DecimalNumber();
}
