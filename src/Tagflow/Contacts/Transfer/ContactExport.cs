using Microsoft.EntityFrameworkCore;
using Tagflow.Data;
using Tagflow.Fields;
using Tagflow.Tags;
using Tagflow.Wire;

namespace Tagflow.Contacts;

/// <summary>
/// Every contact of an account that the options let through, in id order, written page by page: a
/// page of contacts by keyset (id &gt; the last one written, never OFFSET, so each page costs the same
/// at the start and at the end of a million), then that page's data field values and tags in one query
/// each, then the page is written and flushed. Memory holds one page, whatever the account's size. The
/// pages are not one snapshot: a contact changed while the export runs is written as its page found it.
/// </summary>
internal sealed class ContactExport(TagflowDb db, long accountId, ExportOptions options, FieldCatalog catalog, TimeZoneInfo zone)
{
    public const int PageSize = 1_000;

    /// <summary>Why the export cannot start, or null: a tag filter the account does not have (406 error 403), or a tag name with the separator in it.</summary>
    public static async Task<Refusal?> CheckAsync(TagflowDb db, long accountId, ExportOptions options, CancellationToken cancellationToken)
    {
        if (options.TagId is { } tagId && !await db.Tags.AnyAsync(t => t.Id == tagId && t.AccountId == accountId, cancellationToken))
            return new Refusal("The account has no such tag.", WireErrors.TagNotFound);
        if (options.Format != ExportFormat.Csv) return null;
        var separator = options.TagSeparator.ToString();
        var clash = await db.Tags.AsNoTracking().Where(t => t.AccountId == accountId && t.Name.Contains(separator))
            .OrderBy(t => t.Id).Select(t => t.Name).FirstOrDefaultAsync(cancellationToken);
        return clash is null ? null : new Refusal(SeparatorProblem(clash, options.TagSeparator));
    }

    private static string SeparatorProblem(string tag, char separator) =>
        $"The tag \"{WireText.Echo(tag)}\" contains the tag separator {separator}, so the file could not be read back: " +
        $"choose another tagSeparator (one character no tag name contains, such as ; or /), or export as ndjson.";

    /// <summary>Writes the export, one page at a time, to <paramref name="write"/>; answers how many contacts it wrote.</summary>
    public async Task<long> WriteAsync(Func<ReadOnlyMemory<byte>, CancellationToken, Task> write, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        using var writer = IExportWriter.Create(options, catalog, buffer);
        var row = new ExportRow(catalog.All.Count, zone);
        var columns = catalog.All.Select((field, i) => (field.Key, i)).ToDictionary(f => f.Key, f => f.i, StringComparer.OrdinalIgnoreCase);
        var count = 0L;
        var after = 0L;
        while (true)
        {
            // The page is read before any of it is written: a query that fails before the first byte is an error answer, not a cut file.
            var contacts = await Page(after).ToListAsync(cancellationToken);
            var (values, tags) = contacts.Count == 0 ? ([], []) : await DetailsAsync(contacts.ConvertAll(c => c.Id), cancellationToken);

            // Values and tags come ordered by contact, as the contacts do: one walk through the three lists.
            int v = 0, t = 0;
            foreach (var contact in contacts)
            {
                row.Reset(contact);
                for (; v < values.Count && values[v].ContactId <= contact.Id; v++)
                {
                    if (values[v].ContactId == contact.Id && columns.TryGetValue(values[v].Key, out var column)) row.Values[column] = values[v].Value;
                }
                for (; t < tags.Count && tags[t].ContactId <= contact.Id; t++)
                {
                    if (tags[t].ContactId == contact.Id) Add(row, tags[t]);
                }
                writer.Write(row);
            }
            writer.Flush();
            await write(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), cancellationToken);
            buffer.SetLength(0);
            count += contacts.Count;
            if (contacts.Count < PageSize) return count;
            after = contacts[^1].Id;
        }
    }

    /// <summary>
    /// The data field values and tags of a page's contacts, each ordered by contact. The ids are the
    /// account's (the page query is scoped to it) and ids are never reused, so these queries are too. The
    /// ids go as one parameter (a JSON array on SQLite, an array on PostgreSQL), not a thousand; the page's
    /// id range beside them lets PostgreSQL's planner see an index range, where a thousand-value array
    /// alone made it scan the whole table for each page. The pages' ranges do not overlap, so even a
    /// sparse filter's pages read each row at most once in all.
    /// </summary>
    private async Task<(List<FieldValue> Values, List<TagName> Tags)> DetailsAsync(List<long> ids, CancellationToken cancellationToken)
    {
        var (first, last) = (ids[0], ids[^1]);
        var values = await db.ContactFields.AsNoTracking()
            .Where(f => f.ContactId >= first && f.ContactId <= last && EF.Parameter(ids).Contains(f.ContactId))
            .OrderBy(f => f.ContactId).Select(f => new FieldValue(f.ContactId, f.Key, f.Value)).ToListAsync(cancellationToken);
        var tags = await (from ct in db.ContactTags
                          join t in db.Tags on ct.TagId equals t.Id
                          where t.AccountId == accountId && ct.ContactId >= first && ct.ContactId <= last && EF.Parameter(ids).Contains(ct.ContactId)
                          orderby ct.ContactId, ct.TagId
                          select new TagName(ct.ContactId, t.Name, t.Kind)).AsNoTracking().ToListAsync(cancellationToken);
        return (values, tags);
    }

    private void Add(ExportRow row, TagName tag)
    {
        // CheckAsync refused such a name before the first byte; a tag named so since then would make a cell that reads back wrong.
        if (options.Format == ExportFormat.Csv && tag.Name.Contains(options.TagSeparator, StringComparison.Ordinal))
            throw new InvalidOperationException(SeparatorProblem(tag.Name, options.TagSeparator));
        (tag.Kind == TagKind.Manual ? row.ManualTags : row.SmartTags).Add(tag.Name);
    }

    /// <summary>The next page of the account's contacts after <paramref name="after"/> that the filters let through.</summary>
    private IQueryable<Contact> Page(long after)
    {
        var statuses = options.Filters.Statuses;
        var bounces = options.Filters.Bounces;
        var contacts = db.Contacts.AsNoTracking()
            .Where(c => c.AccountId == accountId && c.Id > after && statuses.Contains(c.Status) && bounces.Contains(c.Bounce));
        // From the tag's taggings in contact order (their index is (TagId, ContactId)): a rare tag costs
        // as little as its contacts, not a walk through all of the account's.
        var ordered = options.TagId is not { } tagId
            ? contacts.OrderBy(c => c.Id)
            : from ct in db.ContactTags
              join c in contacts on ct.ContactId equals c.Id
              where ct.TagId == tagId && ct.ContactId > after
              orderby ct.ContactId
              select c;
        // Only the columns the file shows: fewer times to parse (SQLite keeps them as text) and less to read.
        return ordered.Select(c => new Contact
        {
            Id = c.Id, Email = c.Email, SmsPhone = c.SmsPhone, ListId = c.ListId, Status = c.Status, Bounce = c.Bounce,
            SignupAt = c.SignupAt, SignupIp = c.SignupIp, SignupSource = c.SignupSource, OptInAt = c.OptInAt, OptInIp = c.OptInIp,
            UnsubscribedAt = c.UnsubscribedAt, UnsubscribedIp = c.UnsubscribedIp,
        }).Take(PageSize);
    }

    private sealed record FieldValue(long ContactId, string Key, string Value);

    private sealed record TagName(long ContactId, string Name, TagKind Kind);
}
