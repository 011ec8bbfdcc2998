using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tagflow.Accounts;
using Tagflow.Contacts;
using Tagflow.Data;
using Tagflow.OptIns;
using Tagflow.Tags;
using Tagflow.Tests.Infrastructure;

namespace Tagflow.Tests.Contacts;

/// <summary>
/// Setup the API offers no call for (SmartTags are assigned by the system; single opt-in processes and
/// bounces arrive with later features), written straight to the database. Only setup does this:
/// tests read every result back through the API.
/// </summary>
internal static class DatabaseSetup
{
    public static Task<long> AddSingleOptInProcessAsync(TagflowHost host, string username) => host.WithServicesAsync(async sp =>
    {
        var db = sp.GetRequiredService<TagflowDb>();
        var process = new OptInProcess { AccountId = await AccountIdAsync(db, username), Name = "Single", NormalizedName = "single", UseSingleOptIn = true, CreatedAt = DateTime.UtcNow };
        db.OptInProcesses.Add(process);
        await db.SaveChangesAsync();
        return process.Id;
    });

    public static Task<long> AddSmartTagAsync(TagflowHost host, string username, string name) => host.WithServicesAsync(async sp =>
    {
        var db = sp.GetRequiredService<TagflowDb>();
        var tag = new Tag { AccountId = await AccountIdAsync(db, username), Name = name, NormalizedName = Tag.Normalize(name), Kind = TagKind.Smart, CreatedAt = DateTime.UtcNow };
        db.Tags.Add(tag);
        await db.SaveChangesAsync();
        return tag.Id;
    });

    /// <summary>Gives a contact a SmartTag, as the system would, at the test clock's time.</summary>
    public static Task AssignSmartTagAsync(TagflowHost host, string contactId, long tagId) => host.WithServicesAsync(async sp =>
    {
        var db = sp.GetRequiredService<TagflowDb>();
        db.ContactTags.Add(new ContactTag { ContactId = long.Parse(contactId, System.Globalization.CultureInfo.InvariantCulture), TagId = tagId, TaggedAt = host.Clock.GetUtcNow().UtcDateTime });
        return await db.SaveChangesAsync();
    });

    public static Task SetBounceAsync(TagflowHost host, string contactId, BounceStatus bounce) => host.WithServicesAsync(async sp =>
    {
        var id = long.Parse(contactId, System.Globalization.CultureInfo.InvariantCulture);
        return await sp.GetRequiredService<TagflowDb>().Contacts.Where(c => c.Id == id).ExecuteUpdateAsync(s => s.SetProperty(c => c.Bounce, bounce));
    });

    /// <summary>
    /// <paramref name="count"/> subscribed contacts at once (<c>c1@volume.example</c>, …), each tagged with
    /// <paramref name="tagId"/>, for tests that need more contacts than the API adds in seconds. One statement
    /// for both providers: both count with a recursive query, and both fill the columns left out with their defaults.
    /// </summary>
    public static Task AddSubscribedContactsAsync(TagflowHost host, string username, int count, long tagId) => host.WithServicesAsync(async sp =>
    {
        var db = sp.GetRequiredService<TagflowDb>();
        var accountId = await AccountIdAsync(db, username);
        var listId = await db.OptInProcesses.Where(p => p.AccountId == accountId).Select(p => p.Id).FirstAsync();
        var at = host.Clock.GetUtcNow().UtcDateTime;
        var (status, bounce) = (nameof(ContactStatus.Subscribed), nameof(BounceStatus.None));
        await db.Database.ExecuteSqlAsync($"""
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {count})
            INSERT INTO "Contacts" ("AccountId", "Email", "NormalizedEmail", "ListId", "Status", "Bounce", "SignupAt", "SignupIp", "SignupSource",
                "OptInAt", "OptInIp", "UnsubscribedIp", "CreatedAt", "UpdatedAt")
            SELECT {accountId}, 'c' || i || '@volume.example', 'c' || i || '@volume.example', {listId}, {status}, {bounce}, {at}, '127.0.0.1', 'API',
                {at}, '127.0.0.1', '', {at}, {at}
            FROM n
            """);
        return await db.Database.ExecuteSqlAsync(
            $"""INSERT INTO "ContactTags" ("ContactId", "TagId", "TaggedAt") SELECT "Id", {tagId}, {at} FROM "Contacts" WHERE "AccountId" = {accountId}""");
    });

    /// <summary>A Premium account in another time zone than TagflowHost's accounts, and a client for it (developer + customer key).</summary>
    public static async Task<HttpClient> NewAccountClientInZoneAsync(TagflowHost host, string username, string timeZone)
    {
        var developer = "dev-" + username;
        var (developerKey, customerKey) = await host.WithServicesAsync(async sp =>
        {
            var admin = sp.GetRequiredService<AccountAdmin>();
            await admin.AddAccountAsync(username, TagflowHost.Password, $"{username}@example.com", Plan.Premium, timeZone, CancellationToken.None);
            return (await admin.AddDeveloperAsync(developer, CancellationToken.None), await admin.GrantAsync(username, developer, CancellationToken.None));
        });
        return host.PartnerClient(username, developerKey, customerKey);
    }

    private static Task<long> AccountIdAsync(TagflowDb db, string username) =>
        db.Accounts.Where(a => a.Username == username).Select(a => a.Id).SingleAsync();
}
