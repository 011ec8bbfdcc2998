using Microsoft.EntityFrameworkCore;
using Tagflow.Automations;
using Tagflow.Data;

namespace Tagflow.App;

/// <summary>What a campaign's email step did: emails sent, and how many of them were opened and clicked.</summary>
internal readonly record struct EmailFigures(int Sent, int Opened, int Clicked);

/// <summary>
/// The numbers of the campaigns page, per campaign of the account: contacts running, finished and
/// stopped (and of those, stopped because they unsubscribed), and each email step's emails sent,
/// opened and clicked, by the step's index.
/// </summary>
internal sealed record CampaignFigures(CampaignCounts Runs, int Unsubscribed, IReadOnlyDictionary<int, EmailFigures> Emails)
{
    public static readonly CampaignFigures None = new(new CampaignCounts(0, 0, 0), 0, new Dictionary<int, EmailFigures>());

    public int Started => Runs.Running + Runs.Finished + Runs.Stopped;

    public static async Task<Dictionary<long, CampaignFigures>> LoadAsync(TagflowDb db, CampaignAdmin admin, long accountId, CancellationToken cancellationToken)
    {
        var runs = await admin.CountsAsync(accountId, cancellationToken);
        var unsubscribed = await db.CampaignRuns.Where(r => r.AccountId == accountId && r.State == RunState.Stopped && r.StopReason == "unsubscribed")
            .GroupBy(r => r.CampaignId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, cancellationToken);
        var campaignIds = await db.Campaigns.Where(c => c.AccountId == accountId).Select(c => (long?)c.Id).ToListAsync(cancellationToken);
        var emails = await db.SentEmails.Where(m => campaignIds.Contains(m.CampaignId))
            .GroupBy(m => new { m.CampaignId, m.Step })
            .Select(g => new { g.Key.CampaignId, g.Key.Step, Sent = g.Count(), Opened = g.Count(m => m.OpenedAt != null), Clicked = g.Count(m => m.ClickedAt != null) })
            .ToListAsync(cancellationToken);
        return runs.Keys.Concat(emails.Select(e => e.CampaignId!.Value)).Distinct().ToDictionary(id => id, id => new CampaignFigures(
            runs.GetValueOrDefault(id) ?? None.Runs, unsubscribed.GetValueOrDefault(id),
            emails.Where(e => e.CampaignId == id).ToDictionary(e => e.Step, e => new EmailFigures(e.Sent, e.Opened, e.Clicked))));
    }
}
