using System.Globalization;
using System.Security.Cryptography;
using MimeKit;
using Tagflow.Accounts;
using Tagflow.Contacts;
using Tagflow.Delivery;

namespace Tagflow.Bounces;

/// <summary>
/// What a bounce address names: the account, the contact (0 for a confirmation email sent before its
/// contact was stored: then its address finds it), a random id of the email, and the signature.
/// </summary>
internal sealed record BounceToken(long AccountId, long ContactId, string EmailId, string Mac)
{
    public override string ToString() => $"{AccountId.ToString(CultureInfo.InvariantCulture)}-{ContactId.ToString(CultureInfo.InvariantCulture)}-{EmailId}-{Mac}";

    /// <summary>A token as <see cref="ToString"/> writes it, or as the local part of a bounce address (<c>bounce+token</c>); null for anything else.</summary>
    public static BounceToken? Parse(string text)
    {
        text = text.Trim().ToLowerInvariant();
        var at = text.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0) text = text[..at];
        if (text.StartsWith(BounceAddresses.LocalPrefix, StringComparison.Ordinal)) text = text[BounceAddresses.LocalPrefix.Length..];
        var parts = text.Split('-');
        return parts.Length == 4
            && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var account) && account > 0
            && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var contact)
            && parts[2].Length == BounceAddresses.EmailIdLength && parts[2].All(BounceAddresses.IsBase32)
            && parts[3].Length == BounceAddresses.MacLength && parts[3].All(BounceAddresses.IsBase32)
            ? new BounceToken(account, contact, parts[2], parts[3])
            : null;
    }
}

/// <summary>
/// The bounce addresses (VERP): each email goes out with the envelope sender
/// <c>bounce+&lt;token&gt;@&lt;bounce domain&gt;</c>, where the token names the account, the contact and
/// the email, signed with a key derived from the server key file over those and the address the email
/// went to (<see cref="KeyRing.BounceMac"/>), so that nobody can make one for another contact, and a
/// bounce for an address the contact no longer has does not match. The token is also in the
/// <see cref="MailMessages.BounceHeader"/> header, where it is found again in the copy of the email a
/// bounce or a complaint carries. Lower case throughout: servers may change the case of a local part.
/// </summary>
internal sealed class BounceAddresses(KeyRing keys, TagflowSettings settings)
{
    public const string LocalPrefix = "bounce+";
    public const int EmailIdLength = 8;
    public const int MacLength = 16;
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    public BounceSettings Settings => settings.Bounces;

    /// <summary>Gives an email its bounce token, when there is a bounce domain; <paramref name="contactId"/> 0 for a contact not stored yet.</summary>
    public void Stamp(MimeMessage message, long accountId, long contactId, string email)
    {
        if (settings.Bounces.Domain is null) return;
        var emailId = Base32(RandomNumberGenerator.GetBytes(5));
        var token = new BounceToken(accountId, contactId, emailId, Mac(accountId, contactId, emailId, Normalize(email)));
        message.Headers.Replace(MailMessages.BounceHeader, token.ToString());
    }

    /// <summary>Whether the token was made by this server for an email to <paramref name="normalizedEmail"/> (compared in constant time).</summary>
    public bool Matches(BounceToken token, string normalizedEmail) =>
        CryptographicOperations.FixedTimeEquals(
            System.Text.Encoding.ASCII.GetBytes(Mac(token.AccountId, token.ContactId, token.EmailId, normalizedEmail)),
            System.Text.Encoding.ASCII.GetBytes(token.Mac));

    public static bool IsBase32(char c) => c is >= 'a' and <= 'z' or >= '2' and <= '7';

    private string Mac(long accountId, long contactId, string emailId, string normalizedEmail) =>
        Base32(keys.BounceMac(string.Create(CultureInfo.InvariantCulture, $"{accountId}\n{contactId}\n{emailId}\n{normalizedEmail}"))[..10]);

    private static string Normalize(string email) => EmailAddress.Parse(email)?.Normalized ?? email.Trim().ToLowerInvariant();

    /// <summary>RFC 4648 base32 in lower case, without padding (5 bytes make 8 characters).</summary>
    private static string Base32(ReadOnlySpan<byte> bytes)
    {
        var text = new System.Text.StringBuilder(bytes.Length * 8 / 5 + 1);
        int buffer = 0, bits = 0;
        foreach (var b in bytes)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                text.Append(Alphabet[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        if (bits > 0) text.Append(Alphabet[(buffer << (5 - bits)) & 31]);
        return text.ToString();
    }
}
