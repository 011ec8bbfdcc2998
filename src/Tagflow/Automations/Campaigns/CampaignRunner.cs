using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Tagflow.Accounts;
using Tagflow.Bounces;
using Tagflow.Contacts;
using Tagflow.Data;
using Tagflow.Delivery;
using Tagflow.Events;
using Tagflow.Fields;
using Tagflow.OptIns;
using Tagflow.Tags;
using Tagflow.Webhooks;

namespace Tagflow.Automations;

/// <summary>What running a batch of steps did: how many runs it took on.</summary>
internal sealed record StepsDone(int Runs);

/// <summary>
/// Runs the due steps of an account's campaign runs, inside one change under the account's writer:
/// each run goes on from its step until a wait (which sets when it is due next) or its end. A step
/// is marked done in the same transaction that records its effect: the email stored for delivery
/// (with its <see cref="SentEmail"/>), the tag added or removed (with its event), the webhook call
/// queued. Before going on, a run checks that its contact is still subscribed and still has the
/// start tag; if not, it stops there.
/// </summary>
internal static class CampaignRunner
{
    public static async Task<WriteOutcome<StepsDone>> RunAsync(TagflowDb db, long accountId, List<long> runIds, DateTime now, string baseUrl,
        BounceAddresses bounces, CancellationToken cancellationToken)
    {
        // On PostgreSQL a run another instance is running right now is skipped, not waited for.
        var runs = db is PostgresTagflowDb
            ? await db.CampaignRuns.FromSql($"""
                SELECT * FROM "CampaignRuns" WHERE "Id" = ANY({runIds.ToArray()}) AND "State" = 'Running' AND "DueAt" <= {now}
                ORDER BY "DueAt" FOR UPDATE SKIP LOCKED
                """).ToListAsync(cancellationToken)
            : await db.CampaignRuns.Where(r => runIds.Contains(r.Id) && r.State == RunState.Running && r.DueAt <= now).OrderBy(r => r.DueAt).ToListAsync(cancellationToken);
        if (runs.Count == 0) return WriteOutcome<StepsDone>.Refused(new StepsDone(0));

        var account = await db.Accounts.AsNoTracking().Where(a => a.Id == accountId).Select(a => new { a.Email, a.TimeZone }).SingleAsync(cancellationToken);
        var zone = Principal.Zone(account.TimeZone);
        var campaignIds = runs.Select(r => r.CampaignId).Distinct().ToList();
        var campaigns = await db.Campaigns.AsNoTracking().Where(c => campaignIds.Contains(c.Id)).ToDictionaryAsync(c => c.Id, cancellationToken);
        var steps = campaigns.ToDictionary(c => c.Key, c => CampaignSteps.Parse(c.Value.Steps));

        foreach (var run in runs)
        {
            var campaign = campaigns[run.CampaignId];
            if (campaign.PausedAt is not null) continue; // paused since its runs were picked: they wait where they stand
            var contact = await db.Contacts.AsNoTracking().Where(c => c.Id == run.ContactId)
                .Select(c => new { c.Email, c.Status, c.Bounce }).SingleOrDefaultAsync(cancellationToken);
            if (contact is null) continue; // erased a moment ago; its runs go with it
            if (contact.Status != ContactStatus.Subscribed)
            {
                Stop(run, now, "unsubscribed");
                continue;
            }
            if (!run.StartTagRemovedBySelf && !await db.ContactTags.AnyAsync(t => t.ContactId == run.ContactId && t.TagId == campaign.TagId, cancellationToken))
            {
                Stop(run, now, "untagged");
                continue;
            }
            var list = steps[run.CampaignId];
            while (run.State == RunState.Running)
            {
                if (run.Step >= list.Count)
                {
                    run.State = RunState.Finished;
                    run.EndedAt = now;
                    await Taggings.AssignSmartTagAsync(db, accountId, run.ContactId, SmartTags.CampaignFinishedKey(campaign.Id),
                        SmartTags.CampaignFinishedName(campaign.Name), now, cancellationToken);
                    break;
                }
                var step = list[run.Step];
                run.Step++;
                switch (step.Type)
                {
                    case StepTypes.Email when contact.Email is not null && contact.Bounce is BounceStatus.Hard or BounceStatus.Spam:
                        // A hard-bounced or complaining address gets no more email: the step is skipped, and the event says so.
                        Skip(db, campaign, run, now, contact.Bounce == BounceStatus.Hard ? SkippedEmail.Reasons.HardBounce : SkippedEmail.Reasons.Complaint);
                        break;
                    case StepTypes.Email when contact.Email is not null:
                        try
                        {
                            await QueueEmailAsync(db, accountId, account.Email, zone, campaign, run, step, contact.Email, baseUrl, now, bounces, cancellationToken);
                        }
                        catch (TemplateFailedException)
                        {
                            // Its template cannot be filled for this contact (a loop that does not end): this email is passed over,
                            // as a bounced address's is, and the contact goes on with the campaign; the app's preview says why.
                            Skip(db, campaign, run, now, SkippedEmail.Reasons.Template);
                        }
                        break;
                    case StepTypes.Wait:
                        run.DueAt = CampaignSteps.WaitEnds(step, now, zone);
                        break;
                    case StepTypes.Tag when step.TagId is { } tagId:
                        // A tag a step uses cannot be deleted through the API; should it be gone anyway, the step does nothing.
                        if (await db.Tags.AnyAsync(t => t.Id == tagId && t.AccountId == accountId, cancellationToken))
                            await Taggings.EnsureAsync(db, accountId, run.ContactId, tagId, now, cancellationToken);
                        break;
                    case StepTypes.Untag when step.TagId is { } tagId:
                        await Taggings.RemoveAsync(db, accountId, run.ContactId, tagId, now, cancellationToken);
                        if (tagId == campaign.TagId) run.StartTagRemovedBySelf = true;
                        break;
                    case StepTypes.Webhook when step.WebhookId is { } webhookId:
                        var webhook = await db.Webhooks.AsNoTracking().SingleOrDefaultAsync(w => w.Id == webhookId && w.AccountId == accountId && w.DisabledAt == null, cancellationToken);
                        if (webhook is not null) await WebhookQueue.AddAsync(db, webhook, run.ContactId, DeliveryCauses.Campaign, now, cancellationToken);
                        break;
                }
                // Saved step by step: a later run of the same contact in this batch (another campaign) sees what this one did.
                await db.SaveChangesAsync(cancellationToken);
                if (step.Type == StepTypes.Wait) break;
            }
        }
        return WriteOutcome<StepsDone>.Kept(new StepsDone(runs.Count));
    }

    /// <summary>Stops a run whose step fails on its own every time (see <see cref="AutomationWorker"/>), so that it holds up no other.</summary>
    public static async Task<WriteOutcome<bool>> GiveUpAsync(TagflowDb db, long runId, DateTime now, CancellationToken cancellationToken) =>
        WriteOutcome<bool>.Kept(await db.CampaignRuns.Where(r => r.Id == runId && r.State == RunState.Running)
            .ExecuteUpdateAsync(s => s
                .SetProperty(r => r.State, RunState.Stopped)
                .SetProperty(r => r.EndedAt, now)
                .SetProperty(r => r.StopReason, "error"), cancellationToken) > 0);

    /// <summary>The run's email step passed over, recorded for the campaign's numbers and written to the feed as <c>email.skipped</c>.</summary>
    private static void Skip(TagflowDb db, Campaign campaign, CampaignRun run, DateTime now, string reason)
    {
        var step = run.Step - 1;
        db.SkippedEmails.Add(new SkippedEmail { AccountId = campaign.AccountId, ContactId = run.ContactId, CampaignId = campaign.Id, Step = step, Reason = reason, At = now });
        EventLog.Add(db, campaign.AccountId, EventTypes.EmailSkipped, run.ContactId, now,
            fields: [$"campaign:{campaign.Id.ToString(CultureInfo.InvariantCulture)}", $"step:{step.ToString(CultureInfo.InvariantCulture)}", reason]);
    }

    private static void Stop(CampaignRun run, DateTime now, string reason)
    {
        run.State = RunState.Stopped;
        run.EndedAt = now;
        run.StopReason = reason;
    }

    /// <summary>The step's email for the run's contact, stored for delivery with its <see cref="SentEmail"/> record.</summary>
    private static async Task QueueEmailAsync(TagflowDb db, long accountId, string accountEmail, TimeZoneInfo zone, Campaign campaign, CampaignRun run, CampaignStep step,
        string email, string baseUrl, DateTime now, BounceAddresses bounces, CancellationToken cancellationToken)
    {
        var values = new Dictionary<string, string>();
        await foreach (var field in ContactQueries.Fields(db, run.ContactId).WithCancellation(cancellationToken)) values[field.Key] = field.Value;
        var tags = await ContactQueries.TagNames(db, run.ContactId).ToListAsync(cancellationToken);
        var (token, hash) = ConfirmationMail.NewToken();
        var messageId = CampaignMail.NewMessageId(campaign, accountEmail);
        var (message, links) = CampaignMail.Create(campaign, step, accountEmail, email, values, tags, zone, baseUrl, token, messageId,
            new DateTimeOffset(now, TimeSpan.Zero));
        bounces.Stamp(message, accountId, run.ContactId, email);
        db.SentEmails.Add(new SentEmail
        {
            AccountId = accountId, ContactId = run.ContactId, CampaignId = campaign.Id, Step = run.Step - 1, TokenHash = hash, MessageId = messageId,
            Links = System.Text.Json.JsonSerializer.Serialize(links), SentAt = now,
        });
        db.AddRow(OutboxRelay.Prepare(message, accountId, now));
    }
}
