using System.Net;
using System.Text;
using MailKit.Net.Smtp;
using MimeKit;
using Tagflow.Bounces;
using Tagflow.Delivery;
using Tagflow.Tests.Infrastructure;
using static Tagflow.Tests.Automations.AutomationCalls;

namespace Tagflow.Tests.Bounces;

/// <summary>
/// The bounces and complaints of the tests: the messages in <c>Fixtures/</c>, written after the RFCs'
/// examples (RFC 3464, RFC 5965) and the shapes Postfix, Exim, Gmail, Outlook and Yahoo send, filled
/// in for an email Tagflow sent (its recipient, its Message-ID, its headers or the whole of it), and
/// sent over real SMTP (MailKit) to Tagflow's bounce listener.
/// </summary>
internal static class BounceMessages
{
    public const string Domain = "bounces.test";

    /// <summary>Settings of a server that sends through <paramref name="relay"/> from bounce addresses at <see cref="Domain"/>, and listens for them on <paramref name="listen"/>.</summary>
    public static TagflowSettings Settings(TagflowSettings settings, TestSmtpServer relay, int? listen, Func<BounceSettings, BounceSettings>? adjust = null) =>
        Fast(settings) with
        {
            Smtp = SmtpTarget.Parse(relay.Url()),
            Bounces = (adjust ?? (b => b))(new BounceSettings
            {
                Domain = Domain,
                SmtpListen = listen is { } port ? new IPEndPoint(IPAddress.Loopback, port) : null,
            }),
        };

    /// <summary>The fixture <paramref name="name"/> as the bounce of <paramref name="original"/>, sent back to <paramref name="envelope"/>.</summary>
    public static MimeMessage Load(string name, MimeMessage original, string envelope, string? returnPath = null)
    {
        using var whole = new MemoryStream();
        original.WriteTo(whole);
        var text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Bounces", "Fixtures", name))
            .Replace("{DATE}", DateTimeOffset.UtcNow.ToString("r"), StringComparison.Ordinal)
            .Replace("{ENVELOPE}", envelope, StringComparison.Ordinal)
            .Replace("{RETURN_PATH}", returnPath ?? envelope, StringComparison.Ordinal)
            .Replace("{RCPT}", original.To.Mailboxes.Single().Address, StringComparison.Ordinal)
            .Replace("{MESSAGE_ID}", $"<{original.MessageId}>", StringComparison.Ordinal)
            .Replace("{SUBJECT}", original.Subject, StringComparison.Ordinal)
            .Replace("{ORIGINAL_HEADERS}", original.Headers.ToString(), StringComparison.Ordinal)
            .Replace("{ORIGINAL}", Encoding.UTF8.GetString(whole.ToArray()), StringComparison.Ordinal);
        return MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>Sends a message to Tagflow's bounce listener on <paramref name="port"/>, as a mail server does, for <paramref name="recipient"/>.</summary>
    public static async Task SendAsync(int port, MimeMessage message, string recipient)
    {
        using var client = new SmtpClient();
        // The listener starts with the server, a moment after it answers.
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await client.ConnectAsync("127.0.0.1", port, MailKit.Security.SecureSocketOptions.None);
                break;
            }
            catch (System.Net.Sockets.SocketException) when (attempt < 50)
            {
                await Task.Delay(100);
            }
        }
        await client.SendAsync(message, new MailboxAddress("", "mailer-daemon@mx.example.org"), [MailboxAddress.Parse(recipient)]);
        await client.DisconnectAsync(quit: true);
    }

    /// <summary>The fixture sent back for <paramref name="original"/> to its own bounce address (or to <paramref name="to"/>).</summary>
    public static Task BounceAsync(int port, TestSmtpServer relay, string fixture, MimeMessage original, string? to = null)
    {
        var envelope = relay.EnvelopeSender(original);
        return SendAsync(port, Load(fixture, original, to ?? envelope, envelope), to ?? envelope);
    }
}
