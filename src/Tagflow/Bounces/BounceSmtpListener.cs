using System.Buffers;
using System.IO.Pipelines;
using System.Security.Authentication;
using System.Text;
using MimeKit;
using SmtpServer;
using SmtpServer.IO;
using SmtpServer.Mail;
using SmtpServer.Net;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Tagflow.Bounces;

/// <summary>
/// Tagflow's own SMTP server for the bounce domain (<c>--bounce-smtp</c>, the SmtpServer library),
/// where the domain's MX points: it takes mail for any address at the bounce domain (its bounce
/// addresses, and a feedback-loop address such as <c>fbl@</c> it) and refuses every other recipient
/// at RCPT with 550, so it relays nothing. A message is answered 250 once what it does is stored,
/// 451 if it could not be (the sender tries again later; a repeat counts once). It offers STARTTLS
/// when it has a certificate (<see cref="BounceCertificate"/>), and holds to its limits: a message
/// larger than <see cref="BounceSettings.SmtpMaxBytes"/> is refused with 552 (at MAIL when the sender
/// declares its SIZE, else once that much has come), a connection beyond
/// <see cref="BounceSettings.SmtpMaxSessions"/> is answered 421 and closed, and a session is closed
/// after <see cref="BounceSettings.SmtpSessionTimeout"/>, however busy.
/// </summary>
internal sealed partial class BounceSmtpListener(BounceSettings settings, BounceInbox inbox, ILogger<BounceSmtpListener> logger)
    : BackgroundLoop("The bounce listener", logger)
{
    /// <summary>How long a command is waited for: the server timeout of RFC 5321 (4.5.3.2.7).</summary>
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(5);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => RunRoundsAsync(ListenAsync, stoppingToken);

    private async Task ListenAsync(CancellationToken stoppingToken)
    {
        var domain = settings.Domain!;
        var options = new SmtpServerOptionsBuilder()
            .ServerName(domain)
            .Endpoint(e =>
            {
                e.Endpoint(settings.SmtpListen!).SessionTimeout(settings.SmtpSessionTimeout);
                if (settings.SmtpCertificate is { } path) e.Certificate(new BounceCertificate(path, Logger)).SupportedSslProtocols(SslProtocols.Tls12 | SslProtocols.Tls13);
            })
            .MaxMessageSize(settings.SmtpMaxBytes, MaxMessageSizeHandling.Strict)
            .CommandWaitTimeout(CommandTimeout)
            .Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(new DomainFilter(domain));
        services.Add(new Store(inbox, Logger));
        services.Add(new SessionLimit(settings.SmtpMaxSessions, Logger));
        var server = new SmtpServer.SmtpServer(options, services);
        LogListening(Logger, settings.SmtpListen!.ToString(), domain);
        await server.StartAsync(stoppingToken);
    }

    /// <summary>Any sender (bounces come from the null sender), recipients at the bounce domain only.</summary>
    private sealed class DomainFilter(string domain) : IMailboxFilter
    {
        public Task<bool> CanAcceptFromAsync(ISessionContext context, IMailbox from, int size, CancellationToken cancellationToken) => Task.FromResult(true);

        public Task<bool> CanDeliverToAsync(ISessionContext context, IMailbox to, IMailbox from, CancellationToken cancellationToken) =>
            Task.FromResult(string.Equals(to.Host?.TrimEnd('.'), domain, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// At most <paramref name="max"/> sessions at once: a connection beyond them is told 421 (the
    /// sender tries again later, as from a busy server) and closed before its session begins.
    /// </summary>
    private sealed class SessionLimit(int max, ILogger logger) : IEndpointListenerFactory
    {
        private static readonly byte[] Busy = Encoding.ASCII.GetBytes("421 4.3.2 Too many connections, try again later\r\n");
        private readonly EndpointListenerFactory _listeners = new();
        private int _open;

        public IEndpointListener CreateListener(IEndpointDefinition endpointDefinition) => new Listener(_listeners.CreateListener(endpointDefinition), this);

        /// <summary>The next connection with a place, each one beyond the limit answered 421 and closed meanwhile.</summary>
        private async Task<ISecurableDuplexPipe> AcceptAsync(IEndpointListener inner, ISessionContext context, CancellationToken cancellationToken)
        {
            while (true)
            {
                var pipe = await inner.GetPipeAsync(context, cancellationToken);
                if (Interlocked.Increment(ref _open) <= max) return new Counted(pipe, this);
                Interlocked.Decrement(ref _open);
                LogBusy(logger, max);
                try
                {
                    await pipe.Output.WriteAsync(Busy, cancellationToken);
                }
                catch (IOException)
                {
                    // Gone already.
                }
                finally
                {
                    pipe.Dispose();
                }
            }
        }

        private sealed class Listener(IEndpointListener inner, SessionLimit limit) : IEndpointListener
        {
            public Task<ISecurableDuplexPipe> GetPipeAsync(ISessionContext context, CancellationToken cancellationToken) =>
                limit.AcceptAsync(inner, context, cancellationToken);

            public void Dispose() => inner.Dispose();
        }

        /// <summary>A session's connection, which gives its place back once (the server disposes it when the session ends).</summary>
        private sealed class Counted(ISecurableDuplexPipe pipe, SessionLimit limit) : ISecurableDuplexPipe
        {
            private int _disposed;

            public PipeReader Input => pipe.Input;
            public PipeWriter Output => pipe.Output;
            public bool IsSecure => pipe.IsSecure;
            public SslProtocols SslProtocol => pipe.SslProtocol;

            public Task UpgradeAsync(System.Security.Cryptography.X509Certificates.X509Certificate certificate, SslProtocols protocols,
                CancellationToken cancellationToken = default) => pipe.UpgradeAsync(certificate, protocols, cancellationToken);

            public void Dispose()
            {
                if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
                pipe.Dispose();
                Interlocked.Decrement(ref limit._open);
            }
        }
    }

    private sealed class Store(BounceInbox inbox, ILogger logger) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer,
            CancellationToken cancellationToken)
        {
            try
            {
                using var stream = new MemoryStream(buffer.ToArray());
                var message = await MimeMessage.LoadAsync(stream, cancellationToken);
                await inbox.ReceiveAsync(message, transaction.To.Select(m => m.AsAddress()), cancellationToken);
                return SmtpResponse.Ok;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogNotStored(logger, e);
                return new SmtpResponse((SmtpReplyCode)451, "Not stored for now, try again later");
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "The bounce listener takes mail for {Domain} on {Endpoint}.")]
    private static partial void LogListening(ILogger logger, string endpoint, string domain);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The bounce listener turned a connection away: {Max} sessions are open.")]
    private static partial void LogBusy(ILogger logger, int max);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A message to the bounce listener could not be stored; the sender is told to try again.")]
    private static partial void LogNotStored(ILogger logger, Exception e);
}
