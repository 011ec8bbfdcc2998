using System.Net;
using System.Text.RegularExpressions;
using MimeKit;
using Tagflow.Delivery;
using Tagflow.Fields;
using Tagflow.OptIns;

namespace Tagflow.Automations;

/// <summary>
/// A campaign email for one contact: the step's templates filled with the contact's values, every
/// link rewritten to pass through Tagflow (a click is counted, then redirected to that URL and no
/// other), an open-tracking image, a visible unsubscribe link (added when the templates have no
/// <c>{{unsubscribe_url}}</c>), and the one-click unsubscribe headers of RFC 8058.
/// </summary>
internal static partial class CampaignMail
{
    public const string MailPath = "/mail/";

    public static string UnsubscribeUrl(string baseUrl, string token) => $"{baseUrl}{MailPath}{token}/unsubscribe";

    public static (MimeMessage Message, List<string> Links) Create(Campaign campaign, CampaignStep step, string accountEmail, string email,
        FieldCatalog catalog, IReadOnlyDictionary<string, string> values, string baseUrl, string token, string messageId, DateTimeOffset now)
    {
        var unsubscribe = UnsubscribeUrl(baseUrl, token);
        string Value(string name, bool html)
        {
            var value = name == CampaignSteps.UnsubscribeUrl ? unsubscribe
                : name == "email" ? email
                : catalog.Find(name) is { } field ? values.GetValueOrDefault(field.Key) ?? "" : "";
            return html ? WebUtility.HtmlEncode(value) : value;
        }
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

        var subject = ConfirmationTemplate.Fill(step.Subject ?? "", n => Value(n, html: false)).ReplaceLineEndings(" ");
        var text = step.Text ?? "";
        var html = step.Html ?? "";
        if (html.Length > 0)
        {
            html = ConfirmationTemplate.Fill(html, n => Value(n, html: true));
            html = HtmlLink().Replace(html, m =>
                m.Groups[1].Value + WebUtility.HtmlEncode(Track(WebUtility.HtmlDecode(m.Groups[2].Value))) + m.Groups[3].Value);
            if (!html.Contains(WebUtility.HtmlEncode(unsubscribe), StringComparison.Ordinal))
                html += $"\n<p style=\"font-size:small;color:#666\"><a href=\"{WebUtility.HtmlEncode(unsubscribe)}\">Unsubscribe</a></p>\n";
            html += $"<img src=\"{WebUtility.HtmlEncode($"{baseUrl}{MailPath}{token}/open")}\" width=\"1\" height=\"1\" alt=\"\" style=\"display:block;border:0\">\n";
        }
        if (text.Trim().Length > 0 || html.Length == 0)
        {
            text = ConfirmationTemplate.Fill(text, n => Value(n, html: false));
            text = TextLink().Replace(text, m =>
            {
                var url = m.Value.TrimEnd('.', ',', ';', ':', '!', '?', ')', '\'');
                return Track(url) + m.Value[url.Length..];
            });
            if (!text.Contains(unsubscribe, StringComparison.Ordinal))
                text = text.TrimEnd() + $"\n\n--\nUnsubscribe: {unsubscribe}\n";
        }
        else text = "";

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
