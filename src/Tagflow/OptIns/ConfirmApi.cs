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

    private static async Task<IResult> ConfirmAsync(string token, HttpContext http, TagflowDb db, Writes writes, TimeProvider clock, CancellationToken cancellationToken)
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
            var ip = ContactsApi.ClientIp(http);
            var userAgent = http.Request.Headers.UserAgent.ToString();
            if (userAgent.Length > MaxUserAgentLength) userAgent = userAgent[..MaxUserAgentLength];
            var taken = await writes.RunAsync(found.AccountId, async (db, cancellationToken) =>
            {
                var row = await db.OptInTokens.SingleOrDefaultAsync(t => t.Id == found.Id, cancellationToken);
                var contact = await db.Contacts.SingleOrDefaultAsync(c => c.Id == found.ContactId, cancellationToken);
                // Opened twice at once, or the contact deleted meanwhile: the first open did it all.
                if (row is null || row.UsedAt is not null || contact is null) return WriteOutcome<bool>.Refused(false);
                row.UsedAt = now;
                if (row.NewEmail is not null)
                    return await ChangeAddressAsync(db, contact, row, ip, userAgent, now, cancellationToken)
                        ? WriteOutcome<bool>.Kept(false) : WriteOutcome<bool>.Refused(true);
                // A pending contact, or one that unsubscribed and signed up again through a listbuilding key.
                if (contact.Status == ContactStatus.Pending || contact.Status == ContactStatus.Unsubscribed && row.Resubscribes)
                {
                    if (contact.Status == ContactStatus.Unsubscribed) (contact.UnsubscribedAt, contact.UnsubscribedIp) = (null, "");
                    contact.Status = ContactStatus.Subscribed;
                    (contact.OptInAt, contact.OptInIp, contact.OptInUserAgent, contact.UpdatedAt) = (now, ip, userAgent, now);
                    EventLog.Add(db, found.AccountId, EventTypes.ContactSubscribed, contact.Id, now);
                    await ContactsApi.ConfirmedAsync(db, found.AccountId, contact, contact.ListId, now, cancellationToken);
                }
                return WriteOutcome<bool>.Kept(false);
            }, cancellationToken);
            if (taken)
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

    /// <summary>
    /// A change of address confirmed from the new address: it becomes the contact's address, and the
    /// click is its proof. False if another contact has taken the address since the link was sent.
    /// </summary>
    private static async Task<bool> ChangeAddressAsync(TagflowDb db, Contact contact, OptInToken token, string ip, string userAgent, DateTime now, CancellationToken cancellationToken)
    {
        if (EmailAddress.Parse(token.NewEmail) is not { } address) return false;
        if (await db.Contacts.AnyAsync(c => c.AccountId == contact.AccountId && c.NormalizedEmail == address.Normalized && c.Id != contact.Id, cancellationToken))
            return false;
        (contact.Email, contact.NormalizedEmail) = (address.Address, address.Normalized);
        (contact.OptInAt, contact.OptInIp, contact.OptInUserAgent, contact.UpdatedAt) = (now, ip, userAgent, now);
        if (contact.Status == ContactStatus.Pending)
        {
            contact.Status = ContactStatus.Subscribed;
            EventLog.Add(db, contact.AccountId, EventTypes.ContactSubscribed, contact.Id, now);
        }
        EventLog.Add(db, contact.AccountId, EventTypes.ContactUpdated, contact.Id, now, fields: ["email"]);
        await ContactsApi.ForgetLinksAsync(db, contact.Id, cancellationToken, exceptTokenId: token.Id);
        return true;
    }
}
