using Microsoft.EntityFrameworkCore;
using Tagflow.Automations;
using Tagflow.Data;

namespace Tagflow.App;

/// <summary>
/// What a campaign's email step did: emails sent, how many of them were opened and clicked, and the
/// emails it passed over, for a bounced or complaining address or a template that could not be filled.
/// </summary>
internal readonly record struct EmailFigures(int Sent, int Opened, int Clicked, int Skipped = 0, int SkippedForTemplate = 0);

/// <summary>
/// The numbers of the campaigns pages, per campaign of the account (or of the one campaign asked for):
/// contacts running, finished and stopped (and of those, stopped because they unsubscribed), and each
/// email step's emails sent, opened, clicked and skipped, by the step's index.
/// </summary>
internal sealed record CampaignFigures(CampaignCounts Runs, int Unsubscribed, IReadOnlyDictionary<int, EmailFigures> Emails)
{
    public static readonly CampaignFigures None = new(new CampaignCounts(0, 0, 0), 0, new Dictionary<int, EmailFigures>());

    public int Started => Runs.Running + Runs.Finished + Runs.Stopped;

    /// <summary>The figures of the account's campaigns, or of its campaign <paramref name="campaignId"/> alone.</summary>
    public static async Task<Dictionary<long, CampaignFigures>> LoadAsync(TagflowDb db, CampaignAdmin admin, long accountId, long? campaignId,
        CancellationToken cancellationToken)
    {
        var runs = await admin.CountsAsync(accountId, campaignId, cancellationToken);
        var unsubscribed = await db.CampaignRuns
            .Where(r => r.AccountId == accountId && (campaignId == null || r.CampaignId == campaignId) && r.State == RunState.Stopped && r.StopReason == "unsubscribed")
            .GroupBy(r => r.CampaignId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, cancellationToken);
        var campaignIds = await db.Campaigns.Where(c => c.AccountId == accountId && (campaignId == null || c.Id == campaignId)).Select(c => c.Id)
            .ToListAsync(cancellationToken);
        var sent = await db.SentEmails.Where(m => m.CampaignId != null && campaignIds.Contains(m.CampaignId.Value))
            .GroupBy(m => new { m.CampaignId, m.Step })
            .Select(g => new { CampaignId = g.Key.CampaignId!.Value, g.Key.Step, Sent = g.Count(), Opened = g.Count(m => m.OpenedAt != null), Clicked = g.Count(m => m.ClickedAt != null) })
            .ToListAsync(cancellationToken);
        var skipped = await db.SkippedEmails.Where(m => campaignIds.Contains(m.CampaignId))
            .GroupBy(m => new { m.CampaignId, m.Step })
            .Select(g => new { g.Key.CampaignId, g.Key.Step, Skipped = g.Count(), ForTemplate = g.Count(m => m.Reason == SkippedEmail.Reasons.Template) })
            .ToListAsync(cancellationToken);
        var emails = sent.Select(e => (e.CampaignId, e.Step, Figures: new EmailFigures(e.Sent, e.Opened, e.Clicked)))
            .Concat(skipped.Select(e => (e.CampaignId, e.Step, Figures: new EmailFigures(0, 0, 0, e.Skipped, e.ForTemplate))))
            .GroupBy(e => (e.CampaignId, e.Step))
            .Select(g => (g.Key.CampaignId, g.Key.Step, Figures: g.Aggregate(new EmailFigures(), (a, e) => new EmailFigures(a.Sent + e.Figures.Sent,
                a.Opened + e.Figures.Opened, a.Clicked + e.Figures.Clicked, a.Skipped + e.Figures.Skipped, a.SkippedForTemplate + e.Figures.SkippedForTemplate))))
            .ToList();
        return runs.Keys.Concat(emails.Select(e => e.CampaignId)).Distinct().ToDictionary(id => id, id => new CampaignFigures(
            runs.GetValueOrDefault(id) ?? None.Runs, unsubscribed.GetValueOrDefault(id),
            emails.Where(e => e.CampaignId == id).ToDictionary(e => e.Step, e => e.Figures)));
    }
}
