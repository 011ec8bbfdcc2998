using System.Net;
using System.Text.RegularExpressions;
using MimeKit;
using Tagflow.Delivery;

namespace Tagflow.Automations;

/// <summary>
/// A campaign email for one contact: the step's Liquid templates filled for the contact (see
/// <see cref="MailTemplate"/>), the HTML's styles inlined and, without a text of its own, its text
/// part made from the HTML; every link rewritten to pass through Tagflow (a click is counted, then
/// redirected to that URL and no other), an open-tracking image, a visible unsubscribe link (added when the templates have no
/// <c>{{unsubscribe_url}}</c>), and the one-click unsubscribe headers of RFC 8058.
/// </summary>
internal static partial class CampaignMail
{
    public const string MailPath = "/mail/";

    /// <summary>Not a token (those are 43 characters long): stands for the email's own while its templates are filled.</summary>
    private const string StandInToken = "this-emails-token";

    public static string UnsubscribeUrl(string baseUrl, string token) => $"{baseUrl}{MailPath}{token}/unsubscribe";

    public static (MimeMessage Message, List<string> Links) Create(Campaign campaign, CampaignStep step, string accountEmail, string email,
        IReadOnlyDictionary<string, string> values, IReadOnlyCollection<string> tags, TimeZoneInfo zone, string baseUrl, string token, string messageId, DateTimeOffset now)
    {
        var unsubscribe = UnsubscribeUrl(baseUrl, token);
        // The templates get a stand-in for this email's own link, put in after the styles are inlined: HTML that is
        // the same for many contacts but for that link is then inlined once (see CssInliner).
        var data = new TemplateData(email, values, tags, (CampaignSteps.UnsubscribeUrl, UnsubscribeUrl(baseUrl, StandInToken)), zone, now);
        string Linked(string rendered) => rendered.Replace(MailPath + StandInToken + "/", MailPath + token + "/", StringComparison.Ordinal);
        var links = new List<string>();
        string Track(string url)
        {
            if (url == unsubscribe) return url;
            var index = links.IndexOf(url);
            if (index < 0)
            {
                links.Add(url);
                index = links.Count - 1;
            }
            return $"{baseUrl}{MailPath}{token}/click/{index}";
        }

        var subject = Linked(MailTemplate.Render(step.Subject ?? "", data, html: false)).ReplaceLineEndings(" ");
        var text = MailTemplate.Render(step.Text ?? "", data, html: false);
        var html = MailTemplate.Render(step.Html ?? "", data, html: true);
        if (html.Length > 0)
        {
            // Styles inlined before the links are rewritten: what is inlined is the HTML as written, and the tracked links stay as made.
            html = CssInliner.Inline(html);
            // No text of its own: the text part is the HTML's, with its links tracked as any text's.
            if (text.Trim().Length == 0) text = HtmlText.From(html);
            html = Linked(html);
            html = HtmlLink().Replace(html, m =>
                m.Groups[1].Value + WebUtility.HtmlEncode(Track(WebUtility.HtmlDecode(m.Groups[2].Value))) + m.Groups[3].Value);
            if (!html.Contains(WebUtility.HtmlEncode(unsubscribe), StringComparison.Ordinal))
                html += $"\n<p style=\"font-size:small;color:#666\"><a href=\"{WebUtility.HtmlEncode(unsubscribe)}\">Unsubscribe</a></p>\n";
            html += $"<img src=\"{WebUtility.HtmlEncode($"{baseUrl}{MailPath}{token}/open")}\" width=\"1\" height=\"1\" alt=\"\" style=\"display:block;border:0\">\n";
        }
        text = TextLink().Replace(Linked(text), m =>
        {
            var url = m.Value.TrimEnd('.', ',', ';', ':', '!', '?', ')', '\'');
            return Track(url) + m.Value[url.Length..];
        });
        if (!text.Contains(unsubscribe, StringComparison.Ordinal))
            text = text.TrimEnd() + $"\n\n--\nUnsubscribe: {unsubscribe}\n";

        var message = MailMessages.Create(campaign.SenderName, MailMessages.Sender(campaign.SenderAddress, accountEmail), email, subject, text, html, now);
        message.MessageId = messageId;
        message.Headers.Add("List-Unsubscribe", $"<{unsubscribe}>");
        message.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        return (message, links);
    }

    /// <summary>A Message-ID for a campaign email, at the sender's domain.</summary>
    public static string NewMessageId(Campaign campaign, string accountEmail)
    {
        var sender = MailMessages.Sender(campaign.SenderAddress, accountEmail);
        var at = sender.LastIndexOf('@');
        return $"tagflow.{Guid.NewGuid():N}@{(at >= 0 ? sender[(at + 1)..] : "localhost")}";
    }

    [GeneratedRegex("""(\bhref\s*=\s*")(https?://[^"]+)(")""", RegexOptions.IgnoreCase)]
    private static partial Regex HtmlLink();

    [GeneratedRegex("""https?://[^\s<>"]+""", RegexOptions.IgnoreCase)]
    private static partial Regex TextLink();
}
