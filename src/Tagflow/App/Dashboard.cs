using Microsoft.EntityFrameworkCore;
using Tagflow.Contacts;
using Tagflow.Data;
using Tagflow.Webhooks;
using Tagflow.Delivery;

namespace Tagflow.App;

/// <summary>One day of a dashboard chart: the date in the account's time zone and its count (public, as the chart component that takes it is).</summary>
public readonly record struct DayCount(DateOnly Day, int Count);

/// <summary>A newest contact on the dashboard.</summary>
internal sealed record RecentContact(long Id, string? Email, string? Sms, ContactStatus Status, DateTime SignupAt, string SignupSource);

/// <summary>A queue of the account's work waiting to go out: how much, since when, and how much of it was put off.</summary>
internal readonly record struct QueueFigures(int Waiting, DateTime? OldestAt, int PutOff);

/// <summary>
/// The dashboard's figures for one account, each read from an index where one exists: the contacts by
/// status (the pending, unsubscribed and bounced ones from the partial indexes that hold only them,
/// the subscribed ones as the rest of the account's count), subscriptions and unsubscriptions per day,
/// the newest contacts, and the health of the account's email and webhook queues. All of them are read
/// in one snapshot, so that they agree with each other.
/// </summary>
internal sealed class Dashboard
{
    /// <summary>The days a chart may cover.</summary>
    public static readonly int[] Spans = [30, 90];

    /// <summary>An email or webhook call that has waited longer than this is flagged: the relay or the receiver may be down.</summary>
    public static readonly TimeSpan Stuck = TimeSpan.FromMinutes(10);

    public long Contacts { get; private init; }
    public IReadOnlyDictionary<ContactStatus, long> ByStatus { get; private init; } = new Dictionary<ContactStatus, long>();
    public IReadOnlyDictionary<BounceStatus, long> Bounced { get; private init; } = new Dictionary<BounceStatus, long>();
    public IReadOnlyList<DayCount> Subscribed { get; private init; } = [];
    public IReadOnlyList<DayCount> Unsubscribed { get; private init; } = [];
    public IReadOnlyList<RecentContact> Recent { get; private init; } = [];
    public QueueFigures Emails { get; private init; }
    public QueueFigures WebhookCalls { get; private init; }
    /// <summary>Webhook attempts that failed (no answer, or not 2xx) in the last 24 hours.</summary>
    public int FailedCalls { get; private init; }
    /// <summary>
    /// With a sending rate: how long the relay's limit needs for every email due now (all accounts share
    /// the queue). An email waiting that long is not stuck, only in line.
    /// </summary>
    public TimeSpan EmailsDrain { get; private init; }
    /// <summary>The account's emails the queue dropped in the last 24 hours (refused for good by the relay, or put off for too long), the newest first.</summary>
    public IReadOnlyList<MailFailure> FailedEmails { get; private init; } = [];
    public int FailedEmailCount { get; private init; }
    public DateTime Now { get; private init; }

    public static async Task<Dashboard> LoadAsync(TagflowDb db, long accountId, TimeZoneInfo zone, int days, DateTime now, CancellationToken cancellationToken,
        double? smtpRate = null)
    {
        // Every figure from one moment: an email the queue drops between two queries is counted once.
        await using var snapshot = await ReadSnapshot.BeginAsync(db, cancellationToken);
        var total = await db.Contacts.CountAsync(c => c.AccountId == accountId, cancellationToken);
        // The conditions of the partial indexes, spelled out, so that the planner may read them alone.
        var byStatus = await db.Contacts.Where(c => c.AccountId == accountId && c.Status != ContactStatus.Subscribed)
            .GroupBy(c => c.Status).Select(g => new { g.Key, Count = g.LongCount() }).ToDictionaryAsync(g => g.Key, g => g.Count, cancellationToken);
        byStatus[ContactStatus.Subscribed] = total - byStatus.Values.Sum();
        var bounced = await db.Contacts.Where(c => c.AccountId == accountId && c.Bounce != BounceStatus.None)
            .GroupBy(c => c.Bounce).Select(g => new { g.Key, Count = g.LongCount() }).ToDictionaryAsync(g => g.Key, g => g.Count, cancellationToken);

        // The first day shown starts at midnight in the account's zone, the last one is today.
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(now, zone));
        var first = today.AddDays(1 - days);
        var since = TimeZoneInfo.ConvertTimeToUtc(first.ToDateTime(TimeOnly.MinValue), zone);
        var changes = await db.Contacts.AsNoTracking()
            .Where(c => c.AccountId == accountId && (c.OptInAt >= since || c.UnsubscribedAt >= since))
            .Select(c => new { c.OptInAt, c.UnsubscribedAt }).ToListAsync(cancellationToken);
        List<DayCount> PerDay(IEnumerable<DateTime?> times)
        {
            var counts = new int[days];
            foreach (var t in times)
            {
                if (t is not { } utc || utc < since) continue;
                var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), zone)).DayNumber - first.DayNumber;
                if (day is >= 0 && day < days) counts[day]++;
            }
            return [.. counts.Select((n, i) => new DayCount(first.AddDays(i), n))];
        }

        var recent = await db.Contacts.AsNoTracking().Where(c => c.AccountId == accountId).OrderByDescending(c => c.Id).Take(10)
            .Select(c => new RecentContact(c.Id, c.Email, c.SmsPhone, c.Status, c.SignupAt, c.SignupSource)).ToListAsync(cancellationToken);

        var emails = await db.OutboxMails.Where(m => m.AccountId == accountId).GroupBy(_ => 1)
            .Select(g => new QueueFigures(g.Count(), g.Min(m => (DateTime?)m.CreatedAt), g.Count(m => m.Attempts > 0))).SingleOrDefaultAsync(cancellationToken);
        var calls = await db.WebhookDeliveries.Where(d => d.AccountId == accountId && d.State == DeliveryState.Pending).GroupBy(_ => 1)
            .Select(g => new QueueFigures(g.Count(), g.Min(d => (DateTime?)d.CreatedAt), g.Count(d => d.Attempts > 0))).SingleOrDefaultAsync(cancellationToken);
        var dayAgo = now.AddDays(-1);
        var failedEmails = db.MailFailures.AsNoTracking().Where(f => f.AccountId == accountId && f.At >= dayAgo);
        var failedEmailCount = await failedEmails.CountAsync(cancellationToken);
        List<MailFailure> lastFailures = failedEmailCount == 0 ? [] : await failedEmails.OrderByDescending(f => f.At).ThenByDescending(f => f.Id).Take(5).ToListAsync(cancellationToken);
        var drain = smtpRate is { } rate
            ? TimeSpan.FromSeconds(await db.OutboxMails.CountAsync(m => m.NotBefore == null || m.NotBefore <= now, cancellationToken) / rate)
            : TimeSpan.Zero;
        // A call is tried for at most 3 days: the attempts of the last 24 hours belong to calls queued in the last 4.
        var queuedSince = now.AddDays(-4);
        var failed = await db.WebhookDeliveries.Where(d => d.AccountId == accountId && d.CreatedAt >= queuedSince)
            .Join(db.WebhookAttempts, d => d.Id, a => a.DeliveryId, (d, a) => a)
            .CountAsync(a => a.At >= dayAgo && (a.Status == null || a.Status < 200 || a.Status >= 300), cancellationToken);

        return new Dashboard
        {
            Contacts = total, ByStatus = byStatus, Bounced = bounced,
            Subscribed = PerDay(changes.Select(c => c.OptInAt)), Unsubscribed = PerDay(changes.Select(c => c.UnsubscribedAt)),
            Recent = recent, Emails = emails, WebhookCalls = calls, FailedCalls = failed, EmailsDrain = drain,
            FailedEmails = lastFailures, FailedEmailCount = failedEmailCount, Now = now,
        };
    }

    /// <summary>Whether the oldest of a queue has waited too long.</summary>
    public bool IsStuck(QueueFigures queue) => queue.OldestAt is { } oldest && Now - oldest > Stuck;

    /// <summary>Whether the oldest email has waited too long, beyond the time the sending rate needs for what is in line.</summary>
    public bool EmailsStuck => Emails.OldestAt is { } oldest && Now - oldest > Stuck + EmailsDrain;
}
