using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Tagflow.Accounts;
using Tagflow.Data;
using Tagflow.Wire;

namespace Tagflow.Contacts;

/// <summary>
/// The contact API of the wire (<c>/subscriber</c>): reads answer here; changes go through
/// <see cref="ContactChanges"/>, whose results become the wire's answers.
/// </summary>
internal static class ContactsApi
{
    public static void MapContactsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/subscriber").WithTags("Contacts").WithWireErrors().RequireAuthorization(TagflowAuthentication.ApiPolicy);
        group.MapGet("/", List).Produces<string[]>()
            .WithSummary("Contact ids, streamed; filters status (default: subscribed) and bounceStatus (default: all but hardbounce), lists or comma lists; Tagflow's paging: limit, after.");
        group.MapPost("/", AddOrUpdateAsync).AcceptsWire<AddOrUpdateRequest>().Produces<Dictionary<string, object>>()
            .WithSummary("Add a contact, or update the one with this email address (else SMS number); answers the contact.");
        group.MapGet("/{id:long}", GetAsync).Produces<Dictionary<string, object>>().WithSummary("One contact, every key.");
        group.MapPut("/{id:long}", UpdateAsync).AcceptsWire<UpdateRequest>().Produces<bool[]>()
            .WithSummary("Change a contact's data fields, email address (newemail) or SMS number (newsmsnumber).");
        group.MapDelete("/{id:long}", DeleteAsync).Produces<bool[]>().WithSummary("Erase a contact and its personal data.");
        group.MapPost("/search", SearchAsync).AcceptsWire<SearchRequest>().Produces<long[]>().WithSummary("The id of the contact with this email address: [id].");
        group.MapPost("/tagged", TaggedAsync).AcceptsWire<TaggedFilter>().Produces<Dictionary<string, string>>()
            .WithSummary("Contacts with a tag: a map contact id → Unix time of tagging, streamed; filters and defaults as GET /subscriber; Tagflow's paging: limit, after.");
        group.MapPost("/tag", TagAsync).AcceptsWire<TagRequest>().Produces<bool[]>().WithSummary("Add manual tags (tagids) to the contact with this email address.");
        group.MapPost("/untag", UntagAsync).AcceptsWire<UntagRequest>().Produces<bool[]>().WithSummary("Remove a manual tag (tagid) from the contact with this email address.");
        group.MapPost("/unsubscribe", UnsubscribeAsync).AcceptsWire<EmailRequest>().Produces<bool[]>().WithSummary("Unsubscribe the contact with this email address.");
        group.MapPost("/resend", ResendAsync).AcceptsWire<EmailRequest>().Produces<bool[]>().Produces<string[]>(StatusCodes.Status429TooManyRequests)
            .WithSummary("Send the confirmation email again, with a new link, to the pending contact with this address (at most every 10 minutes).");
    }

    private static async Task<IResult> AddOrUpdateAsync(Body<AddOrUpdateRequest> body, ClaimsPrincipal user, HttpContext http, ContactChanges changes, CancellationToken cancellationToken)
    {
        var (email, sms, listId, tagId, fields) = body.Value;
        var origin = ChangeOrigin.ForRequest(http, user);
        return Answer(await changes.AddOrUpdateAsync(origin, new ContactInput(email, sms, listId, tagId, fields), cancellationToken), c => WireResults.Ok(c.ToWire(origin.TimeZone)));
    }

    private static async Task<IResult> UpdateAsync(long id, Body<UpdateRequest> body, ClaimsPrincipal user, HttpContext http, ContactChanges changes, CancellationToken cancellationToken)
    {
        var (fields, newEmail, newSms) = body.Value;
        return Answer(await changes.UpdateAsync(ChangeOrigin.ForRequest(http, user), id, new ContactEdit(fields, newEmail, newSms), cancellationToken));
    }

    private static async Task<IResult> DeleteAsync(long id, ClaimsPrincipal user, HttpContext http, ContactChanges changes, CancellationToken cancellationToken) =>
        Answer(await changes.DeleteAsync(ChangeOrigin.ForRequest(http, user), id, cancellationToken));

    private static async Task<IResult> TagAsync(Body<TagRequest> body, ClaimsPrincipal user, HttpContext http, ContactChanges changes, CancellationToken cancellationToken)
    {
        var (email, tagIds) = body.Value;
        if (string.IsNullOrWhiteSpace(email)) return WireResults.BadRequest("The key \"email\" is required: the address of the contact to tag.");
        if (tagIds is not { Count: > 0 }) return WireResults.BadRequest("The key \"tagids\" is required: one tag id or a list of them.");
        return Answer(await changes.TagAsync(ChangeOrigin.ForRequest(http, user), email, tagIds, cancellationToken));
    }

    private static async Task<IResult> UntagAsync(Body<UntagRequest> body, ClaimsPrincipal user, HttpContext http, ContactChanges changes, CancellationToken cancellationToken)
    {
        var (email, tagId) = body.Value;
        if (string.IsNullOrWhiteSpace(email)) return WireResults.BadRequest("The key \"email\" is required: the address of the contact to untag.");
        if (tagId is not { } id) return WireResults.BadRequest("The key \"tagid\" is required: the tag to remove.");
        return Answer(await changes.UntagAsync(ChangeOrigin.ForRequest(http, user), email, id, manualOnly: true, cancellationToken));
    }

    private static async Task<IResult> UnsubscribeAsync(Body<EmailRequest> body, ClaimsPrincipal user, HttpContext http, ContactChanges changes, CancellationToken cancellationToken)
    {
        var email = body.Value.Email;
        if (string.IsNullOrWhiteSpace(email)) return WireResults.BadRequest("The key \"email\" is required: the address to unsubscribe.");
        return Answer(await changes.UnsubscribeAsync(ChangeOrigin.ForRequest(http, user), email, cancellationToken));
    }

    private static async Task<IResult> ResendAsync(Body<EmailRequest> body, ClaimsPrincipal user, HttpContext http, ContactChanges changes, CancellationToken cancellationToken)
    {
        var email = body.Value.Email;
        if (string.IsNullOrWhiteSpace(email)) return WireResults.BadRequest("The key \"email\" is required: the address to send the confirmation email to again.");
        return Answer(await changes.ResendAsync(ChangeOrigin.ForRequest(http, user), email, cancellationToken));
    }

    /// <summary>A change's result as the wire answers it: the refusal's 406, a 429 to come back later, or <paramref name="done"/> (by default [true]).</summary>
    internal static IResult Answer<T>(ContactResult<T> result, Func<T, IResult>? done = null) =>
        result.Refusal is { } refusal ? WireResults.Refused(refusal)
        : result.RetryAfter is { } wait ? WireResults.TooManyRequests(wait, result.Reason)
        : done is null ? WireResults.True() : done(result.Value!);

    private static async Task<IResult> GetAsync(long id, ClaimsPrincipal user, TagflowDb db, ReferenceCache references, CancellationToken cancellationToken) =>
        await ContactWire.LoadAsync(db, user.AccountId(), id, (await references.GetAsync(db, user, cancellationToken)).Fields, user.TimeZone(), cancellationToken) is { } contact
            ? WireResults.Ok(contact)
            : WireResults.NotFound();

    private static async Task<IResult> SearchAsync(Body<SearchRequest> body, ClaimsPrincipal user, TagflowDb db, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(body.Value.Email)) return WireResults.BadRequest("The key \"email\" is required: the address to look up.");
        var id = await ContactQueries.IdByAddressAsync(db, user.AccountId(), body.Value.Email, cancellationToken);
        return id is { } found ? WireResults.Id(found) : WireResults.NotFound();
    }

    private static IResult List(Body<ListFilter> body, ClaimsPrincipal user, TagflowDb db)
    {
        var filter = body.Value;
        if (ContactFilters.Parse(filter.Status, filter.BounceStatus, filter.Limit, filter.After) is not { } f)
            return WireResults.BadRequest(ContactFilters.Help);
        var accountId = user.AccountId();
        var ordered = db.Contacts.AsNoTracking()
            .Where(c => c.AccountId == accountId && c.Id > f.After && f.Statuses.Contains(c.Status) && f.Bounces.Contains(c.Bounce))
            .OrderBy(c => c.Id);
        var ids = (f.Limit is { } limit ? ordered.Take(limit) : ordered).Select(c => c.Id).AsAsyncEnumerable();
        return new WireStream<long>(ids, ContactWire.Id);
    }

    private static async Task<IResult> TaggedAsync(Body<TaggedFilter> body, ClaimsPrincipal user, TagflowDb db, CancellationToken cancellationToken)
    {
        var filter = body.Value;
        if (filter.TagId is not { } tagId) return WireResults.BadRequest("The key \"tagid\" is required: the tag whose contacts to list.");
        if (ContactFilters.Parse(filter.Status, filter.BounceStatus, filter.Limit, filter.After) is not { } f)
            return WireResults.BadRequest(ContactFilters.Help);
        var accountId = user.AccountId();
        if (!await db.Tags.AnyAsync(t => t.Id == tagId && t.AccountId == accountId, cancellationToken))
            return WireResults.Refused(WireErrors.TagNotFound);

        var query =
            from ct in db.ContactTags
            join c in db.Contacts on ct.ContactId equals c.Id
            where ct.TagId == tagId && ct.ContactId > f.After && c.AccountId == accountId
                && f.Statuses.Contains(c.Status) && f.Bounces.Contains(c.Bounce)
            select new { c, ct };
        var ordered = query.OrderBy(x => x.ct.ContactId);
        var rows = (f.Limit is { } limit ? ordered.Take(limit) : ordered)
            .Select(x => new TaggedRow(x.ct.ContactId, x.ct.TaggedAt)).AsNoTracking().AsAsyncEnumerable();
        return new WireStream<TaggedRow>(rows, row => ContactWire.UnixTime(row.TaggedAt), row => ContactWire.Id(row.ContactId));
    }

    private sealed record TaggedRow(long ContactId, DateTime TaggedAt);
}
