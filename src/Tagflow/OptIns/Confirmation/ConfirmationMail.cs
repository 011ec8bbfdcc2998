using System.Net;
using System.Security.Cryptography;
using MimeKit;
using Tagflow.Accounts;
using Tagflow.Delivery;
using Tagflow.Fields;

namespace Tagflow.OptIns;

/// <summary>
/// The confirmation email of a double opt-in: a new link (see <see cref="OptInToken"/>), the
/// process's templates filled with the contact's address and field values, from the process's
/// sender (see <see cref="MailMessages.Sender"/>).
/// </summary>
internal static class ConfirmationMail
{
    public const string ConfirmPath = "/optin/";

    /// <summary>A pending contact gets its confirmation email again at most this often.</summary>
    public static readonly TimeSpan ResendInterval = TimeSpan.FromMinutes(10);

    /// <summary>A new confirmation secret for a link, and the hash under which it is stored.</summary>
    public static (string Token, string Hash) NewToken()
    {
        var token = Base64Url(RandomNumberGenerator.GetBytes(32));
        return (token, Secrets.LookupHash(token));
    }

    /// <summary>
    /// Builds the message for a contact of a process from what the request already holds (no query):
    /// <paramref name="fields"/> are the contact's values by key.
    /// </summary>
    public static MimeMessage Create(ProcessChoice process, string accountEmail, string email, FieldCatalog catalog,
        IReadOnlyDictionary<string, string> fields, string confirmUrl, DateTimeOffset now)
    {
        var sender = MailMessages.Sender(process.SenderAddress, accountEmail);
        string Value(string name, bool html)
        {
            var value = name == ConfirmationTemplate.ConfirmUrl ? confirmUrl
                : name == "email" ? email
                : catalog.Find(name) is { } field ? fields.GetValueOrDefault(field.Key) ?? "" : "";
            return html ? WebUtility.HtmlEncode(value) : value;
        }
        var subject = ConfirmationTemplate.Fill(process.Subject, n => Value(n, html: false)).ReplaceLineEndings(" ");
        var text = ConfirmationTemplate.Fill(process.TextTemplate, n => Value(n, html: false));
        var htmlBody = process.HtmlTemplate.Length == 0 ? "" : ConfirmationTemplate.Fill(process.HtmlTemplate, n => Value(n, html: true));
        return MailMessages.Create(process.SenderName, sender, email, subject, text, htmlBody, now);
    }

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
