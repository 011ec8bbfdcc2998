using Microsoft.EntityFrameworkCore;
using Tagflow.Accounts;
using Tagflow.Contacts;
using Tagflow.Data;
using Tagflow.Events;
using Tagflow.Wire;

namespace Tagflow.OptIns;

/// <summary>
/// The confirmation link of a double opt-in, <c>GET /optin/{token}</c>, opened by the contact in a
/// browser: no credentials. The first open subscribes the contact and records the confirmation
/// (time, address, browser) apart from the sign-up proof; every open then redirects to the
/// process's thank-you page. A HEAD request, as mail scanners send to check a link, confirms nothing.
/// A link sent for a change of address makes the new address the contact's.
/// </summary>
internal static class ConfirmApi
{
    private const int MaxUserAgentLength = 512;

    public static void MapConfirmApi(this IEndpointRouteBuilder app)
    {
        // The token confirms the subscription for anyone who has it: it stays out of the request log.
        var loggedAs = ConfirmationMail.ConfirmPath + "…";
        app.MapGet(ConfirmationMail.ConfirmPath + "{token}", ConfirmAsync).ExcludeFromDescription().LogsPathAs(loggedAs);
        app.MapMethods(ConfirmationMail.ConfirmPath + "{token}", [HttpMethods.Head], () => Results.Ok()).ExcludeFromDescription().LogsPathAs(loggedAs);
    }

    private static async Task<IResult> ConfirmAsync(string token, HttpContext http, TagflowDb db, ContactChanges changes, TimeProvider clock, CancellationToken cancellationToken)
    {
        var hash = Secrets.LookupHash(token);
        var found = await db.OptInTokens.AsNoTracking().Where(t => t.TokenHash == hash)
            .Select(t => new { t.Id, t.AccountId, t.ContactId, t.ExpiresAt, t.UsedAt }).SingleOrDefaultAsync(cancellationToken);
        if (found is null)
            return OptInPages.Page("Unknown link",
                "This confirmation link is not known, or its contact no longer exists. Copy the whole link from the email, or sign up again.",
                StatusCodes.Status404NotFound);
        var now = clock.GetUtcNow().UtcDateTime;
        if (found.UsedAt is null && now > found.ExpiresAt)
            return OptInPages.Page("This link has expired",
                "Confirmation links are valid for 30 days. Please sign up again to get a new one.",
                StatusCodes.Status410Gone);

        if (found.UsedAt is null)
        {
            var userAgent = http.Request.Headers.UserAgent.ToString();
            var origin = new ChangeOrigin(found.AccountId, ChangeSource.Link, ChangeOrigin.ClientIp(http))
            {
                UserAgent = userAgent.Length > MaxUserAgentLength ? userAgent[..MaxUserAgentLength] : userAgent,
            };
            if (await changes.ConfirmAsync(origin, found.Id, found.ContactId, cancellationToken) == LinkConfirmation.AddressTaken)
                return OptInPages.Page("Address already in use",
                    "Another contact has this address by now, so the change cannot be confirmed. Please contact the sender.",
                    StatusCodes.Status409Conflict);
        }

        var thankYou = await (
            from c in db.Contacts
            join p in db.OptInProcesses on c.ListId equals p.Id
            where c.Id == found.ContactId
            select p.ThankYouUrl).SingleOrDefaultAsync(cancellationToken);
        return Results.Redirect(string.IsNullOrEmpty(thankYou) ? OptInPages.Url(http, OptInPages.ThanksPath) : thankYou);
    }
}
