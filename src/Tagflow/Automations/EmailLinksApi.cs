using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Tagflow.Accounts;
using Tagflow.Contacts;
using Tagflow.Data;
using Tagflow.OptIns;
using Tagflow.Tags;
using Tagflow.Wire;

namespace Tagflow.Automations;

/// <summary>
/// The links in a campaign email, opened by its recipient without credentials (the token in the
/// path is the email's, stored only as its hash): the tracking image (<c>/mail/{token}/open</c>),
/// click links that count the click and redirect to the URL the email held at that place and no
/// other (<c>/mail/{token}/click/{n}</c>), and unsubscribing: GET shows a page with a button, POST
/// unsubscribes at once (the one-click POST of RFC 8058 that mail clients send, with no login and
/// no cookies). Opens and clicks assign the SmartTags "Opened: …" and "Clicked: …", which can start
/// further campaigns.
/// </summary>
internal static class EmailLinksApi
{
    /// <summary>A transparent 1×1 GIF.</summary>
    private static readonly byte[] Pixel = Convert.FromBase64String("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7");

    private sealed record Found(long Id, long AccountId, long ContactId, long? CampaignId, int Step, string Links);

    public static void MapEmailLinksApi(this IEndpointRouteBuilder app)
    {
        // The token opens the email's links for anyone who has it: it stays out of the request log.
        var group = app.MapGroup(CampaignMail.MailPath + "{token}").ExcludeFromDescription().LogsPathAs(CampaignMail.MailPath + "…");
        group.MapGet("/open", OpenAsync);
        group.MapGet("/click/{index:int}", ClickAsync);
        group.MapGet("/unsubscribe", UnsubscribePageAsync);
        group.MapPost("/unsubscribe", UnsubscribeAsync).DisableAntiforgery();
    }

    private static Task<Found?> FindAsync(TagflowDb db, string token, CancellationToken cancellationToken)
    {
        var hash = Secrets.LookupHash(token);
        return db.SentEmails.AsNoTracking().Where(m => m.TokenHash == hash)
            .Select(m => new Found(m.Id, m.AccountId, m.ContactId, m.CampaignId, m.Step, m.Links)).SingleOrDefaultAsync(cancellationToken);
    }

    private static async Task<IResult> OpenAsync(string token, TagflowDb db, Writes writes, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (await FindAsync(db, token, cancellationToken) is { } found)
            await RecordAsync(writes, found, clicked: false, clock.GetUtcNow().UtcDateTime, cancellationToken);
        // The image either way: a mail client shows nothing broken for an email whose contact is gone.
        return Results.File(Pixel, "image/gif");
    }

    private static async Task<IResult> ClickAsync(string token, int index, TagflowDb db, Writes writes, TimeProvider clock, CancellationToken cancellationToken)
    {
        var found = await FindAsync(db, token, cancellationToken);
        var links = found is null ? [] : JsonSerializer.Deserialize<List<string>>(found.Links) ?? [];
        if (found is null || index < 0 || index >= links.Count)
            return OptInPages.Page("Unknown link", "This link is not known, or its email's contact no longer exists.", StatusCodes.Status404NotFound);
        await RecordAsync(writes, found, clicked: true, clock.GetUtcNow().UtcDateTime, cancellationToken);
        return Results.Redirect(links[index]);
    }

    /// <summary>The first open (and the first click, which implies an open) is recorded, with its SmartTag; later ones change nothing.</summary>
    private static Task RecordAsync(Writes writes, Found found, bool clicked, DateTime now, CancellationToken cancellationToken) =>
        writes.RunAsync(found.AccountId, async (db, cancellationToken) =>
        {
            var email = await db.SentEmails.SingleOrDefaultAsync(m => m.Id == found.Id, cancellationToken);
            if (email is null || (email.OpenedAt is not null && (!clicked || email.ClickedAt is not null)))
                return WriteOutcome<bool>.Refused(false);
            // The campaign may have been deleted since: the open and click still count, without a SmartTag.
            var campaign = await db.Campaigns.AsNoTracking().Where(c => c.Id == found.CampaignId).Select(c => new { c.Id, c.Name, c.Steps }).SingleOrDefaultAsync(cancellationToken);
            var steps = campaign is null ? [] : CampaignSteps.Parse(campaign.Steps);
            var subject = found.Step < steps.Count ? steps[found.Step].Subject ?? "" : "";
            if (email.OpenedAt is null)
            {
                email.OpenedAt = now;
                if (campaign is not null)
                    await Taggings.AssignSmartTagAsync(db, found.AccountId, found.ContactId, SmartTags.OpenedKey(campaign.Id, found.Step),
                        SmartTags.OpenedName(campaign.Name, subject), now, cancellationToken);
            }
            if (clicked && email.ClickedAt is null)
            {
                email.ClickedAt = now;
                if (campaign is not null)
                    await Taggings.AssignSmartTagAsync(db, found.AccountId, found.ContactId, SmartTags.ClickedKey(campaign.Id, found.Step),
                        SmartTags.ClickedName(campaign.Name, subject), now, cancellationToken);
            }
            return WriteOutcome<bool>.Kept(true);
        }, cancellationToken);

    private static async Task<IResult> UnsubscribePageAsync(string token, TagflowDb db, CancellationToken cancellationToken)
    {
        if (await FindAsync(db, token, cancellationToken) is null)
            return OptInPages.Page("Unknown link", "This unsubscribe link is not known, or its contact no longer exists.", StatusCodes.Status404NotFound);
        // A page with a button, not an unsubscription: mail scanners open links with GET.
        return OptInPages.Page("Unsubscribe", "Do you want to receive no more emails from us?", postButton: "Yes, unsubscribe me");
    }

    private static async Task<IResult> UnsubscribeAsync(string token, HttpContext http, TagflowDb db, ContactChanges changes, CancellationToken cancellationToken)
    {
        if (await FindAsync(db, token, cancellationToken) is not { } found)
            return OptInPages.Page("Unknown link", "This unsubscribe link is not known, or its contact no longer exists.", StatusCodes.Status404NotFound);
        await changes.UnsubscribeAsync(new ChangeOrigin(found.AccountId, ChangeSource.Link, ChangeOrigin.ClientIp(http)), found.ContactId, cancellationToken);
        return OptInPages.Page("You are unsubscribed", "You will receive no more emails from us.");
    }
}
