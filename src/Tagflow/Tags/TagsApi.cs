using System.Globalization;
using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Tagflow.Accounts;
using Tagflow.Data;
using Tagflow.Wire;

namespace Tagflow.Tags;

internal sealed record TagCreate(string? Name, string? Text);

internal sealed record TagUpdate(string? Name, string? Text);

internal static class TagsApi
{
    public static void MapTagsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/tag").WithTags("Tags").WithWireErrors().RequireAuthorization(TagflowAuthentication.ApiPolicy);
        group.MapGet("/", ListAsync).Produces<Dictionary<string, string>>().WithSummary("Manual tags as a map id → name.");
        group.MapGet("/{id:long}", GetAsync).Produces<Dictionary<string, string>>().WithSummary("One tag, manual or smart.");
        group.MapPost("/", CreateAsync).Produces<long[]>().AcceptsWire<TagCreate>().WithSummary("Create a manual tag; answers [id].");
        group.MapPut("/{id:long}", UpdateAsync).Produces<bool[]>().AcceptsWire<TagUpdate>().WithSummary("Rename a tag or change its text.");
        group.MapDelete("/{id:long}", DeleteAsync).Produces<bool[]>().WithSummary("Delete a manual tag.");
    }

    private static async Task<IResult> ListAsync(ClaimsPrincipal user, TagflowDb db, CancellationToken cancellationToken)
    {
        var accountId = user.AccountId();
        var tags = await db.Tags.AsNoTracking()
            .Where(t => t.AccountId == accountId && t.Kind == TagKind.Manual)
            .OrderBy(t => t.Id)
            .Select(t => new { t.Id, t.Name })
            .ToListAsync(cancellationToken);
        return WireResults.Ok(tags.ToDictionary(t => t.Id.ToString(CultureInfo.InvariantCulture), t => t.Name));
    }

    private static async Task<IResult> GetAsync(long id, ClaimsPrincipal user, TagflowDb db, CancellationToken cancellationToken)
    {
        var accountId = user.AccountId();
        var tag = await db.Tags.AsNoTracking().SingleOrDefaultAsync(t => t.Id == id && t.AccountId == accountId, cancellationToken);
        return tag is null ? WireResults.NotFound() : WireResults.Ok(new WireObject
        {
            ["tagid"] = tag.Id.ToString(CultureInfo.InvariantCulture),
            ["name"] = tag.Name,
            ["text"] = tag.Text,
        });
    }

    private static async Task<IResult> CreateAsync(Body<TagCreate> body, ClaimsPrincipal user, TagAdmin admin, CancellationToken cancellationToken)
    {
        var (tag, refusal) = await admin.AddAsync(user.AccountId(), body.Value.Name, body.Value.Text, cancellationToken);
        return refusal?.ToResult() ?? WireResults.Id(tag!.Id);
    }

    private static async Task<IResult> UpdateAsync(long id, Body<TagUpdate> body, ClaimsPrincipal user, TagAdmin admin, CancellationToken cancellationToken) =>
        (await admin.UpdateAsync(user.AccountId(), id, body.Value.Name, body.Value.Text, cancellationToken))?.ToResult() ?? WireResults.True();

    private static async Task<IResult> DeleteAsync(long id, ClaimsPrincipal user, TagAdmin admin, CancellationToken cancellationToken) =>
        (await admin.RemoveAsync(user.AccountId(), id, cancellationToken))?.ToResult() ?? WireResults.True();
}
