using System.Globalization;
using MimeKit;

namespace Tagflow.Contacts;

/// <summary>
/// An email address as Tagflow accepts it: one bare mailbox (no display name, no route) that MimeKit's
/// strict RFC 5322 parser reads, on a domain of at least two labels. Internationalised domains
/// (<c>bücher.de</c>) are matched by their ASCII form (<c>xn--bcher-kva.de</c>).
/// </summary>
internal sealed record EmailAddress(string Address, string Normalized)
{
    private static readonly ParserOptions Strict = CreateParserOptions();
    private static readonly IdnMapping Idn = new() { UseStd3AsciiRules = true };

    /// <summary>The domain part of the normalized address.</summary>
    public string Domain => Normalized[(Normalized.LastIndexOf('@') + 1)..];

    public static EmailAddress? Parse(string? text)
    {
        var address = text?.Trim();
        if (string.IsNullOrEmpty(address) || address.Length > 254 || address.Contains('<') || address.Contains(','))
            return null;
        if (!MailboxAddress.TryParse(Strict, address, out var mailbox) ||
            mailbox.Name is { Length: > 0 } || mailbox.Route.Count > 0 ||
            mailbox.LocalPart is not { Length: > 0 and <= 64 } local)
            return null;
        var domain = NormalizeDomain(mailbox.Domain);
        return domain is null ? null : new EmailAddress(address, local.ToLowerInvariant() + "@" + domain);
    }

    /// <summary>
    /// A domain in lower-case ASCII form, or null unless it is a host name of letters, digits and
    /// hyphens with at least two labels and an alphabetic top-level label.
    /// </summary>
    public static string? NormalizeDomain(string? domain)
    {
        if (string.IsNullOrEmpty(domain) || domain.StartsWith('[')) return null;
        string ascii;
        try
        {
            ascii = Idn.GetAscii(domain.TrimEnd('.')).ToLowerInvariant();
        }
        catch (ArgumentException)
        {
            return null;
        }
        var labels = ascii.Split('.');
        if (ascii.Length > 253 || labels.Length < 2 || labels.Any(l => l.Length is 0 or > 63)) return null;
        var top = labels[^1];
        return top.StartsWith("xn--", StringComparison.Ordinal) || top.All(char.IsAsciiLetter) ? ascii : null;
    }

    private static ParserOptions CreateParserOptions()
    {
        var options = ParserOptions.Default.Clone();
        options.AddressParserComplianceMode = RfcComplianceMode.Strict;
        options.AllowAddressesWithoutDomain = false;
        options.AllowUnquotedCommasInAddresses = false;
        return options;
    }
}
