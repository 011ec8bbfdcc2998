using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MailKit.Security;
using Tagflow.Delivery;

namespace Tagflow.Bounces;

/// <summary>
/// For those who cannot receive SMTP: reads the bounces from a mailbox over IMAP (<c>--bounce-imap</c>)
/// every <see cref="BounceSettings.ImapPoll"/>. It reads the messages not yet seen (without marking
/// them: a message whose change could not be stored is read again); one that was a bounce or complaint is
/// deleted once what it does is stored, any other is marked seen and left for a person. A message
/// read twice (a crash before its deletion) counts once. A mailbox that cannot be reached is tried
/// again at the next poll.
/// </summary>
internal sealed partial class BounceImapPoller(BounceSettings settings, BounceInbox inbox, ILogger<BounceImapPoller> logger)
    : BackgroundLoop("The bounce mailbox reader", logger)
{
    private readonly ImapTarget _target = settings.Imap!;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => RunRoundsAsync(PollAsync, stoppingToken);

    protected override TimeSpan RetryAfter(int failures) => settings.ImapPoll;

    protected override void LogFailure(Exception e, TimeSpan retry) => LogMailboxFailed(Logger, _target.ToString(), e.Message, retry.TotalSeconds);

    private async Task PollAsync(CancellationToken stoppingToken)
    {
        await ReadAsync(stoppingToken);
        await Task.Delay(settings.ImapPoll, stoppingToken);
    }

    /// <summary>Reads the mailbox once.</summary>
    private async Task ReadAsync(CancellationToken cancellationToken)
    {
        using var client = new ImapClient { Timeout = 30_000 };
        var security = _target.ImplicitTls ? SecureSocketOptions.SslOnConnect
            : SmtpRelay.IsLoopback(_target.Host) ? SecureSocketOptions.StartTlsWhenAvailable
            : SecureSocketOptions.StartTls;
        await client.ConnectAsync(_target.Host, _target.Port, security, cancellationToken);
        await client.AuthenticateAsync(_target.User, _target.Password, cancellationToken);
        var folder = await client.GetFolderAsync(_target.Folder, cancellationToken);
        await folder.OpenAsync(FolderAccess.ReadWrite, cancellationToken);
        var unseen = await folder.SearchAsync(SearchQuery.NotSeen.And(SearchQuery.NotDeleted), cancellationToken);
        List<UniqueId> done = [], other = [];
        foreach (var uid in unseen)
        {
            var message = await folder.GetMessageAsync(uid, cancellationToken); // BODY.PEEK[]: not marked seen
            (await inbox.ReceiveAsync(message, [], cancellationToken) is null ? other : done).Add(uid);
        }
        if (other.Count > 0) await folder.AddFlagsAsync(other, MessageFlags.Seen, silent: true, cancellationToken);
        if (done.Count > 0)
        {
            await folder.AddFlagsAsync(done, MessageFlags.Deleted, silent: true, cancellationToken);
            if (client.Capabilities.HasFlag(ImapCapabilities.UidPlus)) await folder.ExpungeAsync(done, cancellationToken);
            else await folder.ExpungeAsync(cancellationToken);
        }
        await client.DisconnectAsync(quit: true, cancellationToken);
        if (unseen.Count > 0) LogRead(Logger, unseen.Count, done.Count, _target.ToString());
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The bounce mailbox {Mailbox} could not be read ({Reason}); trying again in {Seconds} s.")]
    private static partial void LogMailboxFailed(ILogger logger, string mailbox, string reason, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Read {Count} new messages from {Mailbox}; {Bounces} were bounces or complaints, and are deleted.")]
    private static partial void LogRead(ILogger logger, int count, int bounces, string mailbox);
}
