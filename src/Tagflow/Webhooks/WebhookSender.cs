using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Tagflow.Accounts;
using Tagflow.Automations;
using Tagflow.Data;

namespace Tagflow.Webhooks;

/// <summary>
/// Delivers queued webhook calls, at least once. Each instance claims due deliveries by moving their
/// next attempt a lease ahead (<c>FOR UPDATE SKIP LOCKED</c> on PostgreSQL, so instances never claim
/// the same one), sends them at the same time, and records each attempt. A 2xx ends a delivery; a
/// 410 disables the webhook; anything else (no answer within 15 s, a redirect, another status) is
/// tried again after about 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, then every 10 h (each ±10 %), until
/// 3 days after it was queued. Should an instance stop mid-call, the lease runs out and the call is
/// made again under the same <c>webhook-id</c>, which tells the receiver it is a repeat.
/// </summary>
internal sealed partial class WebhookSender(IServiceScopeFactory scopes, SqliteWriteGate gate, KeyRing keys, TagflowSettings settings,
    TimeProvider clock, ILogger<WebhookSender> logger) : BackgroundService
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
    private const int Batch = 32;

    private readonly WorkSignal _signal = new();
    private readonly HttpClient _http = new(WebhookTargets.Handler(settings.WebhookAllowPrivate)) { Timeout = Timeout };

    public void Wake() => _signal.Wake();

    /// <summary>The wait before attempt <paramref name="failures"/> + 1, with ±10 % jitter so that many failed calls do not all come back at once.</summary>
    public static TimeSpan RetryDelay(int failures) =>
        (failures <= Backoff.Length ? Backoff[Math.Max(failures, 1) - 1] : Backoff[^1]) * (0.9 + 0.2 * Random.Shared.NextDouble());

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            List<WebhookDelivery> claimed = [];
            try
            {
                claimed = await ClaimAsync(stoppingToken);
                await Task.WhenAll(claimed.Select(d => DeliverAsync(d, stoppingToken)));
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                LogFailed(logger, e);
            }
            try
            {
                if (claimed.Count < Batch) await _signal.WaitAsync(settings.AutomationPoll, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    private async Task<List<WebhookDelivery>> ClaimAsync(CancellationToken cancellationToken)
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
                               ORDER BY "NextAttemptAt" LIMIT {Batch} FOR UPDATE SKIP LOCKED)
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
                               ORDER BY "NextAttemptAt" LIMIT {Batch})
                RETURNING *
                """).AsNoTracking().ToListAsync(cancellationToken);
        }
        finally
        {
            gate.Semaphore.Release();
        }
    }

    private async Task DeliverAsync(WebhookDelivery delivery, CancellationToken cancellationToken)
    {
        byte[]? seed;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<TagflowDb>();
            seed = await db.Webhooks.Where(w => w.Id == delivery.WebhookId && w.DisabledAt == null).Select(w => w.SecretSeed).SingleOrDefaultAsync(cancellationToken);
        }
        if (seed is null)
        {
            await RecordAsync(delivery, null, 0, "The webhook is disabled.", giveUp: true, cancellationToken);
            return;
        }
        // A placeholder in the host can be filled with a value that makes no URL; it stays so on every attempt.
        if (!Uri.TryCreate(delivery.Url, UriKind.Absolute, out var target))
        {
            await RecordAsync(delivery, null, 0, "With its placeholders filled in, the URL is not a valid URL: check the values the webhook puts into it.", giveUp: true, cancellationToken);
            return;
        }
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
        var error = "";
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            status = (int)response.StatusCode;
            if (status is >= 300 and < 400) error = "Redirects are not followed; point the webhook at the final URL.";
            else if (status is < 200 or >= 300) error = $"The receiver answered {status}.";
        }
        catch (HttpRequestException e)
        {
            error = e.InnerException is PrivateTargetException refused ? refused.Message : e.Message;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            error = $"No answer within {Timeout.TotalSeconds:0} s.";
        }
        var duration = (int)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        await RecordAsync(delivery, status, duration, error, giveUp: false, cancellationToken);
    }

    /// <summary>Records an attempt and what follows from it, in one transaction.</summary>
    private async Task RecordAsync(WebhookDelivery claimed, int? status, int durationMs, string error, bool giveUp, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TagflowDb>();
        var sqlite = db is SqliteTagflowDb;
        if (sqlite) await gate.Semaphore.WaitAsync(cancellationToken);
        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var delivery = await db.WebhookDeliveries.SingleOrDefaultAsync(d => d.Id == claimed.Id, cancellationToken);
            if (delivery is null) return; // the webhook or the contact was deleted meanwhile
            var now = clock.GetUtcNow().UtcDateTime;
            delivery.Attempts++;
            db.WebhookAttempts.Add(new WebhookAttempt { DeliveryId = delivery.Id, At = now, Status = status, DurationMs = durationMs, Error = error.Length <= 500 ? error : error[..500] });
            if (status is >= 200 and < 300)
            {
                delivery.State = DeliveryState.Delivered;
                delivery.DeliveredAt = now;
            }
            else if (status == 410)
            {
                delivery.State = DeliveryState.Failed;
                await db.Webhooks.Where(w => w.Id == delivery.WebhookId).ExecuteUpdateAsync(s => s
                    .SetProperty(w => w.DisabledAt, now)
                    .SetProperty(w => w.DisabledReason, "The receiver answered 410 Gone."), cancellationToken);
                await db.WebhookDeliveries.Where(d => d.WebhookId == delivery.WebhookId && d.State == DeliveryState.Pending && d.Id != delivery.Id)
                    .ExecuteUpdateAsync(s => s.SetProperty(d => d.State, DeliveryState.Failed), cancellationToken);
                LogDisabled(logger, delivery.WebhookId);
            }
            else
            {
                var next = now + RetryDelay(delivery.Attempts);
                if (giveUp || next > delivery.CreatedAt + GiveUpAfter) delivery.State = DeliveryState.Failed;
                else delivery.NextAttemptAt = next;
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
        _http.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The webhook sender failed; it tries again shortly.")]
    private static partial void LogFailed(ILogger logger, Exception e);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {Id} is disabled: its receiver answered 410 Gone.")]
    private static partial void LogDisabled(ILogger logger, long id);
}
