using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Tagflow.Email;

/// <summary>Hands a message to whatever delivers Tagflow's mail.</summary>
internal interface IMailRelay
{
    /// <summary>What the start-up message says about where mail goes.</summary>
    string Description { get; }

    /// <summary>Returns once the relay has accepted the message; throws <see cref="MailNotSentException"/> if it has not.</summary>
    Task SendAsync(MimeMessage message, CancellationToken cancellationToken);
}

/// <summary>The relay refused a message, or could not be reached in time; the message is not sent.</summary>
internal sealed class MailNotSentException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Delivery through an SMTP server with MailKit: one connection per message, STARTTLS whenever the
/// server offers it on <c>smtp://</c>, TLS from the start on <c>smtps://</c>, the server's
/// certificate checked as usual. Each message must be accepted within <see cref="Timeout"/>.
/// </summary>
internal sealed class SmtpRelay(SmtpTarget target, TimeSpan timeout, ILogger<SmtpRelay> logger) : IMailRelay
{
    public TimeSpan Timeout => timeout;

    public string Description => $"Email goes out through {target}.";

    public async Task SendAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        using var client = new SmtpClient { Timeout = (int)timeout.TotalMilliseconds };
        try
        {
            await client.ConnectAsync(target.Host, target.Port, SocketOptions(target), deadline.Token);
            if (target.User is not null) await client.AuthenticateAsync(target.User, target.Password ?? "", deadline.Token);
            await client.SendAsync(message, deadline.Token);
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

    private static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || System.Net.IPAddress.TryParse(host, out var address) && System.Net.IPAddress.IsLoopback(address);
}

/// <summary>
/// With no SMTP server configured: each message is written as an <c>.eml</c> file into a folder,
/// so that the whole flow works on a bare machine (open the file, follow its link). The file is
/// complete on disk before the message counts as sent.
/// </summary>
internal sealed class OutboxRelay(string directory) : IMailRelay
{
    public string Directory => directory;

    public string Description => $"No SMTP server configured (--smtp): emails are written to {directory} as .eml files.";

    public async Task SendAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        var name = $"{DateTime.UtcNow:yyyyMMdd'T'HHmmssfff'Z'}-{Guid.NewGuid():N}.eml";
        var temporary = Path.Combine(directory, "." + name + ".tmp");
        try
        {
            System.IO.Directory.CreateDirectory(directory);
            await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 16 * 1024, FileOptions.Asynchronous))
            {
                await message.WriteToAsync(file, cancellationToken);
                await file.FlushAsync(cancellationToken);
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, Path.Combine(directory, name));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or OperationCanceledException)
        {
            try
            {
                File.Delete(temporary);
            }
            catch (Exception deleting) when (deleting is IOException or UnauthorizedAccessException)
            {
                // nothing was written, or the folder itself is out of reach
            }
            if (e is OperationCanceledException) throw;
            throw new MailNotSentException($"The email could not be written to {directory}: {e.Message}", e);
        }
    }
}
