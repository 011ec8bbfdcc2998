using MimeKit;
using MimeKit.Utils;

namespace Tagflow.Delivery;

/// <summary>Tagflow's outgoing messages as proper MIME: text and HTML alternatives, Message-ID, Date, UTF-8 headers.</summary>
internal static class MailMessages
{
    /// <summary>The sender when neither the email's own settings nor the account name one; a relay that checks senders will refuse it.</summary>
    public const string FallbackSender = "tagflow@localhost";

    /// <summary>Who an email comes from: its own sender address (a process's, a campaign's), else the account's address, else <see cref="FallbackSender"/>.</summary>
    public static string Sender(string own, string accountEmail) =>
        own.Length > 0 ? own : accountEmail.Length > 0 ? accountEmail : FallbackSender;

    /// <summary>A message from a sender to one recipient; an empty <paramref name="html"/> makes a text-only message.</summary>
    public static MimeMessage Create(string senderName, string senderAddress, string recipient, string subject, string text, string html, DateTimeOffset now)
    {
        var from = new MailboxAddress(senderName, senderAddress);
        var message = new MimeMessage
        {
            Subject = subject,
            Date = now,
            MessageId = MimeUtils.GenerateMessageId(from.Domain),
        };
        message.From.Add(from);
        message.To.Add(MailboxAddress.Parse(recipient));
        var body = new BodyBuilder { TextBody = text };
        if (html.Length > 0) body.HtmlBody = html;
        message.Body = body.ToMessageBody();
        return message;
    }
}
