using System.Security.Claims;
using Tagflow.Accounts;
using Tagflow.Wire;

namespace Tagflow.Automations;

/// <summary>
/// Tagflow's addition: managing follow-up campaigns. A contact that is subscribed and gets the start
/// tag (<c>tagid</c>, manual or SmartTag) runs through the steps once; removing the tag,
/// unsubscribing or deleting the contact stops it before its next step.
/// </summary>
internal static class CampaignsApi
{
    public static void MapCampaignsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/campaign").WithTags("Campaigns").WithWireErrors().RequireAuthorization(TagflowAuthentication.ApiPolicy);
        group.MapPost("/", CreateAsync).AcceptsWire<CampaignRequest>().Produces<Dictionary<string, object>>()
            .WithSummary("Tagflow: create a campaign: name, tagid (the start tag), steps (email, wait, tag, untag, webhook), optional sendername and senderaddress.");
        group.MapGet("/", ListAsync).Produces<Dictionary<string, object>[]>().WithSummary("Tagflow: the account's campaigns, with how many contacts run, finished and stopped.");
        group.MapGet("/{id:long}", GetAsync).Produces<Dictionary<string, object>>().WithSummary("Tagflow: one campaign.");
        group.MapPut("/{id:long}", UpdateAsync).AcceptsWire<CampaignRequest>().Produces<Dictionary<string, object>>()
            .WithSummary("Tagflow: change a campaign; keys left out stay as they are. Running contacts go on from the step index they reached.");
        group.MapPost("/{id:long}/pause", PauseAsync).Produces<Dictionary<string, object>>()
            .WithSummary("Tagflow: pause a campaign: it sends nothing and runs no step, its contacts stay where they stand (new ones enter and wait at the first step).");
        group.MapPost("/{id:long}/resume", ResumeAsync).Produces<Dictionary<string, object>>()
            .WithSummary("Tagflow: resume a paused campaign: the steps that fell due meanwhile run at once.");
        group.MapDelete("/{id:long}", DeleteAsync).Produces<bool[]>().WithSummary("Tagflow: delete a campaign; its contacts get none of its further steps.");
    }

    private static async Task<IResult> CreateAsync(Body<CampaignRequest> body, ClaimsPrincipal user, CampaignAdmin admin, CancellationToken cancellationToken)
    {
        var (campaign, refusal) = await admin.SaveAsync(user.AccountId(), null, body.Value, cancellationToken);
        return refusal?.ToResult() ?? WireResults.Ok(View(campaign!, null));
    }

    private static async Task<IResult> UpdateAsync(long id, Body<CampaignRequest> body, ClaimsPrincipal user, CampaignAdmin admin, CancellationToken cancellationToken)
    {
        var (campaign, refusal) = await admin.SaveAsync(user.AccountId(), id, body.Value, cancellationToken);
        if (refusal is not null) return refusal.ToResult();
        var counts = await admin.CountsAsync(user.AccountId(), cancellationToken);
        return WireResults.Ok(View(campaign!, counts.GetValueOrDefault(id)));
    }

    private static async Task<IResult> ListAsync(ClaimsPrincipal user, CampaignAdmin admin, CancellationToken cancellationToken)
    {
        var counts = await admin.CountsAsync(user.AccountId(), cancellationToken);
        return WireResults.Ok((await admin.ListAsync(user.AccountId(), cancellationToken)).Select(c => View(c, counts.GetValueOrDefault(c.Id))).ToList());
    }

    private static async Task<IResult> GetAsync(long id, ClaimsPrincipal user, CampaignAdmin admin, CancellationToken cancellationToken)
    {
        if (await admin.FindAsync(user.AccountId(), id, cancellationToken) is not { } campaign) return WireResults.NotFound();
        var counts = await admin.CountsAsync(user.AccountId(), cancellationToken);
        return WireResults.Ok(View(campaign, counts.GetValueOrDefault(id)));
    }

    private static Task<IResult> PauseAsync(long id, ClaimsPrincipal user, CampaignAdmin admin, CancellationToken cancellationToken) =>
        SetPausedAsync(id, pause: true, user, admin, cancellationToken);

    private static Task<IResult> ResumeAsync(long id, ClaimsPrincipal user, CampaignAdmin admin, CancellationToken cancellationToken) =>
        SetPausedAsync(id, pause: false, user, admin, cancellationToken);

    private static async Task<IResult> SetPausedAsync(long id, bool pause, ClaimsPrincipal user, CampaignAdmin admin, CancellationToken cancellationToken)
    {
        if (await admin.PauseAsync(user.AccountId(), id, pause, cancellationToken) is not { } campaign) return WireResults.NotFound();
        var counts = await admin.CountsAsync(user.AccountId(), cancellationToken);
        return WireResults.Ok(View(campaign, counts.GetValueOrDefault(id)));
    }

    private static async Task<IResult> DeleteAsync(long id, ClaimsPrincipal user, CampaignAdmin admin, CancellationToken cancellationToken) =>
        await admin.RemoveAsync(user.AccountId(), id, cancellationToken) ? WireResults.True() : WireResults.NotFound();

    /// <summary>The wire shape of a campaign; ids and times as strings, as everywhere on the wire.</summary>
    public static WireObject View(Campaign campaign, CampaignCounts? counts) => new()
    {
        ["id"] = Contacts.ContactWire.Id(campaign.Id),
        ["name"] = campaign.Name,
        ["tagid"] = Contacts.ContactWire.Id(campaign.TagId),
        ["sendername"] = campaign.SenderName,
        ["senderaddress"] = campaign.SenderAddress,
        ["steps"] = CampaignSteps.Parse(campaign.Steps).Select(StepView).ToList(),
        ["running"] = Contacts.ContactWire.Id(counts?.Running ?? 0),
        ["finished"] = Contacts.ContactWire.Id(counts?.Finished ?? 0),
        ["stopped"] = Contacts.ContactWire.Id(counts?.Stopped ?? 0),
        ["paused"] = campaign.PausedAt is null ? "0" : "1",
        ["pausedat"] = campaign.PausedAt is { } paused ? Contacts.ContactWire.UnixTime(paused) : "",
        ["created"] = Contacts.ContactWire.UnixTime(campaign.CreatedAt),
        ["updated"] = Contacts.ContactWire.UnixTime(campaign.UpdatedAt),
    };

    private static WireObject StepView(CampaignStep step)
    {
        var view = new WireObject { ["type"] = step.Type! };
        if (step.Subject is not null) view["subject"] = step.Subject;
        if (step.Text is not null) view["text"] = step.Text;
        if (step.Html is not null) view["html"] = step.Html;
        if (step.Seconds is { } seconds) view["seconds"] = Contacts.ContactWire.Id(seconds);
        if (step.Weekday is not null) view["weekday"] = step.Weekday;
        if (step.Time is not null) view["time"] = step.Time;
        if (step.TagId is { } tagId) view["tagid"] = Contacts.ContactWire.Id(tagId);
        if (step.WebhookId is { } webhookId) view["webhookid"] = Contacts.ContactWire.Id(webhookId);
        return view;
    }

}
