using Microsoft.EntityFrameworkCore;
using Tagflow.Data;

namespace Tagflow.Contacts;

/// <summary>
/// The contacts an add-or-update refers to, read in one query: the one with its address, and the
/// one with its SMS number (the same contact, another one, or none).
/// </summary>
internal sealed record ContactMatch(Contact? ByEmail, Contact? BySms)
{
    /// <summary>The contact the change is for: found by its address, else by its SMS number.</summary>
    public Contact? Contact => ByEmail ?? BySms;

    /// <summary>
    /// The number belongs to a contact with another address while the address finds none: that is
    /// another person, not a change of address (error 9).
    /// </summary>
    public bool SmsIsAnotherPersons(EmailAddress? email) => email is not null && ByEmail is null && BySms?.NormalizedEmail is not null;

    /// <summary>Another contact than <paramref name="contact"/> has the number.</summary>
    public bool SmsTakenOtherThan(Contact? contact) => BySms is { } owner && owner.Id != contact?.Id;

    /// <summary>
    /// Reads the account's contacts with this address or this number. <paramref name="tracked"/> under
    /// the writer, where the change is made on them; untracked to decide, before it, what must happen
    /// ahead of the change.
    /// </summary>
    public static async Task<ContactMatch> FindAsync(TagflowDb db, long accountId, EmailAddress? email, string? sms, bool tracked, CancellationToken cancellationToken)
    {
        if (sms is null)
        {
            if (email is null) return new(null, null);
            var byEmail = tracked
                ? await ContactQueries.ByEmail(db, accountId, email.Normalized, cancellationToken)
                : await ContactQueries.ByEmailUntracked(db, accountId, email.Normalized, cancellationToken);
            return new(byEmail, null);
        }
        var normalized = email?.Normalized;
        // Each side of the OR names the account, so that each can use its own index.
        var query = db.Contacts.Where(c => (c.AccountId == accountId && c.NormalizedEmail == normalized) || (c.AccountId == accountId && c.SmsPhone == sms));
        var found = await (tracked ? query : query.AsNoTracking()).Take(2).ToListAsync(cancellationToken);
        return new(normalized is null ? null : found.SingleOrDefault(c => c.NormalizedEmail == normalized), found.SingleOrDefault(c => c.SmsPhone == sms));
    }
}
