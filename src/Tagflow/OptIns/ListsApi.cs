using System.Globalization;
using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Tagflow.Accounts;
using Tagflow.Contacts;
using Tagflow.Data;
using Tagflow.Wire;

namespace Tagflow.OptIns;

internal sealed record ListRequest(
    string? Name, bool? UseSingleOptIn, string? PendingUrl, string? ThankYouUrl, bool? ResendConfirmationEmail, bool? UseChangeEmail,
    string? SenderName, string? SenderAddress, string? Subject, string? Text, string? Html)
{
    public ProcessSettings Settings => new(Name, UseSingleOptIn, PendingUrl, ThankYouUrl, ResendConfirmationEmail, UseChangeEmail,
        SenderName, SenderAddress, Subject, Text, Html);
}

internal sealed record RedirectRequest(long? ListId, string? Email);

internal static class ListsApi
{
    public static void MapListsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/list").WithTags("Opt-in processes").WithWireErrors().RequireAuthorization(TagflowAuthentication.ApiPolicy);
        group.MapGet("/", ListAsync).Produces<Dictionary<string, string>>().WithSummary("Opt-in processes as a map id → name; the predefined one has an empty name.");
        group.MapGet("/{id:long}", GetAsync).Produces<Dictionary<string, object>>().WithSummary("One opt-in process.");
        group.MapGet("/{id:long}/email", GetEmailAsync).Produces<Dictionary<string, string>>()
            .WithSummary("Tagflow: an opt-in process's confirmation email: sendername, senderaddress, subject, text, html.");
        group.MapPost("/", CreateAsync).AcceptsWire<ListRequest>().Produces<Dictionary<string, object>>()
            .WithSummary("Tagflow: create an opt-in process (name, usesingleoptin, pendingurl, thankyouurl, resendconfirmationemail, usechangeemail, sendername, senderaddress, subject, text, html); answers it as GET /list/{id} does.");
        group.MapPut("/{id:long}", UpdateAsync).AcceptsWire<ListRequest>().Produces<bool[]>().WithSummary("Tagflow: change an opt-in process; absent keys stay as they are.");
        group.MapDelete("/{id:long}", DeleteAsync).Produces<bool[]>().WithSummary("Tagflow: delete an opt-in process (never the predefined one); its contacts keep it as their sign-up record.");
        group.MapPost("/redirect", RedirectAsync).AcceptsWire<RedirectRequest>().Produces<string[]>()
            .WithSummary("The page for a contact of a process (listid, email): the pending URL while it waits for its confirmation, the thank-you URL once subscribed.");
    }

    private static async Task<IResult> ListAsync(ClaimsPrincipal user, TagflowDb db, CancellationToken cancellationToken)
    {
        var accountId = user.AccountId();
        var lists = await db.OptInProcesses.AsNoTracking()
            .Where(p => p.AccountId == accountId)
            .OrderBy(p => p.Id)
            .Select(p => new { p.Id, p.Name })
            .ToListAsync(cancellationToken);
        return WireResults.Ok(lists.ToDictionary(p => p.Id.ToString(CultureInfo.InvariantCulture), p => p.Name));
    }

    private static async Task<IResult> GetAsync(long id, ClaimsPrincipal user, TagflowDb db, CancellationToken cancellationToken)
    {
        var accountId = user.AccountId();
        var p = await db.OptInProcesses.AsNoTracking().SingleOrDefaultAsync(p => p.Id == id && p.AccountId == accountId, cancellationToken);
        return p is null ? WireResults.NotFound() : WireResults.Ok(View(p));
    }

    /// <summary>An opt-in process as <c>GET /list/{id}</c> and <c>POST /list</c> answer it: KlickTipp's keys and no more, so that strict clients keep working.</summary>
    private static WireObject View(OptInProcess p) => new()
    {
        ["listid"] = p.Id.ToString(CultureInfo.InvariantCulture),
        ["name"] = p.Name,
        ["pendingurl"] = p.PendingUrl,
        ["thankyouurl"] = p.ThankYouUrl,
        ["usesingleoptin"] = p.UseSingleOptIn,
        ["resendconfirmationemail"] = p.ResendConfirmationEmail,
        ["usechangeemail"] = p.UseChangeEmail,
    };

    // Apart from GET /list/{id}, whose keys are KlickTipp's (see View).
    private static async Task<IResult> GetEmailAsync(long id, ClaimsPrincipal user, TagflowDb db, CancellationToken cancellationToken)
    {
        var accountId = user.AccountId();
        var p = await db.OptInProcesses.AsNoTracking().SingleOrDefaultAsync(p => p.Id == id && p.AccountId == accountId, cancellationToken);
        return p is null ? WireResults.NotFound() : WireResults.Ok(new WireObject
        {
            ["sendername"] = p.SenderName,
            ["senderaddress"] = p.SenderAddress,
            ["subject"] = p.Subject,
            ["text"] = p.TextTemplate,
            ["html"] = p.HtmlTemplate,
        });
    }

    private static async Task<IResult> CreateAsync(Body<ListRequest> body, ClaimsPrincipal user, OptInProcessAdmin admin, CancellationToken cancellationToken)
    {
        var (process, refusal) = await admin.AddAsync(user.AccountId(), body.Value.Settings, cancellationToken);
        return refusal?.ToResult() ?? WireResults.Ok(View(process!));
    }

    private static async Task<IResult> UpdateAsync(long id, Body<ListRequest> body, ClaimsPrincipal user, OptInProcessAdmin admin, CancellationToken cancellationToken) =>
        (await admin.UpdateAsync(user.AccountId(), id, body.Value.Settings, cancellationToken))?.ToResult() ?? WireResults.True();

    private static async Task<IResult> DeleteAsync(long id, ClaimsPrincipal user, OptInProcessAdmin admin, CancellationToken cancellationToken) =>
        (await admin.RemoveAsync(user.AccountId(), id, cancellationToken))?.ToResult() ?? WireResults.True();

    private static async Task<IResult> RedirectAsync(Body<RedirectRequest> body, ClaimsPrincipal user, HttpContext http, TagflowDb db, CancellationToken cancellationToken)
    {
        var (listId, email) = body.Value;
        if (listId is null) return WireResults.BadRequest("The key \"listid\" is required: the opt-in process.");
        if (string.IsNullOrWhiteSpace(email)) return WireResults.BadRequest("The key \"email\" is required: the contact's address.");
        var accountId = user.AccountId();
        var process = await db.OptInProcesses.AsNoTracking().SingleOrDefaultAsync(p => p.Id == listId && p.AccountId == accountId, cancellationToken);
        if (process is null) return WireResults.Refused(WireErrors.OptInProcessNotFound);
        if (EmailAddress.Parse(email) is not { } address) return WireResults.Refused(WireErrors.EmailNotFound);
        var status = await db.Contacts.AsNoTracking()
            .Where(c => c.AccountId == accountId && c.NormalizedEmail == address.Normalized)
            .Select(c => (ContactStatus?)c.Status).SingleOrDefaultAsync(cancellationToken);
        if (status is null) return WireResults.Refused(WireErrors.EmailNotFound);
        return WireResults.Single(OptInPages.NextUrl(http, process, status == ContactStatus.Subscribed));
    }
}
