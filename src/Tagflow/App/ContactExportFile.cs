using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Tagflow.Accounts;
using Tagflow.Contacts;
using Tagflow.Data;

namespace Tagflow.App;

/// <summary>
/// Everything Tagflow stores about one person, as one JSON file (GDPR Art. 15 and 20): the contact
/// and its consent record, every data field by name, its tags, its event history, the emails
/// campaigns sent it, the emails to its address that were not delivered, and its campaigns. Times
/// are UTC, ISO 8601.
/// </summary>
internal static class ContactExportFile
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static async Task<IResult> DownloadAsync(long id, ClaimsPrincipal user, TagflowDb db, CancellationToken cancellationToken)
    {
        var document = await BuildAsync(db, user.AccountId(), id, cancellationToken);
        if (document is null) return Results.NotFound();
        var name = $"contact-{id.ToString(CultureInfo.InvariantCulture)}.json";
        return Results.File(JsonSerializer.SerializeToUtf8Bytes(document, Indented), "application/json", name);
    }

    /// <summary>The document, or null if the account has no such contact.</summary>
    public static async Task<Dictionary<string, object?>?> BuildAsync(TagflowDb db, long accountId, long id, CancellationToken cancellationToken)
    {
        var c = await db.Contacts.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id && c.AccountId == accountId, cancellationToken);
        if (c is null) return null;
        var catalog = await Fields.FieldCatalog.LoadAsync(db, accountId, cancellationToken);
        var values = await db.ContactFields.AsNoTracking().Where(f => f.ContactId == id).ToDictionaryAsync(f => f.Key, f => f.Value, cancellationToken);
        var process = await db.OptInProcesses.AsNoTracking().Where(p => p.Id == c.ListId && p.AccountId == accountId).Select(p => p.Name).SingleOrDefaultAsync(cancellationToken);
        var tags = await (
            from ct in db.ContactTags.AsNoTracking()
            join t in db.Tags on ct.TagId equals t.Id
            where ct.ContactId == id && t.AccountId == accountId
            orderby ct.TaggedAt
            select new { id = t.Id, name = t.Name, kind = t.Kind.ToString().ToLowerInvariant(), tagged_at = Utc(ct.TaggedAt) }).ToListAsync(cancellationToken);
        var events = await db.Events.AsNoTracking().Where(e => e.ContactId == id && e.AccountId == accountId).OrderBy(e => e.Id)
            .Select(e => new { type = e.Type, tag_id = e.TagId, fields = e.Fields, occurred_at = Utc(e.OccurredAt) }).ToListAsync(cancellationToken);
        var emails = await db.SentEmails.AsNoTracking().Where(m => m.ContactId == id && m.AccountId == accountId).OrderBy(m => m.Id)
            .Select(m => new { id = m.Id, campaign_id = m.CampaignId, sent_at = Utc(m.SentAt), opened_at = Utc(m.OpenedAt), clicked_at = Utc(m.ClickedAt) })
            .ToListAsync(cancellationToken);
        var address = c.Email;
        var undelivered = await db.MailFailures.AsNoTracking()
            .Where(f => f.AccountId == accountId && address != null && f.Recipient == address).OrderBy(f => f.Id)
            .Select(f => new { subject = f.Subject, reason = f.Reason, at = Utc(f.At) }).ToListAsync(cancellationToken);
        var bounces = await db.Bounces.AsNoTracking().Where(b => b.ContactId == id && b.AccountId == accountId).OrderBy(b => b.Id)
            .Select(b => new { kind = b.Kind.ToString().ToLowerInvariant(), status = b.Status, diagnostic = b.Diagnostic, at = Utc(b.At) })
            .ToListAsync(cancellationToken);
        var campaigns = await db.CampaignRuns.AsNoTracking().Where(r => r.ContactId == id && r.AccountId == accountId).OrderBy(r => r.Id)
            .Select(r => new { campaign_id = r.CampaignId, state = r.State.ToString().ToLowerInvariant(), started_at = Utc(r.StartedAt), ended_at = Utc(r.EndedAt) })
            .ToListAsync(cancellationToken);

        return new Dictionary<string, object?>
        {
            ["id"] = c.Id,
            ["email"] = c.Email,
            ["sms_number"] = c.SmsPhone,
            ["status"] = c.Status.ToString().ToLowerInvariant(),
            ["bounce"] = c.Bounce.ToString().ToLowerInvariant(),
            ["consent"] = new Dictionary<string, object?>
            {
                ["opt_in_process"] = process,
                ["signed_up_at"] = Utc(c.SignupAt),
                ["signup_ip"] = c.SignupIp,
                ["signup_source"] = c.SignupSource,
                ["confirmed_at"] = Utc(c.OptInAt),
                ["confirmation_ip"] = c.OptInIp,
                ["confirmation_user_agent"] = c.OptInUserAgent,
                ["unsubscribed_at"] = Utc(c.UnsubscribedAt),
                ["unsubscription_ip"] = c.UnsubscribedIp,
                ["sms_number_added_at"] = Utc(c.SmsSignupAt),
            },
            ["fields"] = catalog.All.Where(f => values.ContainsKey(f.Key)).ToDictionary(f => f.Label, f => values[f.Key]),
            ["tags"] = tags,
            ["events"] = events,
            ["emails"] = emails,
            ["undelivered_emails"] = undelivered,
            ["bounces"] = bounces,
            ["campaigns"] = campaigns,
            ["created_at"] = Utc(c.CreatedAt),
            ["updated_at"] = Utc(c.UpdatedAt),
        };
    }

    private static string? Utc(DateTime? time) =>
        time is { } t ? DateTime.SpecifyKind(t, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) : null;
}
