using Microsoft.EntityFrameworkCore;
using Tagflow.Data;
using Tagflow.Idempotency;
using Tagflow.OptIns;
using Tagflow.Webhooks;

namespace Tagflow.Housekeeping;

/// <summary>
/// Removes what would otherwise grow without end: expired sessions and links, quiet login counters,
/// spent idempotency keys, and, past <see cref="Retention"/>, ended webhook deliveries, sent campaign
/// emails, recorded bounces, read events and outbox files. Every instance runs it; deletes of what
/// another instance removed already simply find nothing. Rows go in batches, each a short write of
/// its own, so that requests never wait long behind it.
/// </summary>
internal sealed partial class HousekeepingJob(IServiceScopeFactory scopes, TagflowSettings settings, SqliteWriteGate gate, TimeProvider clock,
    ILogger<HousekeepingJob> logger) : BackgroundLoop("Housekeeping", logger)
{
    private const int Batch = 1_000;

    /// <summary>A login counter not touched for this long (and not locking its username) is forgotten.</summary>
    private static readonly TimeSpan QuietLogins = TimeSpan.FromDays(1);

    /// <summary>How long after its expiry a confirmation link still answers "expired" rather than "unknown".</summary>
    private static readonly TimeSpan ExpiredLinks = TimeSpan.FromDays(30);

    // Not at the very start: that is when the server is busiest with its own preparation.
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => RunRoundsAsync(CleanAsync, stoppingToken, startAfter: TimeSpan.FromMinutes(1));

    /// <summary>A round that failed is tried again at the time of the next.</summary>
    protected override TimeSpan RetryAfter(int failures) => settings.Retention.Interval;

    private async Task CleanAsync(CancellationToken stoppingToken)
    {
        var removed = await RunOnceAsync(stoppingToken);
        if (removed.Values.Any(n => n > 0))
            LogRemoved(Logger, string.Join(", ", removed.Where(r => r.Value > 0).Select(r => $"{r.Value} {r.Key}")));
        await RefreshStatisticsAsync(stoppingToken);
        await Task.Delay(settings.Retention.Interval, stoppingToken);
    }

    /// <summary>The query planner's statistics, after the round's deletes and whatever the hour brought (an import).</summary>
    private async Task RefreshStatisticsAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        await DataSetup.RefreshStatisticsAsync(scope.ServiceProvider.GetRequiredService<TagflowDb>(), gate, cancellationToken);
    }

    /// <summary>One round; answers how many of each kind it removed.</summary>
    public async Task<IReadOnlyDictionary<string, int>> RunOnceAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var retention = settings.Retention;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TagflowDb>();
        var idleSince = now - settings.SessionIdleTimeout;
        var quietSince = now - QuietLogins;
        var keysSince = now - IdempotencyKeys.Lifetime;
        var linksSince = now - ExpiredLinks;
        var deliveriesSince = now.AddDays(-retention.WebhookDeliveryDays);
        var emailsSince = now.AddDays(-retention.SentEmailDays);
        // The soft-bounce rule counts the bounces of its last days: those stay, however short the retention.
        var bouncesSince = now.AddDays(-Math.Max(retention.BounceDays, settings.Bounces.SoftDays));
        return new Dictionary<string, int>
        {
            ["sessions"] = await DeleteAsync(db, () => db.Sessions.Where(s => s.LastSeenAt < idleSince).OrderBy(s => s.Id), cancellationToken),
            ["login counters"] = await DeleteAsync(db, () => db.LoginThrottles
                .Where(t => t.LastAttemptAt < quietSince && (t.LockedUntil == null || t.LockedUntil < now)).OrderBy(t => t.NormalizedUsername), cancellationToken),
            ["idempotency keys"] = await DeleteAsync(db, () => db.IdempotentRequests.Where(r => r.CreatedAt < keysSince).OrderBy(r => r.Id), cancellationToken),
            ["confirmation links"] = await DeleteAsync(db, () => db.OptInTokens.Where(t => t.ExpiresAt < linksSince).OrderBy(t => t.Id), cancellationToken),
            ["webhook deliveries"] = await DeleteAsync(db, () => db.WebhookDeliveries
                .Where(d => d.CreatedAt < deliveriesSince && d.State != DeliveryState.Pending).OrderBy(d => d.Id), cancellationToken),
            ["sent emails"] = await DeleteAsync(db, () => db.SentEmails.Where(m => m.SentAt < emailsSince).OrderBy(m => m.Id), cancellationToken),
            ["skipped emails"] = await DeleteAsync(db, () => db.SkippedEmails.Where(m => m.At < emailsSince).OrderBy(m => m.Id), cancellationToken),
            ["undelivered emails"] = await DeleteAsync(db, () => db.MailFailures.Where(f => f.At < emailsSince).OrderBy(f => f.Id), cancellationToken),
            ["bounces"] = await DeleteAsync(db, () => db.Bounces.Where(b => b.At < bouncesSince).OrderBy(b => b.Id), cancellationToken),
            ["events"] = await DeleteEventsAsync(db, now.AddDays(-retention.EventDays), cancellationToken),
            ["outbox files"] = DeleteOutboxFiles(now.AddDays(-retention.OutboxDays)),
        };
    }

    /// <summary>Deletes the rows in batches, oldest key first (<paramref name="rows"/> is ordered, so each batch is well defined).</summary>
    private async Task<int> DeleteAsync<T>(TagflowDb db, Func<IOrderedQueryable<T>> rows, CancellationToken cancellationToken)
    {
        var total = 0;
        while (true)
        {
            int removed;
            using (await gate.HoldAsync(db, cancellationToken))
                removed = await rows().Take(Batch).ExecuteDeleteAsync(cancellationToken);
            total += removed;
            if (removed < Batch) return total;
        }
    }

    /// <summary>
    /// Events older than <paramref name="before"/> that the account's automations have read (all of them
    /// where no automation ever ran). Event ids grow with time, so each batch walks the oldest ids and
    /// stops at the first event that is too young, reading the index rather than the table.
    /// </summary>
    private async Task<int> DeleteEventsAsync(TagflowDb db, DateTime before, CancellationToken cancellationToken)
    {
        var total = 0;
        var accounts = await db.Events.Select(e => e.AccountId).Distinct().ToListAsync(cancellationToken);
        foreach (var accountId in accounts)
        {
            var read = await db.AutomationCursors.Where(c => c.AccountId == accountId).Select(c => (long?)c.LastEventId).SingleOrDefaultAsync(cancellationToken) ?? long.MaxValue;
            while (true)
            {
                var oldest = await db.Events.Where(e => e.AccountId == accountId && e.Id <= read).OrderBy(e => e.Id).Take(Batch)
                    .Select(e => new { e.Id, e.OccurredAt }).ToListAsync(cancellationToken);
                var old = oldest.TakeWhile(e => e.OccurredAt < before).ToList();
                if (old.Count == 0) break;
                var last = old[^1].Id;
                using (await gate.HoldAsync(db, cancellationToken))
                    total += await db.Events.Where(e => e.AccountId == accountId && e.Id <= last).ExecuteDeleteAsync(cancellationToken);
                if (old.Count < Batch) break;
            }
        }
        return total;
    }

    private int DeleteOutboxFiles(DateTime before)
    {
        var folder = settings.OutboxDirectory ?? TagflowSettings.DefaultOutbox(settings.Database);
        if (!Directory.Exists(folder)) return 0;
        var removed = 0;
        foreach (var file in new DirectoryInfo(folder).EnumerateFiles("*.eml"))
        {
            if (file.LastWriteTimeUtc >= before) continue;
            try
            {
                file.Delete();
                removed++;
            }
            catch (IOException)
            {
                // Another instance sharing the folder removed it first, or it is in use: the next round tries again.
            }
        }
        return removed;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Housekeeping removed {Removed}")]
    private static partial void LogRemoved(ILogger logger, string removed);
}
