using PhoneNumbers;

namespace Tagflow.Contacts;

/// <summary>Phone numbers in international form (<c>+49…</c> or <c>0049…</c>), checked by libphonenumber.</summary>
internal static class PhoneNumber
{
    private static readonly PhoneNumberUtil Util = PhoneNumberUtil.GetInstance();

    /// <summary>The number as Tagflow stores it, <c>00&lt;country&gt;&lt;number&gt;</c>; null unless it is a valid number.</summary>
    public static string? Normalize(string? text)
    {
        var number = text?.Trim();
        // Digits and the usual separators only: libphonenumber would read letters as a keypad's digits.
        if (string.IsNullOrEmpty(number) || number.Length > 40 || !number.All(c => char.IsAsciiDigit(c) || c is '+' or ' ' or '-' or '(' or ')' or '/' or '.'))
            return null;
        if (number.StartsWith("00", StringComparison.Ordinal)) number = "+" + number[2..];
        if (!number.StartsWith('+')) return null;
        try
        {
            var parsed = Util.Parse(number, null);
            return Util.IsValidNumber(parsed) ? "00" + Util.Format(parsed, PhoneNumberFormat.E164)[1..] : null;
        }
        catch (NumberParseException)
        {
            return null;
        }
    }
}
