using Microsoft.EntityFrameworkCore;
using Tagflow.Data;
using Tagflow.Tags;
using Tagflow.Wire;

namespace Tagflow.Automations;

internal sealed record CampaignRequest(string? Name, long? TagId, List<CampaignStep?>? Steps, string? SenderName, string? SenderAddress);

/// <summary>How many contacts are in each state of a campaign.</summary>
internal sealed record CampaignCounts(int Running, int Finished, int Stopped);

/// <summary>Creating, changing, listing and deleting an account's campaigns; for the API and the command line.</summary>
internal sealed class CampaignAdmin(TagflowDb db, TimeProvider clock, AutomationSignal signal)
{
    /// <summary>
    /// Creates a campaign (<paramref name="id"/> null) or replaces one's name, start tag and steps. A new
    /// campaign made <paramref name="paused"/> (the admin app makes its drafts so) starts no contact until it is resumed.
    /// </summary>
    public async Task<(Campaign? Campaign, Refusal? Refusal)> SaveAsync(long accountId, long? id, CampaignRequest request, CancellationToken cancellationToken,
        bool paused = false)
    {
        var existing = id is { } campaignId
            ? await db.Campaigns.SingleOrDefaultAsync(c => c.Id == campaignId && c.AccountId == accountId, cancellationToken)
            : null;
        if (id is not null && existing is null) return (null, Refusal.NoSuchEntity);
        var name = request.Name?.Trim() ?? existing?.Name;
        if (string.IsNullOrEmpty(name)) return (null, new("The key \"name\" is required: the campaign's name."));
        if (name.Length > 250) return (null, new("The key \"name\" may have at most 250 characters."));
        if (WireText.LineProblem("name", name) is { } line) return (null, new(line));
        if ((request.TagId ?? existing?.TagId) is not { } tagId) return (null, new("The key \"tagid\" is required: the tag (manual or SmartTag) that starts the campaign."));
        if (!await db.Tags.AnyAsync(t => t.Id == tagId && t.AccountId == accountId, cancellationToken))
            return (null, new($"There is no tag {tagId} in the account.", WireErrors.TagNotFound));
        var senderName = request.SenderName?.Trim() ?? existing?.SenderName ?? "";
        var senderAddress = request.SenderAddress?.Trim() ?? existing?.SenderAddress ?? "";
        if (senderName.Length > 100) return (null, new("The key \"sendername\" may have at most 100 characters."));
        if (WireText.LineProblem("sendername", senderName) is { } senderLine) return (null, new(senderLine));
        if (senderAddress.Length > 0 && Contacts.EmailAddress.Parse(senderAddress) is null)
            return (null, new("The key \"senderaddress\" must be an email address (or empty for the account's address)."));

        List<CampaignStep> steps;
        if (request.Steps is null && existing is not null) steps = CampaignSteps.Parse(existing.Steps);
        else
        {
            var (checkedSteps, problem) = CampaignSteps.Check(request.Steps);
            if (problem is not null) return (null, new(problem));
            steps = checkedSteps;
        }
        if (await StepReferenceRefusalAsync(accountId, steps, cancellationToken) is { } refusal) return (null, refusal);

        var normalized = Campaign.Normalize(name);
        if (await db.Campaigns.AnyAsync(c => c.AccountId == accountId && c.NormalizedName == normalized && c.Id != (id ?? 0), cancellationToken))
            return (null, new($"A campaign named \"{name}\" already exists in the account.", WireErrors.CampaignNameTaken));
        var now = clock.GetUtcNow().UtcDateTime;
        var campaign = existing ?? new Campaign { AccountId = accountId, Name = name, NormalizedName = normalized, Steps = "", CreatedAt = now, PausedAt = paused ? now : null };
        campaign.Name = name;
        campaign.NormalizedName = normalized;
        if (existing is null || existing.TagId != tagId) campaign.FromEventId = await LastEventIdAsync(db, accountId, cancellationToken);
        campaign.TagId = tagId;
        campaign.Steps = CampaignSteps.Serialize(steps);
        campaign.SenderName = senderName;
        campaign.SenderAddress = senderAddress;
        campaign.UpdatedAt = now;
        if (existing is null) db.Campaigns.Add(campaign);
        if (!await UniqueNames.SaveUnlessTakenAsync(db, ct => db.Campaigns.AnyAsync(c => c.AccountId == accountId && c.NormalizedName == normalized && c.Id != (id ?? 0), ct), cancellationToken))
            return (null, new($"A campaign named \"{name}\" already exists in the account.", WireErrors.CampaignNameTaken));
        signal.Changed();
        return (campaign, null);
    }

    /// <summary>The account's last event so far (0 if none): where a new trigger starts listening.</summary>
    public static async Task<long> LastEventIdAsync(TagflowDb db, long accountId, CancellationToken cancellationToken) =>
        await db.Events.Where(e => e.AccountId == accountId).MaxAsync(e => (long?)e.Id, cancellationToken) ?? 0;

    /// <summary>Tag and untag steps name manual tags of the account; webhook steps its webhooks.</summary>
    private async Task<Refusal?> StepReferenceRefusalAsync(long accountId, List<CampaignStep> steps, CancellationToken cancellationToken)
    {
        var tagIds = steps.Where(s => s.TagId is not null).Select(s => s.TagId!.Value).Distinct().ToList();
        var kinds = await db.Tags.Where(t => t.AccountId == accountId && tagIds.Contains(t.Id)).Select(t => new { t.Id, t.Kind }).ToListAsync(cancellationToken);
        // Nullable, so that an id of 0 (no tag has it) is refused too rather than taken for "none missing".
        if (tagIds.Where(t => kinds.All(k => k.Id != t)).Select(t => (long?)t).FirstOrDefault() is { } missing)
            return new($"There is no tag {missing} in the account.", WireErrors.TagNotFound);
        if (kinds.FirstOrDefault(k => k.Kind != TagKind.Manual) is { } smart)
            return new($"Tag {smart.Id} is a SmartTag: only the system assigns and removes it; tag and untag steps take manual tags.", WireErrors.SmartTag);
        var webhookIds = steps.Where(s => s.WebhookId is not null).Select(s => s.WebhookId!.Value).Distinct().ToList();
        var known = await db.Webhooks.Where(w => w.AccountId == accountId && webhookIds.Contains(w.Id)).Select(w => w.Id).ToListAsync(cancellationToken);
        return webhookIds.Where(w => !known.Contains(w)).Select(w => (long?)w).FirstOrDefault() is { } unknown
            ? new($"There is no webhook {unknown} in the account.", WireErrors.WebhookNotFound)
            : null;
    }

    public Task<List<Campaign>> ListAsync(long accountId, CancellationToken cancellationToken) =>
        db.Campaigns.AsNoTracking().Where(c => c.AccountId == accountId).OrderBy(c => c.Id).ToListAsync(cancellationToken);

    public Task<Campaign?> FindAsync(long accountId, long id, CancellationToken cancellationToken) =>
        db.Campaigns.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id && c.AccountId == accountId, cancellationToken);

    /// <summary>How many contacts run, finished and stopped, per campaign of the account.</summary>
    public Task<Dictionary<long, CampaignCounts>> CountsAsync(long accountId, CancellationToken cancellationToken) => CountsAsync(accountId, null, cancellationToken);

    /// <summary>How many contacts run, finished and stopped, per campaign of the account, or in its campaign <paramref name="campaignId"/> alone.</summary>
    public async Task<Dictionary<long, CampaignCounts>> CountsAsync(long accountId, long? campaignId, CancellationToken cancellationToken)
    {
        var rows = await db.CampaignRuns.Where(r => r.AccountId == accountId && (campaignId == null || r.CampaignId == campaignId))
            .GroupBy(r => new { r.CampaignId, r.State })
            .Select(g => new { g.Key.CampaignId, g.Key.State, Count = g.Count() })
            .ToListAsync(cancellationToken);
        return rows.GroupBy(r => r.CampaignId).ToDictionary(g => g.Key, g => new CampaignCounts(
            g.Where(r => r.State == RunState.Running).Sum(r => r.Count),
            g.Where(r => r.State == RunState.Finished).Sum(r => r.Count),
            g.Where(r => r.State == RunState.Stopped).Sum(r => r.Count)));
    }

    /// <summary>
    /// Pauses or resumes a campaign; answers it as it is then, or null if the account has no such
    /// campaign. Pausing a paused campaign (or resuming a running one) changes nothing, so a repeated
    /// call is harmless. A resumed campaign's due steps run at the engine's next look.
    /// </summary>
    public async Task<Campaign?> PauseAsync(long accountId, long id, bool pause, CancellationToken cancellationToken)
    {
        var campaign = await db.Campaigns.SingleOrDefaultAsync(c => c.Id == id && c.AccountId == accountId, cancellationToken);
        if (campaign is null) return null;
        if (pause != campaign.PausedAt is not null)
        {
            var now = clock.GetUtcNow().UtcDateTime;
            (campaign.PausedAt, campaign.UpdatedAt) = (pause ? now : null, now);
            await db.SaveChangesAsync(cancellationToken);
            signal.Changed();
        }
        return campaign;
    }

    /// <summary>Deletes a campaign and its runs: no contact gets another of its steps. False if the account has no such campaign.</summary>
    public async Task<bool> RemoveAsync(long accountId, long id, CancellationToken cancellationToken) =>
        await db.Campaigns.Where(c => c.Id == id && c.AccountId == accountId).ExecuteDeleteAsync(cancellationToken) > 0;

    /// <summary>Whether a tag starts a campaign or webhook, or a campaign's step tags or untags with it.</summary>
    public static async Task<bool> TagInUseAsync(TagflowDb db, long accountId, long tagId, CancellationToken cancellationToken)
    {
        if (await db.Campaigns.AnyAsync(c => c.AccountId == accountId && c.TagId == tagId, cancellationToken)
            || await db.Webhooks.AnyAsync(w => w.AccountId == accountId && w.TagId == tagId, cancellationToken))
            return true;
        var all = await db.Campaigns.Where(c => c.AccountId == accountId).Select(c => c.Steps).ToListAsync(cancellationToken);
        return all.Any(steps => CampaignSteps.Parse(steps).Any(s => s.TagId == tagId));
    }

    /// <summary>Whether a campaign's step calls the webhook.</summary>
    public static async Task<bool> WebhookInUseAsync(TagflowDb db, long accountId, long webhookId, CancellationToken cancellationToken)
    {
        var all = await db.Campaigns.Where(c => c.AccountId == accountId).Select(c => c.Steps).ToListAsync(cancellationToken);
        return all.Any(steps => CampaignSteps.Parse(steps).Any(s => s.WebhookId == webhookId));
    }
}
