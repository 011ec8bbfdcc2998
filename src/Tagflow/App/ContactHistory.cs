using Microsoft.EntityFrameworkCore;
using Tagflow.Data;
using Tagflow.Events;
using Tagflow.Fields;

namespace Tagflow.App;

/// <summary>One moment in a contact's history, told in words.</summary>
internal sealed record HistoryEntry(DateTime At, string Text);

/// <summary>
/// A contact's history for its page: its events (added, changed, subscribed, tagged…), the emails
/// campaigns sent it (sent, opened, clicked) and its campaigns (started, finished), newest first.
/// </summary>
internal static class ContactHistory
{
    public const int MaxEvents = 200;

    public static async Task<List<HistoryEntry>> LoadAsync(TagflowDb db, long accountId, long contactId, FieldCatalog catalog, CancellationToken cancellationToken)
    {
        var events = await db.Events.AsNoTracking().Where(e => e.ContactId == contactId && e.AccountId == accountId)
            .OrderByDescending(e => e.Id).Take(MaxEvents).ToListAsync(cancellationToken);
        var tagNames = await TagNamesAsync(db, accountId, events, cancellationToken);
        var entries = events.Select(e => new HistoryEntry(e.OccurredAt, Describe(e, tagNames, catalog))).ToList();

        var emails = await db.SentEmails.AsNoTracking().Where(m => m.ContactId == contactId && m.AccountId == accountId)
            .Select(m => new { m.SentAt, m.OpenedAt, m.ClickedAt }).ToListAsync(cancellationToken);
        foreach (var m in emails)
        {
            entries.Add(new(m.SentAt, "Campaign email sent"));
            if (m.OpenedAt is { } opened) entries.Add(new(opened, "Campaign email opened"));
            if (m.ClickedAt is { } clicked) entries.Add(new(clicked, "Link in a campaign email clicked"));
        }
        var runs = await (
            from r in db.CampaignRuns.AsNoTracking()
            join c in db.Campaigns on r.CampaignId equals c.Id
            where r.ContactId == contactId && r.AccountId == accountId
            select new { c.Name, r.StartedAt, r.EndedAt, r.State }).ToListAsync(cancellationToken);
        foreach (var r in runs)
        {
            entries.Add(new(r.StartedAt, $"Campaign “{r.Name}” started"));
            if (r.EndedAt is { } ended) entries.Add(new(ended, $"Campaign “{r.Name}” {(r.State == Automations.RunState.Finished ? "finished" : "stopped")}"));
        }
        return [.. entries.OrderByDescending(e => e.At)];
    }

    /// <summary>The names of the account's tags the events name, for <see cref="Describe"/>.</summary>
    public static async Task<Dictionary<long, string>> TagNamesAsync(TagflowDb db, long accountId, IEnumerable<ContactEvent> events,
        CancellationToken cancellationToken)
    {
        var tagIds = events.Select(e => e.TagId).OfType<long>().Distinct().ToList();
        return await db.Tags.AsNoTracking().Where(t => t.AccountId == accountId && tagIds.Contains(t.Id))
            .ToDictionaryAsync(t => t.Id, t => t.Name, cancellationToken);
    }

    /// <summary>An event in words, as the contact page and the events page tell it.</summary>
    public static string Describe(ContactEvent e, Dictionary<long, string> tagNames, FieldCatalog catalog)
    {
        var tag = e.TagId is { } id ? tagNames.TryGetValue(id, out var name) ? $"“{name}”" : "a tag since deleted" : "";
        return e.Type switch
        {
            EventTypes.ContactCreated => "Added",
            EventTypes.ContactUpdated => "Changed: " + string.Join(", ", (e.Fields ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(k => Label(k, catalog))),
            EventTypes.ContactSubscribed => "Subscribed",
            EventTypes.ContactUnsubscribed => "Unsubscribed",
            EventTypes.ContactDeleted => "Erased",
            EventTypes.TagAdded => $"Tagged {tag}",
            EventTypes.TagRemoved => $"Untagged {tag}",
            EventTypes.ContactBounced => e.Fields switch { "hard" => "Hard bounce", "soft" => "Soft bounce", _ => "Spam complaint" },
            EventTypes.EmailSkipped => (e.Fields ?? "").Split(',').Contains(Automations.SkippedEmail.Reasons.Template)
                ? "Campaign email skipped (its template could not be filled for this contact)"
                : "Campaign email skipped (bounced address)",
            var other => other,
        };
    }

    private static string Label(string key, FieldCatalog catalog) => key switch
    {
        "email" => "email address",
        "smsnumber" => "SMS number",
        _ => catalog.Find(key)?.Label ?? key,
    };
}
