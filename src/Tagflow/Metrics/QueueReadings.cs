using System.Diagnostics.Metrics;
using Tagflow.Automations;
using Tagflow.Data;
using Tagflow.Delivery;
using Tagflow.Webhooks;

namespace Tagflow.Metrics;

/// <summary>
/// How much due work waits in the database's queues, and since when, read when metrics are
/// collected and kept for <see cref="KeepFor"/>: both gauges of a scrape share one reading, and
/// scrapes in quick succession (several Prometheus servers) cost one. The webhook and campaign
/// queues are counted on their (state, due time) indexes. The mail queue has no index on its due
/// time, and gets none: a message leaves it within a moment unless delivery is stuck, so what is
/// read is nearly always nothing, and an index would cost every new contact's confirmation email
/// a write to spare a scrape a scan.
/// </summary>
internal sealed partial class QueueReadings(IServiceScopeFactory scopes, TimeProvider clock, ILogger<QueueReadings> logger)
{
    private static readonly TimeSpan KeepFor = TimeSpan.FromSeconds(5);

    private static readonly KeyValuePair<string, object?> Mail = new("queue", "mail");
    private static readonly KeyValuePair<string, object?> WebhookQueue = new("queue", "webhook");
    private static readonly KeyValuePair<string, object?> CampaignQueue = new("queue", "campaign");

    private readonly Lock _lock = new();
    private Reading[] _readings = [];
    private long? _readAt;

    private sealed record Reading(KeyValuePair<string, object?> Queue, int Depth, double OldestAgeSeconds);

    public IEnumerable<Measurement<int>> Depths() => Current().Select(r => new Measurement<int>(r.Depth, r.Queue));

    public IEnumerable<Measurement<double>> OldestAges() => Current().Select(r => new Measurement<double>(r.OldestAgeSeconds, r.Queue));

    private Reading[] Current()
    {
        lock (_lock)
        {
            if (_readAt is not { } readAt || clock.GetElapsedTime(readAt) >= KeepFor)
            {
                _readings = Read();
                _readAt = clock.GetTimestamp();
            }
            return _readings;
        }
    }

    /// <summary>
    /// Due as the workers see it: a message not put off by the relay (due since it was stored, or
    /// since the put-off ended), a pending delivery whose next attempt has come, a running campaign
    /// whose next step has. Synchronous, as the gauges' callbacks are.
    /// </summary>
    private Reading[] Read()
    {
        try
        {
            using var scope = scopes.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<TagflowDb>();
            var now = clock.GetUtcNow().UtcDateTime;
            // The outbox deletes the rows of written files in batches, a moment later: those wait no more.
            var written = scope.ServiceProvider.GetRequiredService<IMailRelay>() is OutboxRelay outbox ? outbox.WrittenThrough : 0;
            var mail = db.OutboxMails.Where(m => m.Id > written && (m.NotBefore == null || m.NotBefore <= now));
            var deliveries = db.WebhookDeliveries.Where(d => d.State == DeliveryState.Pending && d.NextAttemptAt <= now);
            var steps = db.CampaignRuns.Where(r => r.State == RunState.Running && r.DueAt <= now);
            return
            [
                new(Mail, mail.Count(), AgeSeconds(mail.Min(m => (DateTime?)(m.NotBefore ?? m.CreatedAt)), now)),
                new(WebhookQueue, deliveries.Count(), AgeSeconds(deliveries.Min(d => (DateTime?)d.NextAttemptAt), now)),
                new(CampaignQueue, steps.Count(), AgeSeconds(steps.Min(r => (DateTime?)r.DueAt), now)),
            ];
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // No reading rather than an old one: the scrape goes on without these gauges, and Prometheus sees them missing.
            LogReadFailed(logger, e);
            return [];
        }
    }

    private static double AgeSeconds(DateTime? dueSince, DateTime now) => dueSince is { } due ? Math.Max(0, (now - due).TotalSeconds) : 0;

    [LoggerMessage(Level = LogLevel.Warning, Message = "The queue gauges could not be read from the database; this scrape goes without them.")]
    private static partial void LogReadFailed(ILogger logger, Exception e);
}
