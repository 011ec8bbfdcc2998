using MailKit.Net.Smtp;
using Microsoft.EntityFrameworkCore;
using MimeKit;
using Tagflow.Data;

namespace Tagflow.Delivery;

/// <summary>
/// With an SMTP relay: delivers the messages stored for delivery (<see cref="OutboxMail"/> rows, such
/// as campaign emails) in the order they were stored, many over one connection, and deletes each
/// row once the relay has accepted its message. A crash between the two sends the message again
/// with the same Message-ID, so the repeat is recognisable. A message the relay refuses for good
/// (a 5xx answer) is dropped with a warning; one it puts off (a 4xx answer for that message alone,
/// such as a full mailbox or greylisting) waits 5 minutes, then longer, up to 2 hours, while the
/// others go on, and is dropped after 3 days. When the relay cannot be reached, everything waits,
/// and the queue tries again after 5 s, then longer, up to 5 minutes. On PostgreSQL each instance
/// claims its rows with <c>FOR UPDATE SKIP LOCKED</c>, so no message goes out twice from two instances.
/// The host starts and stops it; what is stored when it stops waits for the next start.
/// </summary>
internal sealed partial class SmtpQueue : BackgroundLoop, ICommitListener
{
    private const int MaxBatch = 100;
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan FirstPutOff = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan MaxPutOff = TimeSpan.FromHours(2);
    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromDays(3);

    private readonly SmtpTarget _target;
    private readonly TimeSpan _timeout;
    private readonly IServiceScopeFactory _scopes;
    private readonly SqliteWriteGate _gate;
    private readonly TimeProvider _clock;
    private readonly WorkSignal _signal = new();

    private readonly DkimKeys? _dkim;
    /// <summary>The domain of the bounce addresses, the envelope senders of emails with a bounce token; null: none.</summary>
    private readonly string? _bounceDomain;
    private readonly SmtpLimits _limits;
    private readonly SendPace? _pace;
    /// <summary>Rows taken at once: a batch, or what the rate sends in about 10 s, whichever is less, so that rows are not held long.</summary>
    private readonly int _batch;

    public SmtpQueue(SmtpTarget target, TimeSpan timeout, IServiceScopeFactory scopes, SqliteWriteGate gate, TimeProvider clock, ILogger logger,
        DkimKeys? dkim = null, SmtpLimits? limits = null, string? bounceDomain = null)
        : base("The SMTP queue", logger)
    {
        _bounceDomain = bounceDomain;
        (_target, _timeout, _scopes, _gate, _clock, _dkim) = (target, timeout, scopes, gate, clock, dkim);
        _limits = limits ?? SmtpLimits.None;
        _pace = _limits.PerSecond is { } rate ? new SendPace(rate) : null;
        _batch = _limits.PerSecond is { } perSecond ? (int)Math.Clamp(perSecond * 10, 1, MaxBatch) : MaxBatch;
    }

    public void Wake() => _signal.Wake();

    /// <summary>A committed write that stored messages (a campaign's emails) wakes the queue.</summary>
    public void Committed(CommittedWrite write)
    {
        if (write.Saved<OutboxMail>()) Wake();
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => RunRoundsAsync(DeliverDueAsync, stoppingToken);

    /// <summary>Delivers what is due, then waits for a wake or the next look.</summary>
    private async Task DeliverDueAsync(CancellationToken stoppingToken)
    {
        while (await DeliverAsync(stoppingToken) == _batch)
        {
        }
        await _signal.WaitAsync(Poll, stoppingToken);
    }

    /// <summary>A relay that cannot be reached: 5 s, then twice as long each time, up to 5 minutes.</summary>
    protected override TimeSpan RetryAfter(int failures) =>
        TimeSpan.FromSeconds(Math.Min(MaxBackoff.TotalSeconds, 5 * Math.Pow(2, Math.Min(failures - 1, 10))));

    /// <summary>An operator's matter rather than Tagflow's: which relay, and what it said, without the stack.</summary>
    protected override void LogFailure(Exception e, TimeSpan retry) => LogRelayFailed(Logger, _target.ToString(), e.Message, retry.TotalSeconds);

    /// <summary>Delivers the next stored messages that are due; answers how many rows it took.</summary>
    private async Task<int> DeliverAsync(CancellationToken cancellationToken)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TagflowDb>();
        var now = _clock.GetUtcNow().UtcDateTime;
        if (db is SqliteTagflowDb)
        {
            // One process serves an SQLite file: nobody else takes these rows.
            var rows = await db.OutboxMails.AsNoTracking().Where(m => m.NotBefore == null || m.NotBefore <= now)
                .OrderBy(m => m.Id).Take(_batch).ToListAsync(cancellationToken);
            var outcome = await SendAsync(rows, now, cancellationToken);
            if (outcome.Done.Count > 0 || outcome.PutOff.Count > 0)
            {
                await _gate.Semaphore.WaitAsync(CancellationToken.None);
                try
                {
                    await RecordAsync(db, outcome, now, CancellationToken.None);
                }
                finally
                {
                    _gate.Semaphore.Release();
                }
            }
            if (outcome.Failure is not null) throw outcome.Failure;
            return rows.Count;
        }
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var claimed = await db.OutboxMails
            .FromSql($"SELECT * FROM \"OutboxMails\" WHERE \"NotBefore\" IS NULL OR \"NotBefore\" <= {now} ORDER BY \"Id\" LIMIT {_batch} FOR UPDATE SKIP LOCKED")
            .AsNoTracking().ToListAsync(cancellationToken);
        var sent = await SendAsync(claimed, now, cancellationToken);
        await RecordAsync(db, sent, now, CancellationToken.None);
        await transaction.CommitAsync(CancellationToken.None);
        if (sent.Failure is not null) throw sent.Failure;
        return claimed.Count;
    }

    /// <summary>Deletes the rows done with, keeping a record of the dropped ones; a put-off message waits, twice as long each time.</summary>
    private static async Task RecordAsync(TagflowDb db, SendOutcome outcome, DateTime now, CancellationToken cancellationToken)
    {
        // One transaction (on PostgreSQL the caller's): a dropped row goes exactly when its record comes.
        await using var own = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(cancellationToken) : null;
        if (outcome.Dropped.Count > 0)
        {
            db.MailFailures.AddRange(outcome.Dropped);
            await db.SaveChangesAsync(cancellationToken);
        }
        if (outcome.Done.Count > 0) await db.OutboxMails.Where(m => outcome.Done.Contains(m.Id)).ExecuteDeleteAsync(cancellationToken);
        foreach (var row in outcome.PutOff)
        {
            var wait = TimeSpan.FromTicks(Math.Min(MaxPutOff.Ticks, FirstPutOff.Ticks << Math.Min(row.Attempts, 10)));
            await db.OutboxMails.Where(m => m.Id == row.Id).ExecuteUpdateAsync(s => s
                .SetProperty(m => m.Attempts, row.Attempts + 1)
                .SetProperty(m => m.NotBefore, now + wait), cancellationToken);
        }
        if (own is not null) await own.CommitAsync(cancellationToken);
    }

    /// <summary>The rows done with (sent, or refused for good), those put off, and what stopped the batch early.</summary>
    /// <summary>What sending rows came to: the rows done with (sent or dropped), those put off, the dropped ones' record, and what stopped the round.</summary>
    private sealed record SendOutcome(List<long> Done, List<OutboxMail> PutOff, List<MailFailure> Dropped, Exception? Failure);

    private static string Cut(string text, int length) => text.Length <= length ? text : text[..length];

    /// <summary>
    /// Sends the rows' messages, over as many connections at once as the limits allow (each taking every
    /// n-th row, so that the oldest go first on each).
    /// </summary>
    private async Task<SendOutcome> SendAsync(List<OutboxMail> rows, DateTime now, CancellationToken cancellationToken)
    {
        var connections = Math.Min(_limits.Connections, rows.Count);
        if (connections <= 1) return await SendOverOneAsync(rows, now, cancellationToken);
        var outcomes = await Task.WhenAll(Enumerable.Range(0, connections)
            .Select(c => SendOverOneAsync([.. rows.Where((_, i) => i % connections == c)], now, cancellationToken)));
        return new SendOutcome([.. outcomes.SelectMany(o => o.Done)], [.. outcomes.SelectMany(o => o.PutOff)], [.. outcomes.SelectMany(o => o.Dropped)],
            outcomes.Select(o => o.Failure).FirstOrDefault(f => f is not null));
    }

    /// <summary>Sends the rows' messages over one connection, each when the rate lets it.</summary>
    private async Task<SendOutcome> SendOverOneAsync(List<OutboxMail> rows, DateTime now, CancellationToken cancellationToken)
    {
        var outcome = new SendOutcome(new List<long>(rows.Count), [], [], null);
        if (rows.Count == 0) return outcome;
        SmtpClient client;
        try
        {
            client = await SmtpRelay.ConnectAsync(_target, _timeout, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Said as the outcome, so that what the other connections sent meanwhile is still recorded.
            return outcome with { Failure = e };
        }
        using var connected = client;
        foreach (var row in rows)
        {
            // Stopping: what was sent is recorded (below, not cancelled), the rest waits for the next start.
            if (cancellationToken.IsCancellationRequested) break;
            if (_pace is not null)
            {
                try
                {
                    await _pace.WaitTurnAsync(cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
            MimeMessage? message = null;
            void Drop(string reason)
            {
                outcome.Done.Add(row.Id);
                outcome.Dropped.Add(new MailFailure
                {
                    AccountId = row.AccountId,
                    Recipient = Cut(message?.To.Mailboxes.FirstOrDefault()?.Address ?? "", 320),
                    Subject = Cut(message?.Subject ?? "", 250),
                    Reason = Cut(reason, MailFailure.MaxReason),
                    At = now,
                });
            }
            try
            {
                using var content = new MemoryStream(row.Content);
                message = await MimeMessage.LoadAsync(content, CancellationToken.None);
                _dkim?.Sign(message);
                // Not cancelled half-way: a message the relay has taken must be recorded as sent (the timeout bounds it).
                await MailMessages.SendAsync(client, message, _bounceDomain, CancellationToken.None);
                outcome.Done.Add(row.Id);
            }
            catch (SmtpCommandException e) when ((int)e.StatusCode >= 500 && e.ErrorCode is SmtpErrorCode.RecipientNotAccepted or SmtpErrorCode.MessageNotAccepted)
            {
                LogRefused(Logger, row.Id, _target.ToString(), e.Message);
                Drop($"The relay refused it: {e.Message}");
            }
            catch (Exception e) when (e is ParseException or FormatException or ArgumentException
                || e.GetType() == typeof(InvalidOperationException)) // MailKit's own for a message without recipients; not its not-connected subclasses
            {
                // This message cannot be sent at all (unreadable, or no valid recipient): it must not hold up the others.
                LogRefused(Logger, row.Id, _target.ToString(), e.Message);
                Drop($"It cannot be sent: {e.Message}");
            }
            catch (SmtpCommandException e) when (e.StatusCode != SmtpStatusCode.ServiceNotAvailable && client.IsConnected)
            {
                // A 4xx for this message, or a sender the relay will not send for: put off, and the others go on.
                // Put off for this message alone: the connection goes on with the next.
                if (now - row.CreatedAt > GiveUpAfter)
                {
                    LogGaveUp(Logger, row.Id, _target.ToString(), e.Message);
                    Drop($"The relay put it off for three days, last: {e.Message}");
                }
                else outcome.PutOff.Add(row);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return outcome with { Failure = e };
            }
        }
        try
        {
            await client.DisconnectAsync(quit: true, CancellationToken.None);
        }
        catch (Exception e) when (e is IOException or SmtpProtocolException or System.Net.Sockets.SocketException)
        {
            // everything was accepted already
        }
        return outcome;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The mail relay {Relay} could not take the queued emails ({Reason}); trying again in {Seconds} s.")]
    private static partial void LogRelayFailed(ILogger logger, string relay, string reason, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The mail relay {Relay} refused queued email {Id} for good ({Reason}); it is dropped.")]
    private static partial void LogRefused(ILogger logger, long id, string relay, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The mail relay {Relay} has put off queued email {Id} for 3 days ({Reason}); it is dropped.")]
    private static partial void LogGaveUp(ILogger logger, long id, string relay, string reason);
}
