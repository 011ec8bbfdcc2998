using Microsoft.EntityFrameworkCore;
using Tagflow.Data;
using Tagflow.Email;
using Tagflow.OptIns;
using Tagflow.Webhooks;

namespace Tagflow.Automations;

/// <summary>
/// The automation engine's loop, in every instance: it turns new events into campaign runs and
/// webhook calls (<see cref="EventTriggers"/>), then runs the steps that are due
/// (<see cref="CampaignRunner"/>). Every change it makes goes through <see cref="Writes"/> like a
/// request's, so on PostgreSQL the account's advisory lock keeps instances from reading the same
/// events, and <c>FOR UPDATE SKIP LOCKED</c> from running the same step. It wakes after each
/// committed change and otherwise looks every <see cref="TagflowSettings.AutomationPoll"/> (for
/// waits that end, and changes made by other instances). Time comes from <see cref="TimeProvider"/>.
/// </summary>
internal sealed partial class AutomationWorker(IServiceScopeFactory scopes, AutomationSignal signal, TagflowSettings settings, TimeProvider clock,
    IMailRelay relay, WebhookSender webhooks, IServiceProvider services, ILogger<AutomationWorker> logger) : BackgroundService
{
    /// <summary>At most this many due runs per change.</summary>
    private const int StepBatch = 100;

    /// <summary>
    /// The shortest pause between two looks when woken: wakes come with every committed change, and
    /// under load one look serves the changes of this span together.
    /// </summary>
    private static readonly TimeSpan Coalesce = TimeSpan.FromMilliseconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            var busy = false;
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<TagflowDb>();
                var writes = scope.ServiceProvider.GetRequiredService<Writes>();
                busy = await TriggerAsync(db, writes, stoppingToken) | await StepAsync(db, writes, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                LogFailed(logger, e, settings.AutomationPoll.TotalSeconds);
            }
            try
            {
                if (!busy) await signal.WaitAsync(settings.AutomationPoll, stoppingToken);
                await Task.Delay(Coalesce, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>New events of every account with automations; true if any were handled.</summary>
    private async Task<bool> TriggerAsync(TagflowDb db, Writes writes, CancellationToken cancellationToken)
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
            handled += await writes.RunAsync(accountId, (db, ct) => EventTriggers.ProcessAsync(db, accountId, now, ct), cancellationToken);
            db.ChangeTracker.Clear();
        }
        if (handled > 0) webhooks.Wake();
        return handled > 0;
    }

    /// <summary>The due steps of every account; true if any run went on.</summary>
    private async Task<bool> StepAsync(TagflowDb db, Writes writes, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var due = await db.CampaignRuns.AsNoTracking()
            .Where(r => r.State == RunState.Running && r.DueAt <= now)
            .OrderBy(r => r.DueAt).Take(StepBatch)
            .Select(r => new { r.Id, r.AccountId })
            .ToListAsync(cancellationToken);
        if (due.Count == 0) return false;
        var baseUrl = OptInPages.BaseUrl(services) ?? TagflowSettings.DefaultUrls;
        var ran = 0;
        foreach (var account in due.GroupBy(r => r.AccountId))
        {
            var ids = account.Select(r => r.Id).ToList();
            var done = await writes.RunAsync(account.Key, (db, ct) => CampaignRunner.RunAsync(db, account.Key, ids, now, baseUrl, ct), cancellationToken);
            db.ChangeTracker.Clear();
            ran += done.Runs;
            if (done.MailQueued) relay.Wake();
            if (done.WebhooksQueued) webhooks.Wake();
        }
        return ran > 0;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The automation engine failed; it tries again in {Seconds} s.")]
    private static partial void LogFailed(ILogger logger, Exception e, double seconds);
}
