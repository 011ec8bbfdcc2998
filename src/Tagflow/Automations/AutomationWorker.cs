using Microsoft.EntityFrameworkCore;
using Tagflow.Data;
using Tagflow.OptIns;

namespace Tagflow.Automations;

/// <summary>
/// The automation engine's loop, in every instance: it turns new events into campaign runs and
/// webhook calls (<see cref="EventTriggers"/>), then runs the steps that are due
/// (<see cref="CampaignRunner"/>). Every change it makes goes through <see cref="Writes"/> like a
/// request's, so on PostgreSQL the account's advisory lock keeps instances from reading the same
/// events, and <c>FOR UPDATE SKIP LOCKED</c> from running the same step. It wakes after each
/// committed change and otherwise looks every <see cref="TagflowSettings.AutomationPoll"/> (for
/// waits that end, and changes made by other instances). Time comes from <see cref="TimeProvider"/>.
/// The emails and webhook calls it queues are delivered once their change commits: the commit wakes
/// their senders (<see cref="ICommitListener"/>).
/// </summary>
internal sealed partial class AutomationWorker(IServiceScopeFactory scopes, AutomationSignal signal, TagflowSettings settings, TimeProvider clock,
    IServiceProvider services, Bounces.BounceAddresses bounces, ILogger<AutomationWorker> logger) : BackgroundLoop("The automation engine", logger)
{
    /// <summary>At most this many due runs per change.</summary>
    private const int StepBatch = 100;

    /// <summary>
    /// The shortest pause between two looks when woken: wakes come with every committed change, and
    /// under load one look serves the changes of this span together.
    /// </summary>
    private static readonly TimeSpan Coalesce = TimeSpan.FromMilliseconds(10);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => RunRoundsAsync(LookAsync, stoppingToken);

    protected override TimeSpan RetryAfter(int failures) => settings.AutomationPoll;

    /// <summary>One look: new events, then due steps; then it waits for a wake or the poll.</summary>
    private async Task LookAsync(CancellationToken stoppingToken)
    {
        bool busy, idle;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<TagflowDb>();
            var writes = scope.ServiceProvider.GetRequiredService<Writes>();
            signal.TakeChanged();
            var (triggered, listening) = await TriggerAsync(db, writes, stoppingToken);
            var (stepped, due) = await StepAsync(db, writes, stoppingToken);
            busy = triggered | stepped;
            idle = !listening && !due;
        }
        if (idle) await IdleAsync(stoppingToken);
        else if (!busy) await signal.WaitAsync(settings.AutomationPoll, stoppingToken);
        await Task.Delay(Coalesce, stoppingToken);
    }

    /// <summary>
    /// With no campaign or tag-triggered webhook anywhere and nothing due, the changes that wake the
    /// worker cannot concern it: it looks again after the poll, or at once when one is saved here.
    /// (Another instance's are seen at the next poll.)
    /// </summary>
    private async Task IdleAsync(CancellationToken cancellationToken)
    {
        var until = DateTime.UtcNow + settings.AutomationPoll;
        for (var left = settings.AutomationPoll; left > TimeSpan.Zero; left = until - DateTime.UtcNow)
        {
            await signal.WaitAsync(left, cancellationToken);
            if (signal.TakeChanged()) return;
        }
    }

    /// <summary>New events of every account with automations; whether any were handled, and whether any account listens.</summary>
    private async Task<(bool Handled, bool Listening)> TriggerAsync(TagflowDb db, Writes writes, CancellationToken cancellationToken)
    {
        var accounts = await db.Campaigns.Select(c => c.AccountId)
            .Union(db.Webhooks.Where(w => w.TagId != null).Select(w => w.AccountId))
            .ToListAsync(cancellationToken);
        var handled = 0;
        foreach (var accountId in accounts)
        {
            // A read first, so that an account with nothing new costs no write.
            var after = await db.AutomationCursors.Where(c => c.AccountId == accountId).Select(c => (long?)c.LastEventId).SingleOrDefaultAsync(cancellationToken) ?? 0;
            if (!await db.Events.AnyAsync(e => e.AccountId == accountId && e.Id > after, cancellationToken)) continue;
            var now = clock.GetUtcNow().UtcDateTime;
            try
            {
                handled += await writes.RunAsync(accountId, (db, ct) => EventTriggers.ProcessAsync(db, accountId, now, ct), cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                LogAccountFailed(Logger, e, accountId); // the other accounts go on; this one is tried again at the next look
            }
            db.ChangeTracker.Clear();
        }
        return (handled > 0, accounts.Count > 0);
    }

    /// <summary>The due steps of every account; whether any run went on, and whether any was due.</summary>
    private async Task<(bool Ran, bool Due)> StepAsync(TagflowDb db, Writes writes, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var due = await db.CampaignRuns.AsNoTracking()
            .Where(r => r.State == RunState.Running && r.DueAt <= now && !db.Campaigns.Any(c => c.Id == r.CampaignId && c.PausedAt != null))
            .OrderBy(r => r.DueAt).Take(StepBatch)
            .Select(r => new { r.Id, r.AccountId })
            .ToListAsync(cancellationToken);
        if (due.Count == 0) return (false, false);
        var baseUrl = OptInPages.BaseUrl(services) ?? TagflowSettings.DefaultUrls;
        var ran = 0;
        foreach (var account in due.GroupBy(r => r.AccountId))
        {
            var ids = account.Select(r => r.Id).ToList();
            try
            {
                ran += (await writes.RunAsync(account.Key, (db, ct) => CampaignRunner.RunAsync(db, account.Key, ids, now, baseUrl, bounces, ct), cancellationToken)).Runs;
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // One run's step can fail the batch: each on its own, and one that fails alone is stopped, so it holds up no other.
                LogAccountFailed(Logger, e, account.Key);
                foreach (var id in ids)
                {
                    db.ChangeTracker.Clear();
                    try
                    {
                        ran += (await writes.RunAsync(account.Key, (db, ct) => CampaignRunner.RunAsync(db, account.Key, [id], now, baseUrl, bounces, ct), cancellationToken)).Runs;
                    }
                    catch (Exception alone) when (alone is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                    {
                        LogRunFailed(Logger, alone, id);
                        db.ChangeTracker.Clear();
                        await writes.RunAsync(account.Key, (db, ct) => CampaignRunner.GiveUpAsync(db, id, now, ct), cancellationToken);
                    }
                }
            }
            db.ChangeTracker.Clear();
        }
        return (ran > 0, true);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The automation engine failed for account {AccountId}; the other accounts go on.")]
    private static partial void LogAccountFailed(ILogger logger, Exception e, long accountId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Campaign run {RunId} failed at its step and is stopped (reason: error).")]
    private static partial void LogRunFailed(ILogger logger, Exception e, long runId);
}
