using System.Globalization;
using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Tagflow.Accounts;
using Tagflow.Data;
using Tagflow.Wire;

namespace Tagflow.OptIns;

internal static class ListsApi
{
    public static void MapListsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/list").WithTags("Opt-in processes").WithWireErrors().RequireAuthorization(TagflowAuthentication.ApiPolicy);
        group.MapGet("/", ListAsync).Produces<Dictionary<string, string>>().WithSummary("Opt-in processes as a map id → name; the predefined one has an empty name.");
        group.MapGet("/{id:long}", GetAsync).Produces<Dictionary<string, object>>().WithSummary("One opt-in process.");
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
        return p is null ? WireResults.NotFound() : WireResults.Ok(new Dictionary<string, object>
        {
            ["listid"] = p.Id.ToString(CultureInfo.InvariantCulture),
            ["name"] = p.Name,
            ["pendingurl"] = p.PendingUrl,
            ["thankyouurl"] = p.ThankYouUrl,
            ["usesingleoptin"] = p.UseSingleOptIn,
            ["resendconfirmationemail"] = p.ResendConfirmationEmail,
            ["usechangeemail"] = p.UseChangeEmail,
        });
    }
}
