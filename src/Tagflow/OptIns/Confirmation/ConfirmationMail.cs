using System.Security.Cryptography;
using MimeKit;
using Tagflow.Accounts;
using Tagflow.Delivery;

namespace Tagflow.OptIns;

/// <summary>
/// The confirmation email of a double opt-in: a new link (see <see cref="OptInToken"/>), the
/// process's templates filled for the contact, from the process's
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
    /// <paramref name="fields"/> are the contact's values by key, <paramref name="tags"/> the names of
    /// its tags. The templates are Liquid (<see cref="MailTemplate"/>); the HTML's styles are inlined.
    /// </summary>
    public static MimeMessage Create(ProcessChoice process, string accountEmail, string email, IReadOnlyDictionary<string, string> fields,
        IReadOnlyCollection<string> tags, TimeZoneInfo zone, string confirmUrl, DateTimeOffset now)
    {
        var sender = MailMessages.Sender(process.SenderAddress, accountEmail);
        var data = new TemplateData(email, fields, tags, (ConfirmationTemplate.ConfirmUrl, confirmUrl), zone, now);
        var subject = MailTemplate.Render(process.Subject, data, html: false).ReplaceLineEndings(" ");
        var text = MailTemplate.Render(process.TextTemplate, data, html: false);
        var html = CssInliner.Inline(MailTemplate.Render(process.HtmlTemplate, data, html: true));
        return MailMessages.Create(process.SenderName, sender, email, subject, text, html, now);
    }

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
