using MailKit.Net.Smtp;
using MimeKit;
using MimeKit.Utils;

namespace Tagflow.Delivery;

/// <summary>Tagflow's outgoing messages as proper MIME: text and HTML alternatives, Message-ID, Date, UTF-8 headers.</summary>
internal static class MailMessages
{
    /// <summary>The sender when neither the email's own settings nor the account name one; a relay that checks senders will refuse it.</summary>
    public const string FallbackSender = "tagflow@localhost";

    /// <summary>
    /// The header that carries an email's bounce token (made by <c>Bounces.BounceAddresses</c>): sent
    /// through a relay, the email's envelope sender is <c>bounce+token@</c> the bounce domain.
    /// </summary>
    public const string BounceHeader = "X-Tagflow-Bounce";

    /// <summary>
    /// Sends the message over the connection, with its bounce address as envelope sender when it has a
    /// bounce token and there is a bounce domain; otherwise MailKit's own (the From address).
    /// </summary>
    public static Task SendAsync(SmtpClient client, MimeMessage message, string? bounceDomain, CancellationToken cancellationToken)
    {
        if (bounceDomain is null || message.Headers[BounceHeader] is not { Length: > 0 } token) return client.SendAsync(message, cancellationToken);
        var recipients = message.To.Mailboxes.Concat(message.Cc.Mailboxes).Concat(message.Bcc.Mailboxes).ToList();
        return client.SendAsync(message, new MailboxAddress("", $"bounce+{token.Trim()}@{bounceDomain}"), recipients, cancellationToken);
    }

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
