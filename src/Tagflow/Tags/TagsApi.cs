using System.Globalization;
using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Tagflow.Accounts;
using Tagflow.Data;
using Tagflow.Events;
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

    private static async Task<IResult> CreateAsync(Body<TagCreate> body, ClaimsPrincipal user, TagflowDb db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var name = body.Value.Name?.Trim();
        if (string.IsNullOrEmpty(name)) return WireResults.BadRequest("The key \"name\" is required: the name of the new tag.");
        if (name.Length > Tag.MaxNameLength) return WireResults.BadRequest($"The key \"name\" may have at most {Tag.MaxNameLength} characters.");

        var tag = new Tag
        {
            AccountId = user.AccountId(),
            Name = name,
            NormalizedName = Tag.Normalize(name),
            Text = body.Value.Text ?? "",
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        if (await NameTakenAsync(db, tag.AccountId, tag.NormalizedName, null, cancellationToken))
            return WireResults.Refused(WireErrors.TagNameTaken);
        db.Tags.Add(tag);
        if (!await SaveUnlessNameTakenAsync(db, tag.AccountId, tag.NormalizedName, null, cancellationToken))
            return WireResults.Refused(WireErrors.TagNameTaken);
        return WireResults.Id(tag.Id);
    }

    private static async Task<IResult> UpdateAsync(long id, Body<TagUpdate> body, ClaimsPrincipal user, TagflowDb db, CancellationToken cancellationToken)
    {
        var accountId = user.AccountId();
        var tag = await db.Tags.SingleOrDefaultAsync(t => t.Id == id && t.AccountId == accountId, cancellationToken);
        if (tag is null) return WireResults.NotFound();
        if (tag.Kind != TagKind.Manual) return WireResults.Refused(WireErrors.SmartTag);

        var (name, text) = body.Value;
        if (name is not null)
        {
            name = name.Trim();
            if (name.Length == 0) return WireResults.BadRequest("The key \"name\" may not be empty.");
            if (name.Length > Tag.MaxNameLength) return WireResults.BadRequest($"The key \"name\" may have at most {Tag.MaxNameLength} characters.");
            if (await NameTakenAsync(db, accountId, Tag.Normalize(name), id, cancellationToken))
                return WireResults.Refused(WireErrors.TagNameTaken);
            tag.Name = name;
            tag.NormalizedName = Tag.Normalize(name);
        }
        if (text is not null) tag.Text = text;
        if (!await SaveUnlessNameTakenAsync(db, accountId, tag.NormalizedName, id, cancellationToken))
            return WireResults.Refused(WireErrors.TagNameTaken);
        return WireResults.True();
    }

    private static async Task<IResult> DeleteAsync(long id, ClaimsPrincipal user, TagflowDb db, Writes writes, TimeProvider clock, CancellationToken cancellationToken)
    {
        var accountId = user.AccountId();
        await using var write = await writes.BeginAsync(accountId, cancellationToken);
        var kind = await db.Tags.Where(t => t.Id == id && t.AccountId == accountId).Select(t => (TagKind?)t.Kind).SingleOrDefaultAsync(cancellationToken);
        if (kind is null) return WireResults.NotFound();
        if (kind != TagKind.Manual) return WireResults.Refused(WireErrors.SmartTag);
        if (await Automations.CampaignAdmin.TagInUseAsync(db, accountId, id, cancellationToken)) return WireResults.Refused(WireErrors.TagInUse);
        // Deleting a tag untags its contacts (a cascade); each of them gets its tag.removed event.
        await EventLog.AddTagRemovedForAllAsync(db, accountId, id, clock.GetUtcNow().UtcDateTime, cancellationToken);
        await db.Tags.Where(t => t.Id == id && t.AccountId == accountId).ExecuteDeleteAsync(cancellationToken);
        await write.CommitAsync(cancellationToken);
        return WireResults.True();
    }

    /// <summary>Saves; false when a concurrent request took the name first (the unique index refused the write).</summary>
    private static Task<bool> SaveUnlessNameTakenAsync(TagflowDb db, long accountId, string normalizedName, long? exceptId, CancellationToken cancellationToken) =>
        UniqueNames.SaveUnlessTakenAsync(db, ct => NameTakenAsync(db, accountId, normalizedName, exceptId, ct), cancellationToken);

    private static Task<bool> NameTakenAsync(TagflowDb db, long accountId, string normalizedName, long? exceptId, CancellationToken cancellationToken) =>
        db.Tags.AnyAsync(t => t.AccountId == accountId && t.NormalizedName == normalizedName && t.Id != exceptId, cancellationToken);
}
