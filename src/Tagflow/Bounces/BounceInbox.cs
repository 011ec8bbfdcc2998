using MimeKit;
using Tagflow.Contacts;

namespace Tagflow.Bounces;

/// <summary>
/// Where the messages that come back arrive, by SMTP (<see cref="BounceSmtpListener"/>) or from a
/// mailbox (<see cref="BounceImapPoller"/>): each is read (<see cref="BounceReport"/>) and a bounce or
/// complaint goes to its contact through <see cref="ContactChanges.BounceAsync"/>. Its tokens are
/// never logged (each one can mark a contact bounced), nor its subject or addresses.
/// </summary>
internal sealed partial class BounceInbox(IServiceScopeFactory scopes, ILogger<BounceInbox> logger)
{
    /// <summary>What the message did once stored; null if it is no bounce or complaint. Throws if it could not be stored.</summary>
    public async Task<BounceOutcome?> ReceiveAsync(MimeMessage message, IEnumerable<string> envelopeRecipients, CancellationToken cancellationToken)
    {
        if (BounceReport.Read(message, envelopeRecipients) is not { } report)
        {
            LogIgnored(logger, message.MessageId ?? "");
            return null;
        }
        await using var scope = scopes.CreateAsyncScope();
        var outcome = await scope.ServiceProvider.GetRequiredService<ContactChanges>().BounceAsync(report, cancellationToken);
        LogReceived(logger, report.Kind, report.Status, message.MessageId ?? "", outcome);
        return outcome;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "A message to the bounce address is no bounce or complaint (Message-ID {MessageId}); it is ignored.")]
    private static partial void LogIgnored(ILogger logger, string messageId);

    [LoggerMessage(Level = LogLevel.Information, Message = "A {Kind} report ({Status}, Message-ID {MessageId}) came back: {Outcome}.")]
    private static partial void LogReceived(ILogger logger, BounceKind kind, string status, string messageId, BounceOutcome outcome);
}
