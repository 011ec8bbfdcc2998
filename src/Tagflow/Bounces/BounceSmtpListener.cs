using System.Buffers;
using MimeKit;
using SmtpServer;
using SmtpServer.Mail;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Tagflow.Bounces;

/// <summary>
/// Tagflow's own SMTP server for the bounce domain (<c>--bounce-smtp</c>, the SmtpServer library),
/// where the domain's MX points: it takes mail for any address at the bounce domain (its bounce
/// addresses, and a feedback-loop address such as <c>fbl@</c> it) and refuses every other recipient
/// at RCPT with 550, so it relays nothing. A message is answered 250 once what it does is stored,
/// 451 if it could not be (the sender tries again later; a repeat counts once).
/// </summary>
internal sealed partial class BounceSmtpListener(BounceSettings settings, BounceInbox inbox, ILogger<BounceSmtpListener> logger)
    : BackgroundLoop("The bounce listener", logger)
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => RunRoundsAsync(ListenAsync, stoppingToken);

    private async Task ListenAsync(CancellationToken stoppingToken)
    {
        var domain = settings.Domain!;
        var options = new SmtpServerOptionsBuilder()
            .ServerName(domain)
            .Endpoint(e => e.Endpoint(settings.SmtpListen!))
            .MaxMessageSize(settings.SmtpMaxBytes, MaxMessageSizeHandling.Strict)
            .Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(new DomainFilter(domain));
        services.Add(new Store(inbox, Logger));
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "A message to the bounce listener could not be stored; the sender is told to try again.")]
    private static partial void LogNotStored(ILogger logger, Exception e);
}
