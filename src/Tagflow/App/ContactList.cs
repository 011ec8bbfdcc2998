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

    public static async Task<ContactListPage> PageAsync(TagflowDb db, long accountId, ContactQuery query, CancellationToken cancellationToken)
    {
        var contacts = db.Contacts.AsNoTracking().Where(c => c.AccountId == accountId);
        if (query.Status is { } status) contacts = contacts.Where(c => c.Status == status);
        if (query.Bounce is { } bounce) contacts = contacts.Where(c => c.Bounce == bounce);
        if (query.TagId is { } tagId)
            contacts = query.HasTag
                ? contacts.Where(c => db.ContactTags.Any(t => t.TagId == tagId && t.ContactId == c.Id))
                : contacts.Where(c => !db.ContactTags.Any(t => t.TagId == tagId && t.ContactId == c.Id));
        contacts = Search(db, contacts, query.Search);

        // Backwards (to the previous page) the same order is read from the other end and turned round.
        var backwards = query.Before is not null;
        var cursor = backwards ? query.Before : query.After;
        IQueryable<Contact> ordered;
        if (query.ByChanged)
        {
            if (ChangedCursor(cursor) is var (changed, id))
                contacts = backwards
                    ? contacts.Where(c => c.UpdatedAt > changed || (c.UpdatedAt == changed && c.Id > id))
                    : contacts.Where(c => c.UpdatedAt < changed || (c.UpdatedAt == changed && c.Id < id));
            ordered = backwards
                ? contacts.OrderBy(c => c.UpdatedAt).ThenBy(c => c.Id)
                : contacts.OrderByDescending(c => c.UpdatedAt).ThenByDescending(c => c.Id);
        }
        else
        {
            if (long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out var from))
                contacts = backwards ? contacts.Where(c => c.Id > from) : contacts.Where(c => c.Id < from);
            ordered = backwards ? contacts.OrderBy(c => c.Id) : contacts.OrderByDescending(c => c.Id);
        }

        var found = await ordered.Take(PageSize + 1)
            .Select(c => new { c.Id, c.Email, c.SmsPhone, c.Status, c.Bounce, c.CreatedAt, c.UpdatedAt })
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
    /// contains the words, regardless of case.
    /// </summary>
    private static IQueryable<Contact> Search(TagflowDb db, IQueryable<Contact> contacts, string? text)
    {
        var term = text?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(term)) return contacts;
        if (term.Contains('@', StringComparison.Ordinal)) return contacts.Where(c => c.NormalizedEmail!.Contains(term));
        if (term.All(ch => char.IsDigit(ch) || ch is '+' or ' ' or '-' or '/' or '(' or ')') && term.Count(char.IsDigit) >= 3)
        {
            var digits = PhoneNumber.Normalize(term) ?? new string([.. term.Where(char.IsDigit)]).TrimStart('0');
            return contacts.Where(c => c.SmsPhone!.Contains(digits));
        }
        return contacts.Where(c => c.NormalizedEmail!.Contains(term)
            || db.ContactFields.Any(f => f.ContactId == c.Id && (f.Key == "fieldFirstName" || f.Key == "fieldLastName") && f.Value.ToLower().Contains(term)));
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
