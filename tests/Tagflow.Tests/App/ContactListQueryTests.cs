using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tagflow.App;
using Tagflow.Contacts;
using Tagflow.Data;
using Tagflow.Tests.Contacts;
using Tagflow.Tests.Infrastructure;
using static Tagflow.Tests.Contacts.ContactCalls;

namespace Tagflow.Tests.App;

/// <summary>
/// The contacts page's query on both databases: each filter reads its contacts a different way (a tag's
/// own index for "has tag" by creation, a list of a rare tag's holders by change, partial indexes for the
/// rare statuses and bounces, the index of addresses for a search), and every way must page through
/// exactly the contacts the filter means, in the page's order, forwards and back.
/// </summary>
public sealed class ContactListQueryTests
{
    /// <summary>More holders than the list of a rare tag's holders takes (ContactList's FewHolders is 1,000).</summary>
    private const int Common = 1_030;

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task TagFiltersPageThroughExactlyTheirContactsWhetherTheTagIsCommonOrRare(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var common = await CreateTagAsync(client, "Common");
        var rare = await CreateTagAsync(client, "Rare");
        await DatabaseSetup.AddSubscribedContactsAsync(host, "anna", Common, common);
        foreach (var email in new[] { "c7@volume.example", "c500@volume.example", "c1030@volume.example" })
            await TagAsync(client, email, rare);
        await AddIdAsync(client, "untagged@example.com");
        host.Clock.Advance(TimeSpan.FromMinutes(1));
        // A few changed later than the rest: sorted by change they come first, the ties after them by id.
        await TagAsync(client, "c3@volume.example", rare);
        await AddAsync(client, new { email = "c900@volume.example", fieldFirstName = "Changed" });

        var all = await ContactsAsync(host);
        foreach (var (tag, has) in new[] { (common, true), (rare, true), (common, false), (rare, false) })
        {
            var holders = await HoldersAsync(host, tag);
            var expected = all.Where(c => holders.Contains(c.Id) == has).ToList();
            foreach (var byChanged in new[] { false, true })
            {
                var order = byChanged
                    ? expected.OrderByDescending(c => c.UpdatedAt).ThenByDescending(c => c.Id).Select(c => c.Id).ToList()
                    : expected.OrderByDescending(c => c.Id).Select(c => c.Id).ToList();
                var query = new ContactQuery(null, tag, has, null, null, byChanged, null);
                Assert.Equal(order, await WalkAsync(host, query));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task StatusBounceAndSearchFindExactlyTheirContacts(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        using var other = await host.NewAccountClientAsync("bert");
        var single = await DatabaseSetup.AddSingleOptInProcessAsync(host, "anna");
        var anna = Text(await AddAsync(client, new { email = "anna@example.com", listid = single }), "id");
        var hanna = Text(await AddAsync(client, new { email = "hanna@example.com", listid = single, smsnumber = "+4915112345678" }), "id");
        var pending = await AddIdAsync(client, "pending@example.com");
        var gone = Text(await AddAsync(client, new { email = "gone@example.com", listid = single }), "id");
        await UnsubscribeAsync(client, "gone@example.com");
        await DatabaseSetup.SetBounceAsync(host, hanna, BounceStatus.Hard);
        await AddIdAsync(other, "anna@example.com"); // another account's: never found

        async Task<List<string>> FindAsync(string? search = null, ContactStatus? status = null, BounceStatus? bounce = null) =>
            [.. (await WalkAsync(host, new ContactQuery(search, null, false, status, bounce, false, null))).Select(id => Id(id))];

        Assert.Equal([pending], await FindAsync(status: ContactStatus.Pending));
        Assert.Equal([gone], await FindAsync(status: ContactStatus.Unsubscribed));
        Assert.Equal([hanna, anna], await FindAsync(status: ContactStatus.Subscribed));
        Assert.Equal([hanna], await FindAsync(bounce: BounceStatus.Hard));
        Assert.Equal([gone, pending, anna], await FindAsync(bounce: BounceStatus.None));
        Assert.Empty(await FindAsync(status: ContactStatus.Unsubscribed, bounce: BounceStatus.Hard));
        // An address the account has is that contact; part of one is every address that holds it.
        Assert.Equal([anna], await FindAsync("Anna@Example.com"));
        Assert.Equal([hanna, anna], await FindAsync("anna@"));
        Assert.Equal([hanna, anna], await FindAsync("nna@example.com")); // an address, but none of the account's: part of theirs
        Assert.Equal([hanna], await FindAsync("0151 1234"));
        Assert.Empty(await FindAsync("nobody@example.com"));
    }

    private sealed record Listed(long Id, DateTime UpdatedAt);

    private static Task<List<Listed>> ContactsAsync(TagflowHost host) => host.WithServicesAsync(async sp =>
    {
        var db = sp.GetRequiredService<TagflowDb>();
        var accountId = await db.Accounts.Where(a => a.Username == "anna").Select(a => a.Id).SingleAsync();
        return await db.Contacts.AsNoTracking().Where(c => c.AccountId == accountId).Select(c => new Listed(c.Id, c.UpdatedAt)).ToListAsync();
    });

    private static Task<HashSet<long>> HoldersAsync(TagflowHost host, long tagId) => host.WithServicesAsync(async sp =>
        (await sp.GetRequiredService<TagflowDb>().ContactTags.Where(t => t.TagId == tagId).Select(t => t.ContactId).ToListAsync()).ToHashSet());

    /// <summary>Every page from the first by its next cursors, then back from the last by its previous ones; answers the ids in page order.</summary>
    private static Task<List<long>> WalkAsync(TagflowHost host, ContactQuery query) => host.WithServicesAsync(async sp =>
    {
        var db = sp.GetRequiredService<TagflowDb>();
        var accountId = await db.Accounts.Where(a => a.Username == "anna").Select(a => a.Id).SingleAsync();
        var pages = new List<ContactListPage>();
        var page = await ContactList.PageAsync(db, accountId, query, CancellationToken.None);
        pages.Add(page);
        while (page.Next is { } next)
            pages.Add(page = await ContactList.PageAsync(db, accountId, query with { After = next }, CancellationToken.None));
        var forwards = pages.SelectMany(p => p.Rows).Select(r => r.Id).ToList();
        Assert.All(pages.SkipLast(1), p => Assert.Equal(ContactList.PageSize, p.Rows.Count));

        // Back again: each previous page is the one read before it, and the first has no previous one.
        for (var i = pages.Count - 1; i > 0; i--)
        {
            var previous = await ContactList.PageAsync(db, accountId, query with { Before = pages[i].Previous }, CancellationToken.None);
            Assert.Equal(pages[i - 1].Rows.Select(r => r.Id), previous.Rows.Select(r => r.Id));
        }
        Assert.Null(pages[0].Previous);
        return forwards;
    });
}
