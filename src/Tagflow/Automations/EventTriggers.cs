using Microsoft.EntityFrameworkCore;
using Tagflow.Contacts;
using Tagflow.Data;
using Tagflow.Events;
using Tagflow.Tags;
using Tagflow.Webhooks;

namespace Tagflow.Automations;

/// <summary>
/// Reads an account's event feed past its <see cref="AutomationCursor"/> and turns events into
/// automation work, in the same transaction that moves the cursor, so each event counts exactly once:
/// <c>tag.added</c> starts the campaigns the tag starts (for a subscribed contact) and queues the
/// webhooks it triggers; <c>contact.subscribed</c> starts the campaigns of the tags a contact already
/// has; <c>tag.removed</c> stops the runs of campaigns the tag started; <c>contact.unsubscribed</c>
/// stops all of the contact's runs. (A deleted contact's runs go with it.) Runs under the account's
/// writer, so no other change to the account interleaves and no second instance reads the same events.
/// </summary>
internal static class EventTriggers
{
    /// <summary>At most this many events per transaction.</summary>
    private const int Batch = 500;

    private sealed record CampaignTrigger(long Id, long TagId, long FromEventId, string Name);

    /// <summary>Handles the next events of the account; answers how many (0: none waited, nothing changed).</summary>
    public static async Task<WriteOutcome<int>> ProcessAsync(TagflowDb db, long accountId, DateTime now, CancellationToken cancellationToken)
    {
        var cursor = await db.AutomationCursors.SingleOrDefaultAsync(c => c.AccountId == accountId, cancellationToken);
        if (cursor is null)
        {
            // The account's first automation: the events before it start nothing, so reading begins there.
            var first = await db.Campaigns.Where(c => c.AccountId == accountId).MinAsync(c => (long?)c.FromEventId, cancellationToken);
            var firstHook = await db.Webhooks.Where(w => w.AccountId == accountId).MinAsync(w => (long?)w.FromEventId, cancellationToken);
            cursor = new AutomationCursor { AccountId = accountId, LastEventId = Math.Min(first ?? long.MaxValue, firstHook ?? long.MaxValue) is var from and < long.MaxValue ? from : 0 };
            db.AutomationCursors.Add(cursor);
        }
        var after = cursor.LastEventId;
        var events = await db.Events.AsNoTracking()
            .Where(e => e.AccountId == accountId && e.Id > after)
            .OrderBy(e => e.Id).Take(Batch)
            .Select(e => new { e.Id, e.Type, e.ContactId, e.TagId, e.SkipsAutomations })
            .ToListAsync(cancellationToken);
        if (events.Count == 0) return WriteOutcome<int>.Refused(0);

        var campaigns = await db.Campaigns.AsNoTracking().Where(c => c.AccountId == accountId)
            .Select(c => new CampaignTrigger(c.Id, c.TagId, c.FromEventId, c.Name)).ToListAsync(cancellationToken);
        var webhooks = await db.Webhooks.AsNoTracking().Where(w => w.AccountId == accountId && w.TagId != null && w.DisabledAt == null)
            .ToListAsync(cancellationToken);
        foreach (var e in events)
        {
            if (e.SkipsAutomations) continue; // an import's, told to start nothing: the cursor passes it
            switch (e.Type)
            {
                case EventTypes.TagAdded:
                    foreach (var campaign in campaigns.Where(c => c.TagId == e.TagId && e.Id > c.FromEventId))
                        await EnterAsync(db, accountId, campaign, e.ContactId, now, cancellationToken);
                    foreach (var webhook in webhooks.Where(w => w.TagId == e.TagId && e.Id > w.FromEventId))
                        await WebhookQueue.AddAsync(db, webhook, e.ContactId, DeliveryCauses.TagAdded, now, cancellationToken);
                    break;
                case EventTypes.ContactSubscribed:
                    var listening = campaigns.Where(c => e.Id > c.FromEventId).ToList();
                    var startTags = listening.Select(c => c.TagId).Distinct().ToList();
                    if (startTags.Count == 0) break;
                    var has = await db.ContactTags.Where(t => t.ContactId == e.ContactId && startTags.Contains(t.TagId)).Select(t => t.TagId).ToListAsync(cancellationToken);
                    foreach (var campaign in listening.Where(c => has.Contains(c.TagId)))
                        await EnterAsync(db, accountId, campaign, e.ContactId, now, cancellationToken);
                    break;
                case EventTypes.TagRemoved:
                    var started = campaigns.Where(c => c.TagId == e.TagId).Select(c => c.Id).ToList();
                    if (started.Count > 0)
                        await StopAsync(db, e.ContactId, now, "untagged", r => started.Contains(r.CampaignId) && !r.StartTagRemovedBySelf, cancellationToken);
                    break;
                case EventTypes.ContactUnsubscribed:
                    await StopAsync(db, e.ContactId, now, "unsubscribed", r => true, cancellationToken);
                    break;
            }
        }
        cursor.LastEventId = events[^1].Id;
        return WriteOutcome<int>.Kept(events.Count);
    }

    /// <summary>
    /// Starts the campaign for the contact if it is subscribed, still has the start tag and never
    /// entered it: the first step is due at once, and the contact gets "Campaign started: X".
    /// </summary>
    private static async Task EnterAsync(TagflowDb db, long accountId, CampaignTrigger campaign, long contactId, DateTime now, CancellationToken cancellationToken)
    {
        var status = await db.Contacts.Where(c => c.Id == contactId).Select(c => (ContactStatus?)c.Status).SingleOrDefaultAsync(cancellationToken);
        if (status != ContactStatus.Subscribed) return;
        if (await db.CampaignRuns.AnyAsync(r => r.CampaignId == campaign.Id && r.ContactId == contactId, cancellationToken)) return;
        if (!await db.ContactTags.AnyAsync(t => t.ContactId == contactId && t.TagId == campaign.TagId, cancellationToken)) return;
        db.CampaignRuns.Add(new CampaignRun
        {
            AccountId = accountId, CampaignId = campaign.Id, ContactId = contactId, Step = 0, State = RunState.Running, DueAt = now, StartedAt = now,
        });
        await db.Contacts.Where(c => c.Id == contactId && !c.HasCampaignActivity)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.HasCampaignActivity, true), cancellationToken);
        await Taggings.AssignSmartTagAsync(db, accountId, contactId, SmartTags.CampaignStartedKey(campaign.Id), SmartTags.CampaignStartedName(campaign.Name), now, cancellationToken);
        await db.SaveChangesAsync(cancellationToken); // so that a second event for the contact in this batch sees the run
    }

    private static Task<int> StopAsync(TagflowDb db, long contactId, DateTime now, string reason,
        System.Linq.Expressions.Expression<Func<CampaignRun, bool>> which, CancellationToken cancellationToken) =>
        db.CampaignRuns.Where(r => r.ContactId == contactId && r.State == RunState.Running).Where(which)
            .ExecuteUpdateAsync(s => s
                .SetProperty(r => r.State, RunState.Stopped)
                .SetProperty(r => r.EndedAt, now)
                .SetProperty(r => r.StopReason, reason), cancellationToken);
}
