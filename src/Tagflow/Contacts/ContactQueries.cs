using Microsoft.EntityFrameworkCore;
using Tagflow.Data;

namespace Tagflow.Contacts;

/// <summary>
/// The lookups that add-or-update, search and the contact object make with every request, compiled
/// once: EF Core then skips rebuilding and matching the query's expression each time.
/// </summary>
internal static class ContactQueries
{
    /// <summary>The account's contact with this normalised address, tracked for changes.</summary>
    private static readonly CompiledQuery<Func<TagflowDb, long, string, CancellationToken, Task<Contact?>>> ByEmailQuery = new(() => EF.CompileAsyncQuery(
        (TagflowDb db, long accountId, string normalizedEmail, CancellationToken cancellationToken) =>
            db.Contacts.SingleOrDefault(c => c.AccountId == accountId && c.NormalizedEmail == normalizedEmail)));

    public static Task<Contact?> ByEmail(TagflowDb db, long accountId, string normalizedEmail, CancellationToken cancellationToken) =>
        ByEmailQuery.For(db)(db, accountId, normalizedEmail, cancellationToken);

    /// <summary>The account's contact with this normalised address, untracked.</summary>
    private static readonly CompiledQuery<Func<TagflowDb, long, string, CancellationToken, Task<Contact?>>> ByEmailUntrackedQuery = new(() => EF.CompileAsyncQuery(
        (TagflowDb db, long accountId, string normalizedEmail, CancellationToken cancellationToken) =>
            db.Contacts.AsNoTracking().SingleOrDefault(c => c.AccountId == accountId && c.NormalizedEmail == normalizedEmail)));

    public static Task<Contact?> ByEmailUntracked(TagflowDb db, long accountId, string normalizedEmail, CancellationToken cancellationToken) =>
        ByEmailUntrackedQuery.For(db)(db, accountId, normalizedEmail, cancellationToken);

    /// <summary>The id of the account's contact with this normalised address.</summary>
    private static readonly CompiledQuery<Func<TagflowDb, long, string, CancellationToken, Task<long?>>> IdByEmailQuery = new(() => EF.CompileAsyncQuery(
        (TagflowDb db, long accountId, string normalizedEmail, CancellationToken cancellationToken) =>
            db.Contacts.Where(c => c.AccountId == accountId && c.NormalizedEmail == normalizedEmail).Select(c => (long?)c.Id).SingleOrDefault()));

    public static Task<long?> IdByEmail(TagflowDb db, long accountId, string normalizedEmail, CancellationToken cancellationToken) =>
        IdByEmailQuery.For(db)(db, accountId, normalizedEmail, cancellationToken);

    /// <summary>The id of the account's contact with this address as given; null if there is none (or the text is no address).</summary>
    public static async Task<long?> IdByAddressAsync(TagflowDb db, long accountId, string? email, CancellationToken cancellationToken) =>
        EmailAddress.Parse(email) is { } address ? await IdByEmail(db, accountId, address.Normalized, cancellationToken) : null;

    /// <summary>A contact's stored field values, tracked for changes.</summary>
    private static readonly CompiledQuery<Func<TagflowDb, long, IAsyncEnumerable<ContactField>>> FieldsQuery = new(() => EF.CompileAsyncQuery(
        (TagflowDb db, long contactId) => db.ContactFields.Where(f => f.ContactId == contactId)));

    public static IAsyncEnumerable<ContactField> Fields(TagflowDb db, long contactId) => FieldsQuery.For(db)(db, contactId);

    /// <summary>A contact's tags, manual and smart, with their tagging times.</summary>
    private static readonly CompiledQuery<Func<TagflowDb, long, IAsyncEnumerable<TagOnContact>>> TagsQuery = new(() => EF.CompileAsyncQuery(
        (TagflowDb db, long contactId) =>
            from ct in db.ContactTags.AsNoTracking()
            join t in db.Tags on ct.TagId equals t.Id
            where ct.ContactId == contactId
            select new TagOnContact(ct.TagId, ct.TaggedAt, t.Kind)));

    public static IAsyncEnumerable<TagOnContact> Tags(TagflowDb db, long contactId) => TagsQuery.For(db)(db, contactId);

    /// <summary>The names of a contact's tags, manual and smart: what an email's template knows as <c>tags</c>.</summary>
    private static readonly CompiledQuery<Func<TagflowDb, long, IAsyncEnumerable<string>>> TagNamesQuery = new(() => EF.CompileAsyncQuery(
        (TagflowDb db, long contactId) =>
            from ct in db.ContactTags.AsNoTracking()
            join t in db.Tags on ct.TagId equals t.Id
            where ct.ContactId == contactId
            select t.Name));

    public static IAsyncEnumerable<string> TagNames(TagflowDb db, long contactId) => TagNamesQuery.For(db)(db, contactId);

    /// <summary>A contact's campaign emails: id, sent, opened, clicked.</summary>
    private static readonly CompiledQuery<Func<TagflowDb, long, IAsyncEnumerable<EmailActivity>>> EmailsQuery = new(() => EF.CompileAsyncQuery(
        (TagflowDb db, long contactId) => db.SentEmails.AsNoTracking().Where(m => m.ContactId == contactId).OrderBy(m => m.Id)
            .Select(m => new EmailActivity(m.Id, m.SentAt, m.OpenedAt, m.ClickedAt))));

    public static IAsyncEnumerable<EmailActivity> Emails(TagflowDb db, long contactId) => EmailsQuery.For(db)(db, contactId);

    /// <summary>A contact's campaigns: id, started, state and end.</summary>
    private static readonly CompiledQuery<Func<TagflowDb, long, IAsyncEnumerable<CampaignActivity>>> CampaignsQuery = new(() => EF.CompileAsyncQuery(
        (TagflowDb db, long contactId) => db.CampaignRuns.AsNoTracking().Where(r => r.ContactId == contactId).OrderBy(r => r.CampaignId)
            .Select(r => new CampaignActivity(r.CampaignId, r.StartedAt, r.State, r.EndedAt))));

    public static IAsyncEnumerable<CampaignActivity> Campaigns(TagflowDb db, long contactId) => CampaignsQuery.For(db)(db, contactId);
}
