using System.Globalization;
using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Tagflow.Accounts;
using Tagflow.Contacts;
using Tagflow.Data;
using Tagflow.Wire;

namespace Tagflow.Events;

internal sealed record EventsFilter(long? After, long? Limit) : IWireFilter;

/// <summary>
/// Tagflow's addition: the account's event feed, oldest first. Poll with the cursor of the last
/// answer to get every event exactly once: event ids commit in order (see <see cref="Writes"/>).
/// </summary>
internal static class EventsApi
{
    private const int DefaultLimit = 100;
    private const int MaxLimit = 1000;

    public static void MapEventsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/events").WithTags("Events").WithWireErrors().RequireAuthorization(TagflowAuthentication.ApiPolicy);
        group.MapGet("/", ListAsync).Produces<Dictionary<string, object>>()
            .WithSummary($"Tagflow: contact events after a cursor (after, limit up to {MaxLimit}); answers events and the next cursor.");
    }

    private static async Task<IResult> ListAsync(Body<EventsFilter> body, ClaimsPrincipal user, TagflowDb db, CancellationToken cancellationToken)
    {
        var (after, limit) = body.Value;
        if (after is < 0) return WireResults.BadRequest("The key \"after\" must be a cursor from an earlier answer, or 0 for the start.");
        if (limit is < 1 or > MaxLimit) return WireResults.BadRequest($"The key \"limit\" must be a whole number from 1 to {MaxLimit}.");
        var accountId = user.AccountId();
        var cursor = after ?? 0;
        var events = await db.Events.AsNoTracking()
            .Where(e => e.AccountId == accountId && e.Id > cursor)
            .OrderBy(e => e.Id)
            .Take((int)(limit ?? DefaultLimit))
            .ToListAsync(cancellationToken);
        return WireResults.Ok(new WireObject
        {
            ["events"] = events.Select(e => new WireObject
            {
                ["id"] = ContactWire.Id(e.Id),
                ["type"] = e.Type,
                ["time"] = ContactWire.UnixTime(e.OccurredAt),
                ["contactid"] = ContactWire.Id(e.ContactId),
                ["tagid"] = e.TagId is { } tagId ? ContactWire.Id(tagId) : "",
                ["fields"] = e.Fields is { Length: > 0 } f ? f.Split(',') : [],
            }).ToList(),
            ["cursor"] = (events.Count > 0 ? events[^1].Id : cursor).ToString(CultureInfo.InvariantCulture),
        });
    }
}
