using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Tagflow.Contacts;
using Tagflow.Data;

namespace Tagflow.App;

/// <summary>What the contacts page asks: a search, filters, a sort and where the page starts.</summary>
internal sealed record ContactQuery(string? Search, long? TagId, bool HasTag, ContactStatus? Status, BounceStatus? Bounce, bool ByChanged, string? After,
    string? Before = null);

/// <summary>One row of the contacts page.</summary>
internal sealed record ContactRow(long Id, string? Email, string? Sms, string Name, ContactStatus Status, BounceStatus Bounce, DateTime CreatedAt, DateTime UpdatedAt);

/// <summary>A page of contacts and the cursors of the next and the previous one (null where there is none).</summary>
internal sealed record ContactListPage(IReadOnlyList<ContactRow> Rows, string? Next, string? Previous = null);

/// <summary>
/// The contacts page's query, scoped to the account. Pages by keyset, never by OFFSET: the cursor is
/// the last row's id (sorted by creation) or its change time and id (sorted by change), so the
/// millionth row costs what the first does.
/// </summary>
internal static class ContactList
{
    public const int PageSize = 50;

    /// <summary>Up to this many holders, a tag filter sorted by change names them (a seek per holder) rather than checks every contact.</summary>
    private const int FewHolders = 1_000;

    public static async Task<ContactListPage> PageAsync(TagflowDb db, long accountId, ContactQuery query, CancellationToken cancellationToken)
    {
        var contacts = db.Contacts.AsNoTracking().Where(c => c.AccountId == accountId);
        // The rare statuses and bounces are read from partial indexes that hold only them (the index's own
        // condition is spelled out, so the database may use it): "unsubscribed" at a million contacts is a seek.
        if (query.Status is { } status)
            contacts = status == ContactStatus.Subscribed
                ? contacts.Where(c => c.Status == status)
                : contacts.Where(c => c.Status != ContactStatus.Subscribed && c.Status == status);
        if (query.Bounce is { } bounce)
            contacts = bounce == BounceStatus.None
                ? contacts.Where(c => c.Bounce == bounce)
                : contacts.Where(c => c.Bounce != BounceStatus.None && c.Bounce == bounce);
        contacts = await SearchAsync(db, accountId, contacts, query.Search, cancellationToken);

        // Each row with its key: the contact's id, read for "has tag" sorted by creation from the tagging
        // (the same value), so the page is read from the tag's index in that order: as fast for a tag of ten contacts as for one of
        // a million. Sorted by the last change, the contacts are read in that order and each is checked, which
        // finds a page soon when the tag is common; a rare tag's few holders are named to the query instead.
        IQueryable<Listed> listed;
        if (query.TagId is { } tagId && query.HasTag && !query.ByChanged)
            listed = from t in db.ContactTags
                     where t.TagId == tagId
                     join c in contacts on t.ContactId equals c.Id
                     select new Listed { Contact = c, Key = t.ContactId };
        else
        {
            if (query.TagId is { } filterTag)
            {
                var few = query.HasTag ? await FewHoldersAsync(db, accountId, filterTag, cancellationToken) : null;
                contacts = few is not null ? contacts.Where(c => EF.Constant(few).Contains(c.Id))
                    : query.HasTag ? contacts.Where(c => db.ContactTags.Any(t => t.TagId == filterTag && t.ContactId == c.Id))
                    : contacts.Where(c => !db.ContactTags.Any(t => t.TagId == filterTag && t.ContactId == c.Id));
            }
            listed = contacts.Select(c => new Listed { Contact = c, Key = c.Id });
        }

        // Backwards (to the previous page) the same order is read from the other end and turned round.
        var backwards = query.Before is not null;
        var cursor = backwards ? query.Before : query.After;
        IQueryable<Listed> ordered;
        if (query.ByChanged)
        {
            if (ChangedCursor(cursor) is var (changed, id))
                listed = backwards
                    ? listed.Where(l => l.Contact.UpdatedAt > changed || (l.Contact.UpdatedAt == changed && l.Key > id))
                    : listed.Where(l => l.Contact.UpdatedAt < changed || (l.Contact.UpdatedAt == changed && l.Key < id));
            ordered = backwards
                ? listed.OrderBy(l => l.Contact.UpdatedAt).ThenBy(l => l.Key)
                : listed.OrderByDescending(l => l.Contact.UpdatedAt).ThenByDescending(l => l.Key);
        }
        else
        {
            if (long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out var from))
                listed = backwards ? listed.Where(l => l.Key > from) : listed.Where(l => l.Key < from);
            ordered = backwards ? listed.OrderBy(l => l.Key) : listed.OrderByDescending(l => l.Key);
        }

        var found = await ordered.Take(PageSize + 1)
            .Select(l => new { l.Contact.Id, l.Contact.Email, l.Contact.SmsPhone, l.Contact.Status, l.Contact.Bounce, l.Contact.CreatedAt, l.Contact.UpdatedAt })
            .ToListAsync(cancellationToken);
        var more = found.Count > PageSize;
        var rows = found.Take(PageSize).ToList();
        if (backwards) rows.Reverse();
        var ids = rows.Select(r => r.Id).ToList();
        var names = (await db.ContactFields.AsNoTracking()
                .Where(f => ids.Contains(f.ContactId) && (f.Key == "fieldFirstName" || f.Key == "fieldLastName"))
                .Select(f => new { f.ContactId, f.Key, f.Value }).ToListAsync(cancellationToken))
            .GroupBy(f => f.ContactId)
            .ToDictionary(g => g.Key, g => string.Join(' ', g.OrderBy(f => f.Key == "fieldLastName").Select(f => f.Value)));

        string Cursor(DateTime updatedAt, long id) => query.ByChanged
            ? $"{updatedAt.Ticks.ToString(CultureInfo.InvariantCulture)}-{id.ToString(CultureInfo.InvariantCulture)}"
            : id.ToString(CultureInfo.InvariantCulture);
        var (first, last) = (rows.FirstOrDefault(), rows.LastOrDefault());
        // Coming back from a later page, there is a next one; going on from an earlier one, a previous one.
        var next = last is not null && (backwards || more) ? Cursor(last.UpdatedAt, last.Id) : null;
        var previous = first is not null && (backwards ? more : cursor is not null) ? Cursor(first.UpdatedAt, first.Id) : null;
        return new ContactListPage(
            [.. rows.Select(r => new ContactRow(r.Id, r.Email, r.SmsPhone, names.GetValueOrDefault(r.Id, ""), r.Status, r.Bounce, r.CreatedAt, r.UpdatedAt))],
            next, previous);
    }

    /// <summary>
    /// An address (or part of one), an SMS number (or its digits), or a name: the first or last name
    /// contains the words, regardless of case. An address the account has is that contact, found in
    /// the index of addresses; any other text with an @ is looked for inside every address (on SQLite in
    /// the index alone, which is smaller than the table), as is a number inside every SMS number.
    /// </summary>
    private static async Task<IQueryable<Contact>> SearchAsync(TagflowDb db, long accountId, IQueryable<Contact> contacts, string? text,
        CancellationToken cancellationToken)
    {
        var term = text?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(term)) return contacts;
        if (term.Contains('@', StringComparison.Ordinal))
        {
            if (EmailAddress.Parse(term)?.Normalized is { } address
                && await db.Contacts.AnyAsync(c => c.AccountId == accountId && c.NormalizedEmail == address, cancellationToken))
                return contacts.Where(c => c.NormalizedEmail == address);
            var matching = db.Contacts.Where(m => m.AccountId == accountId && m.NormalizedEmail!.Contains(term)).Select(m => m.Id);
            return contacts.Where(c => matching.Contains(c.Id));
        }
        if (term.All(ch => char.IsDigit(ch) || ch is '+' or ' ' or '-' or '/' or '(' or ')') && term.Count(char.IsDigit) >= 3)
        {
            var digits = PhoneNumber.Normalize(term) ?? new string([.. term.Where(char.IsDigit)]).TrimStart('0');
            var matching = db.Contacts.Where(m => m.AccountId == accountId && m.SmsPhone!.Contains(digits)).Select(m => m.Id);
            return contacts.Where(c => matching.Contains(c.Id));
        }
        return contacts.Where(c => c.NormalizedEmail!.Contains(term)
            || db.ContactFields.Any(f => f.ContactId == c.Id && (f.Key == "fieldFirstName" || f.Key == "fieldLastName") && f.Value.ToLower().Contains(term)));
    }

    /// <summary>The ids of a tag's holders when there are at most <see cref="FewHolders"/>, else null.</summary>
    private static async Task<List<long>?> FewHoldersAsync(TagflowDb db, long accountId, long tagId, CancellationToken cancellationToken)
    {
        var holders = await (from t in db.ContactTags
                             where t.TagId == tagId
                             join c in db.Contacts on t.ContactId equals c.Id
                             where c.AccountId == accountId
                             select t.ContactId).Take(FewHolders + 1).ToListAsync(cancellationToken);
        return holders.Count <= FewHolders ? holders : null;
    }

    /// <summary>A contact and the key its page is ordered by (its id, read from the contact or from a tagging).</summary>
    private sealed class Listed
    {
        public required Contact Contact { get; init; }
        public required long Key { get; init; }
    }

    private static (DateTime Changed, long Id)? ChangedCursor(string? cursor)
    {
        var parts = cursor?.Split('-');
        return parts is [var ticks, var id]
            && long.TryParse(ticks, NumberStyles.None, CultureInfo.InvariantCulture, out var t) && t <= DateTime.MaxValue.Ticks
            && long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var i)
            ? (new DateTime(t, DateTimeKind.Utc), i)
            : null;
    }
}
