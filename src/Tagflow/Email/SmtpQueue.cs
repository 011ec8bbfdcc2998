using MailKit.Net.Smtp;
using Microsoft.EntityFrameworkCore;
using MimeKit;
using Tagflow.Automations;
using Tagflow.Data;

namespace Tagflow.Email;

/// <summary>
/// With an SMTP relay: delivers the messages stored for delivery (<see cref="OutboxMail"/> rows, such
/// as campaign emails) in the order they were stored, many over one connection, and deletes each
/// row once the relay has accepted its message. A crash between the two sends the message again
/// with the same Message-ID, so the repeat is recognisable. A message the relay refuses for good
/// (a 5xx answer) is dropped with a warning; when the relay cannot be reached, everything waits,
/// and the queue tries again after 5 s, then longer, up to 5 minutes. On PostgreSQL each instance
/// claims its rows with <c>FOR UPDATE SKIP LOCKED</c>, so no message goes out twice from two instances.
/// </summary>
internal sealed partial class SmtpQueue : IDisposable
{
    private const int MaxBatch = 100;
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(5);

    private readonly SmtpTarget _target;
    private readonly TimeSpan _timeout;
    private readonly IServiceScopeFactory _scopes;
    private readonly SqliteWriteGate _gate;
    private readonly ILogger _logger;
    private readonly WorkSignal _signal = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public SmtpQueue(SmtpTarget target, TimeSpan timeout, IServiceScopeFactory scopes, SqliteWriteGate gate, ILogger logger)
    {
        (_target, _timeout, _scopes, _gate, _logger) = (target, timeout, scopes, gate, logger);
        using (ExecutionContext.SuppressFlow()) _loop = Task.Run(LoopAsync);
    }

    public void Wake() => _signal.Wake();

    private async Task LoopAsync()
    {
        var failures = 0;
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                while (await DeliverAsync(_stop.Token) == MaxBatch)
                {
                }
                failures = 0;
                await _signal.WaitAsync(Poll, _stop.Token);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                break;
            }
            catch (ObjectDisposedException)
            {
                break; // the server is stopping
            }
            catch (Exception e)
            {
                failures++;
                var wait = TimeSpan.FromSeconds(Math.Min(MaxBackoff.TotalSeconds, 5 * Math.Pow(2, Math.Min(failures - 1, 10))));
                LogRelayFailed(_logger, _target.ToString(), e.Message, wait.TotalSeconds);
                try
                {
                    await Task.Delay(wait, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    /// <summary>Delivers the next stored messages; answers how many rows it took.</summary>
    private async Task<int> DeliverAsync(CancellationToken cancellationToken)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TagflowDb>();
        if (db is SqliteTagflowDb)
        {
            // One process serves an SQLite file: nobody else takes these rows.
            var rows = await db.OutboxMails.AsNoTracking().OrderBy(m => m.Id).Take(MaxBatch).ToListAsync(cancellationToken);
            var (done, failure) = await SendAsync(rows, cancellationToken);
            if (done.Count > 0)
            {
                await _gate.Semaphore.WaitAsync(cancellationToken);
                try
                {
                    await db.OutboxMails.Where(m => done.Contains(m.Id)).ExecuteDeleteAsync(cancellationToken);
                }
                finally
                {
                    _gate.Semaphore.Release();
                }
            }
            if (failure is not null) throw failure;
            return rows.Count;
        }
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var claimed = await db.OutboxMails
            .FromSql($"SELECT * FROM \"OutboxMails\" ORDER BY \"Id\" LIMIT {MaxBatch} FOR UPDATE SKIP LOCKED")
            .AsNoTracking().ToListAsync(cancellationToken);
        var (sent, error) = await SendAsync(claimed, cancellationToken);
        if (sent.Count > 0) await db.OutboxMails.Where(m => sent.Contains(m.Id)).ExecuteDeleteAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        if (error is not null) throw error;
        return claimed.Count;
    }

    /// <summary>Sends the rows' messages over one connection; answers the ids done with (sent, or refused for good) and what stopped it early.</summary>
    private async Task<(List<long> Done, Exception? Failure)> SendAsync(List<OutboxMail> rows, CancellationToken cancellationToken)
    {
        var done = new List<long>(rows.Count);
        if (rows.Count == 0) return (done, null);
        using var client = await SmtpRelay.ConnectAsync(_target, _timeout, cancellationToken);
        foreach (var row in rows)
        {
            try
            {
                using var content = new MemoryStream(row.Content);
                var message = await MimeMessage.LoadAsync(content, cancellationToken);
                await client.SendAsync(message, cancellationToken);
                done.Add(row.Id);
            }
            catch (SmtpCommandException e) when ((int)e.StatusCode >= 500)
            {
                LogRefused(_logger, row.Id, _target.ToString(), e.Message);
                done.Add(row.Id);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return (done, e);
            }
        }
        try
        {
            await client.DisconnectAsync(quit: true, cancellationToken);
        }
        catch (Exception e) when (e is IOException or SmtpProtocolException or System.Net.Sockets.SocketException)
        {
            // everything was accepted already
        }
        return (done, null);
    }

    public void Dispose()
    {
        _stop.Cancel();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(10));
        }
        catch (AggregateException)
        {
        }
        _stop.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The mail relay {Relay} could not take the queued emails ({Reason}); trying again in {Seconds} s.")]
    private static partial void LogRelayFailed(ILogger logger, string relay, string reason, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The mail relay {Relay} refused queued email {Id} for good ({Reason}); it is dropped.")]
    private static partial void LogRefused(ILogger logger, long id, string relay, string reason);
}
