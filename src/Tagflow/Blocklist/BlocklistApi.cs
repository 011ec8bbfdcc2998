using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Tagflow.Accounts;
using Tagflow.Data;
using Tagflow.Wire;

namespace Tagflow.Blocklist;

internal sealed record BlocklistEntry(string? Value);

/// <summary>Tagflow's addition: addresses and whole domains that may not subscribe (406 error 30).</summary>
internal static class BlocklistApi
{
    private const string ValueHelp = "The key \"value\" must be an email address (anna@example.com) or a domain (example.com, which also blocks its subdomains).";

    public static void MapBlocklistApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/blocklist").WithTags("Blocklist").WithWireErrors().RequireAuthorization(TagflowAuthentication.ApiPolicy);
        group.MapGet("/", ListAsync).Produces<string[]>().WithSummary("Tagflow: the blocked addresses and domains.");
        group.MapPost("/", AddAsync).AcceptsWire<BlocklistEntry>().Produces<bool[]>().WithSummary("Tagflow: block an address or a domain (value).");
        group.MapDelete("/{value}", RemoveAsync).Produces<bool[]>().WithSummary("Tagflow: unblock an address or a domain.");
    }

    private static async Task<IResult> ListAsync(ClaimsPrincipal user, BlocklistAdmin admin, CancellationToken cancellationToken) =>
        WireResults.Ok(await admin.ListAsync(user.AccountId(), cancellationToken));

    private static async Task<IResult> AddAsync(Body<BlocklistEntry> body, ClaimsPrincipal user, BlocklistAdmin admin, CancellationToken cancellationToken) =>
        await admin.AddAsync(user.AccountId(), body.Value.Value, cancellationToken)
            ? WireResults.True()
            : WireResults.BadRequest(ValueHelp);

    // Routing leaves %2F encoded in a route value ("a%2Fb@example.com"), so the value is decoded here.
    private static async Task<IResult> RemoveAsync(string value, ClaimsPrincipal user, BlocklistAdmin admin, CancellationToken cancellationToken) =>
        await admin.RemoveAsync(user.AccountId(), Uri.UnescapeDataString(value), cancellationToken) ? WireResults.True() : WireResults.NotFound();
}

/// <summary>Blocklist changes, shared by the API and <c>tagflow blocklist</c>.</summary>
internal sealed class BlocklistAdmin(TagflowDb db, Writes writes, TimeProvider clock)
{
    /// <summary>Blocks a value; blocking it again changes nothing. False if the value is neither an address nor a domain.</summary>
    public async Task<bool> AddAsync(long accountId, string? value, CancellationToken cancellationToken)
    {
        if (BlocklistRules.NormalizeEntry(value) is not { } entry) return false;
        await using var write = await writes.BeginAsync(accountId, cancellationToken);
        if (!await db.Blocklist.AnyAsync(b => b.AccountId == accountId && b.Value == entry, cancellationToken))
            db.Blocklist.Add(new BlockedAddress { AccountId = accountId, Value = entry, CreatedAt = clock.GetUtcNow().UtcDateTime });
        await write.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>False if the value was not on the list.</summary>
    public async Task<bool> RemoveAsync(long accountId, string value, CancellationToken cancellationToken)
    {
        var entry = BlocklistRules.NormalizeEntry(value) ?? value.Trim().ToLowerInvariant();
        return await db.Blocklist.Where(b => b.AccountId == accountId && b.Value == entry).ExecuteDeleteAsync(cancellationToken) > 0;
    }

    public Task<List<string>> ListAsync(long accountId, CancellationToken cancellationToken) =>
        db.Blocklist.AsNoTracking().Where(b => b.AccountId == accountId).OrderBy(b => b.Value).Select(b => b.Value).ToListAsync(cancellationToken);
}
