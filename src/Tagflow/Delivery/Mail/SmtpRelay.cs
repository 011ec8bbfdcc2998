using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Tagflow.Delivery;

/// <summary>
/// Delivery through an SMTP server with MailKit: one connection per message, STARTTLS whenever the
/// server offers it on <c>smtp://</c>, TLS from the start on <c>smtps://</c>, the server's
/// certificate checked as usual. Each message must be accepted within <see cref="Timeout"/>.
/// </summary>
internal sealed class SmtpRelay(SmtpTarget target, TimeSpan timeout, ILogger<SmtpRelay> logger, SmtpQueue? queue = null, DkimKeys? dkim = null,
    SmtpLimits? limits = null, string? bounceDomain = null) : IMailRelay
{
    public TimeSpan Timeout => timeout;

    public string Description => $"Email goes out through {target}, {(limits ?? SmtpLimits.None).Describe()}.";

    public void Wake() => queue?.Wake();

    /// <summary>A client connected (and logged in) to the relay.</summary>
    public static async Task<SmtpClient> ConnectAsync(SmtpTarget target, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var client = new SmtpClient { Timeout = (int)timeout.TotalMilliseconds };
        // Our own socket, to turn off Nagle's algorithm: MailKit writes a message in 4 KB pieces, and
        // with Nagle each message longer than that waits for the relay's delayed ACK (about 40 ms),
        // which held a queue of campaign emails to some 20 a second.
        var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(target.Host, target.Port, cancellationToken);
            await client.ConnectAsync(socket, target.Host, target.Port, SocketOptions(target), cancellationToken);
            if (target.User is not null) await client.AuthenticateAsync(target.User, target.Password ?? "", cancellationToken);
            return client;
        }
        catch
        {
            client.Dispose();
            socket.Dispose();
            throw;
        }
    }

    public async Task SendAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            dkim?.Sign(message);
            using var client = await ConnectAsync(target, timeout, deadline.Token);
            await MailMessages.SendAsync(client, message, bounceDomain, deadline.Token);
            await client.DisconnectAsync(quit: true, deadline.Token);
        }
        catch (Exception e) when (e is TimeoutException || e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("The mail relay {Relay} did not accept a message within {Seconds} s.", target, timeout.TotalSeconds);
            throw new MailNotSentException($"The mail relay did not accept the message within {timeout.TotalSeconds:0} s.", e);
        }
        catch (Exception e) when (e is SmtpCommandException or SmtpProtocolException or AuthenticationException or SslHandshakeException
            or IOException or System.Net.Sockets.SocketException or ServiceNotConnectedException or NotSupportedException)
        {
            logger.LogWarning("The mail relay {Relay} refused a message or could not be reached: {Reason}", target, e.Message);
            throw new MailNotSentException($"The mail relay refused the message or could not be reached: {e.Message}", e);
        }
    }
    /// <summary>
    /// TLS from the start on smtps://; on smtp:// STARTTLS whenever offered, and required when there is
    /// a password to send (so that nobody between can strip the offer and read it), except to a relay
    /// on this machine.
    /// </summary>
    private static SecureSocketOptions SocketOptions(SmtpTarget target) =>
        target.ImplicitTls ? SecureSocketOptions.SslOnConnect
        : target.User is not null && !IsLoopback(target.Host) ? SecureSocketOptions.StartTls
        : SecureSocketOptions.StartTlsWhenAvailable;

    public static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || System.Net.IPAddress.TryParse(host, out var address) && System.Net.IPAddress.IsLoopback(address);
}
