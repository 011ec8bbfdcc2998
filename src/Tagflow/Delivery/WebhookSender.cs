using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Tagflow.Accounts;
using Tagflow.Data;
using Tagflow.Webhooks;

namespace Tagflow.Delivery;

/// <summary>
/// Delivers queued webhook calls, at least once. Each instance claims due deliveries by moving their
/// next attempt a lease ahead (<c>FOR UPDATE SKIP LOCKED</c> on PostgreSQL, so instances never claim
/// the same one), makes up to 32 calls at once (a slow receiver holds up only its own), and records
/// the attempts as they end, many in one transaction. A 2xx ends a delivery; a
/// 410 disables the webhook; anything else (no answer within 15 s, a redirect, another status) is
/// tried again after about 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, then every 10 h (each ±10 %), until
/// 3 days after it was queued. Should an instance stop mid-call, the lease runs out and the call is
/// made again under the same <c>webhook-id</c>, which tells the receiver it is a repeat.
/// <para>
/// It uses Webhooks/ for what a webhook is (its entities, its signature) and for which addresses it
/// may reach (<see cref="WebhookTargets.Handler"/>, the same rules the webhook's URL is checked
/// against when it is saved); Webhooks/ knows nothing of the sender.
/// </para>
/// </summary>
internal sealed partial class WebhookSender(IServiceScopeFactory scopes, SqliteWriteGate gate, KeyRing keys, TagflowSettings settings,
    HostResolver resolve, TimeProvider clock, ILogger<WebhookSender> logger) : BackgroundLoop("The webhook sender", logger), ICommitListener
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);
    public static readonly TimeSpan GiveUpAfter = TimeSpan.FromDays(3);

    /// <summary>The waits after the first, second, … failed attempt; after the last, every 10 hours.</summary>
    public static readonly TimeSpan[] Backoff =
    [
        TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2), TimeSpan.FromHours(5), TimeSpan.FromHours(10),
    ];

    /// <summary>How long a claimed delivery is this instance's: well past the timeout.</summary>
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);
    /// <summary>At most this many calls at once, so that slow receivers do not hold up the others.</summary>
    private const int MaxInFlight = 32;

    private readonly WorkSignal _signal = new();
    private readonly SemaphoreSlim _slots = new(MaxInFlight, MaxInFlight);
    private readonly Channel<Attempt> _attempts = Channel.CreateUnbounded<Attempt>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>What one attempt gave; <see cref="GiveUp"/> when trying again cannot help.</summary>
    private sealed record Attempt(long DeliveryId, int? Status, int DurationMs, string Error, bool GiveUp, string Answer = "");

    /// <summary>How much of an answer's body is kept with the attempt, so the owner sees what the receiver said.</summary>
    private const int AnswerExcerpt = 500;
    private readonly HttpClient _http = new(WebhookTargets.Handler(settings.WebhookAllowPrivate, resolve)) { Timeout = Timeout };

    public void Wake() => _signal.Wake();

    /// <summary>A committed write that queued calls (or made one due again, as a retry does) wakes the sender.</summary>
    public void Committed(CommittedWrite write)
    {
        if (write.Saved<WebhookDelivery>()) Wake();
    }

    /// <summary>The wait before attempt <paramref name="failures"/> + 1, with ±10 % jitter so that many failed calls do not all come back at once.</summary>
    public static TimeSpan RetryDelay(int failures) =>
        (failures <= Backoff.Length ? Backoff[Math.Max(failures, 1) - 1] : Backoff[^1]) * (0.9 + 0.2 * Random.Shared.NextDouble());

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var recorder = RecordAllAsync(stoppingToken);
        await RunRoundsAsync(SendDueAsync, stoppingToken);
        _attempts.Writer.TryComplete();
        try
        {
            await recorder;
        }
        catch (OperationCanceledException)
        {
        }
    }

    protected override TimeSpan RetryAfter(int failures) => settings.AutomationPoll;

    /// <summary>Claims what is due for the free slots and starts those calls; then waits until a call ends, work is queued, or the next look.</summary>
    private async Task SendDueAsync(CancellationToken stoppingToken)
    {
        var free = _slots.CurrentCount;
        var claimed = 0;
        if (free > 0)
        {
            foreach (var delivery in await ClaimAsync(free, stoppingToken))
            {
                await _slots.WaitAsync(stoppingToken);
                claimed++;
                _ = DeliverAsync(delivery, stoppingToken);
            }
        }
        // Nothing more is due, or every slot is busy.
        if (claimed < free || free == 0) await _signal.WaitAsync(settings.AutomationPoll, stoppingToken);
    }

    private async Task<List<WebhookDelivery>> ClaimAsync(int batch, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TagflowDb>();
        var now = clock.GetUtcNow().UtcDateTime;
        var lease = now + Lease;
        if (db is not SqliteTagflowDb)
        {
            return await db.WebhookDeliveries.FromSql($"""
                UPDATE "WebhookDeliveries" SET "NextAttemptAt" = {lease}
                WHERE "Id" IN (SELECT "Id" FROM "WebhookDeliveries" WHERE "State" = 'Pending' AND "NextAttemptAt" <= {now}
                               ORDER BY "NextAttemptAt" LIMIT {batch} FOR UPDATE SKIP LOCKED)
                RETURNING *
                """).AsNoTracking().ToListAsync(cancellationToken);
        }
        // A read first, so that an idle look costs no write.
        if (!await db.WebhookDeliveries.AnyAsync(d => d.State == DeliveryState.Pending && d.NextAttemptAt <= now, cancellationToken)) return [];
        await gate.Semaphore.WaitAsync(cancellationToken);
        try
        {
            return await db.WebhookDeliveries.FromSql($"""
                UPDATE "WebhookDeliveries" SET "NextAttemptAt" = {lease}
                WHERE "Id" IN (SELECT "Id" FROM "WebhookDeliveries" WHERE "State" = 'Pending' AND "NextAttemptAt" <= {now}
                               ORDER BY "NextAttemptAt" LIMIT {batch})
                RETURNING *
                """).AsNoTracking().ToListAsync(cancellationToken);
        }
        finally
        {
            gate.Semaphore.Release();
        }
    }

    /// <summary>Makes one attempt and hands its outcome to <see cref="RecordAllAsync"/>; frees its slot when done.</summary>
    private async Task DeliverAsync(WebhookDelivery delivery, CancellationToken cancellationToken)
    {
        try
        {
            _attempts.Writer.TryWrite(await AttemptAsync(delivery, cancellationToken));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogFailed(Logger, e); // the lease runs out and the call is made again
        }
        catch (OperationCanceledException)
        {
            // stopping: the lease runs out and the next start makes the call again
        }
        finally
        {
            _slots.Release();
            _signal.Wake();
        }
    }

    private async Task<Attempt> AttemptAsync(WebhookDelivery delivery, CancellationToken cancellationToken)
    {
        byte[]? seed;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<TagflowDb>();
            seed = await db.Webhooks.Where(w => w.Id == delivery.WebhookId && w.DisabledAt == null).Select(w => w.SecretSeed).SingleOrDefaultAsync(cancellationToken);
        }
        if (seed is null) return new Attempt(delivery.Id, null, 0, "The webhook is disabled.", GiveUp: true);
        // A placeholder in the host can be filled with a value that makes no URL; it stays so on every attempt.
        if (!Uri.TryCreate(delivery.Url, UriKind.Absolute, out var target))
            return new Attempt(delivery.Id, null, 0, "With its placeholders filled in, the URL is not a valid URL: check the values the webhook puts into it.", GiveUp: true);
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(new HttpMethod(delivery.Method), target);
        if (delivery.Method == "POST")
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(delivery.Body));
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(delivery.ContentType + "; charset=utf-8");
        }
        request.Headers.Add("webhook-id", delivery.MessageId);
        request.Headers.Add("webhook-timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", WebhookRequests.Sign(keys.WebhookSecret(seed), delivery.MessageId, timestamp, delivery.Body));
        request.Headers.UserAgent.ParseAdd("Tagflow-Webhooks/1.0");

        int? status = null;
        string error = "", answer = "";
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            status = (int)response.StatusCode;
            if (status is >= 300 and < 400) error = "Redirects are not followed; point the webhook at the final URL.";
            else if (status is < 200 or >= 300) error = $"The receiver answered {status}.";
            answer = await ExcerptAsync(response, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            error = e.InnerException is PrivateTargetException refused ? refused.Message : e.Message;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            error = $"No answer within {Timeout.TotalSeconds:0} s.";
        }
        return new Attempt(delivery.Id, status, (int)Stopwatch.GetElapsedTime(started).TotalMilliseconds, error, GiveUp: false, answer);
    }

    /// <summary>
    /// The start of the answer's body as text, read for at most a few seconds: a receiver that sends
    /// its headers and then nothing has answered all the same.
    /// </summary>
    private static async Task<string> ExcerptAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        using var reading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        reading.CancelAfter(TimeSpan.FromSeconds(5));
        var buffer = new byte[AnswerExcerpt * 4];
        var read = 0;
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(reading.Token);
            int n;
            while (read < buffer.Length && (n = await body.ReadAsync(buffer.AsMemory(read), reading.Token)) > 0) read += n;
        }
        catch (Exception e) when (e is HttpRequestException or IOException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            // what came before the receiver stopped is kept
        }
        var text = new string([.. Encoding.UTF8.GetString(buffer, 0, read).Select(c => char.IsControl(c) && c is not ('\n' or '\t') ? ' ' : c)]).Trim();
        return text.Length <= AnswerExcerpt ? text : text[..AnswerExcerpt];
    }

    /// <summary>Records the attempts as they come, each batch of them in one transaction.</summary>
    private async Task RecordAllAsync(CancellationToken cancellationToken)
    {
        var batch = new List<Attempt>();
        while (await _attempts.Reader.WaitToReadAsync(cancellationToken))
        {
            while (batch.Count < 256 && _attempts.Reader.TryRead(out var attempt)) batch.Add(attempt);
            try
            {
                await RecordAsync(batch, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(Logger, e); // their leases run out and the calls are made again
            }
            batch.Clear();
        }
    }

    /// <summary>Records attempts and what follows from each: delivered, the next attempt, failed, or the webhook disabled.</summary>
    private async Task RecordAsync(List<Attempt> attempts, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TagflowDb>();
        var sqlite = db is SqliteTagflowDb;
        if (sqlite) await gate.Semaphore.WaitAsync(cancellationToken);
        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var ids = attempts.Select(a => a.DeliveryId).ToList();
            // A delivery that is gone was deleted meanwhile with its webhook or its contact.
            var deliveries = await db.WebhookDeliveries.Where(d => ids.Contains(d.Id)).ToDictionaryAsync(d => d.Id, cancellationToken);
            var now = clock.GetUtcNow().UtcDateTime;
            foreach (var attempt in attempts)
            {
                if (!deliveries.TryGetValue(attempt.DeliveryId, out var delivery)) continue;
                delivery.Attempts++;
                var error = attempt.Error.Length <= 500 ? attempt.Error : attempt.Error[..500];
                db.WebhookAttempts.Add(new WebhookAttempt
                {
                    DeliveryId = delivery.Id, At = now, Status = attempt.Status, DurationMs = attempt.DurationMs, Error = error, Answer = attempt.Answer,
                });
                if (attempt.Status is >= 200 and < 300)
                {
                    delivery.State = DeliveryState.Delivered;
                    delivery.DeliveredAt = now;
                }
                else if (attempt.Status == 410)
                {
                    delivery.State = DeliveryState.Failed;
                    await db.Webhooks.Where(w => w.Id == delivery.WebhookId).ExecuteUpdateAsync(s => s
                        .SetProperty(w => w.DisabledAt, now)
                        .SetProperty(w => w.DisabledReason, "The receiver answered 410 Gone."), cancellationToken);
                    await db.WebhookDeliveries.Where(d => d.WebhookId == delivery.WebhookId && d.State == DeliveryState.Pending && !ids.Contains(d.Id))
                        .ExecuteUpdateAsync(s => s.SetProperty(d => d.State, DeliveryState.Failed), cancellationToken);
                    foreach (var other in deliveries.Values.Where(d => d.WebhookId == delivery.WebhookId && d.State == DeliveryState.Pending))
                        other.State = DeliveryState.Failed;
                    LogDisabled(Logger, delivery.WebhookId);
                }
                else if (delivery.State == DeliveryState.Pending)
                {
                    var next = now + RetryDelay(delivery.Attempts);
                    if (attempt.GiveUp || next > delivery.CreatedAt + GiveUpAfter) delivery.State = DeliveryState.Failed;
                    else delivery.NextAttemptAt = next;
                }
            }
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        finally
        {
            if (sqlite) gate.Semaphore.Release();
        }
    }

    public override void Dispose()
    {
        base.Dispose(); // stops the calls in flight first
        _http.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The webhook sender failed; it tries again shortly.")]
    private static partial void LogFailed(ILogger logger, Exception e);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {Id} is disabled: its receiver answered 410 Gone.")]
    private static partial void LogDisabled(ILogger logger, long id);
}
