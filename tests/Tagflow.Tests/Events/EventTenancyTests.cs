using Tagflow.Tests.Fields;
using Tagflow.Tests.Infrastructure;

namespace Tagflow.Tests.Events;

/// <summary>Each account's event feed holds its own events only, whatever cursor it polls with.</summary>
public sealed class EventTenancyTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnotherAccountsChangesNeverAppearInTheFeed(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var anna = await host.NewAccountClientAsync("anna");
        using var bert = await host.NewAccountClientAsync("bert");
        await EventFeedTests.MakeSevenChangesAsync(anna);
        var annas = (await EventFeed.ReadAsync(anna)).Events;
        Assert.Equal(7, annas.Count);

        Assert.Empty(await EventFeed.AllAsync(bert));
        Assert.Empty(await EventFeed.AllAsync(bert, limit: 1));
        foreach (var e in annas)
        {
            // Anna's cursors, before and at each of her events, show Bert nothing.
            Assert.Empty((await EventFeed.ReadAsync(bert, EventFeed.Id(e) - 1)).Events);
            Assert.Empty((await EventFeed.ReadAsync(bert, EventFeed.Id(e))).Events);
        }
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task InterleavedChangesOfTwoAccountsLandInTheirOwnFeeds(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var anna = await host.NewAccountClientAsync("anna");
        using var bert = await host.NewAccountClientAsync("bert");
        var annasContacts = new List<string>();
        var bertsContacts = new List<string>();

        for (var i = 0; i < 3; i++)
        {
            annasContacts.Add(Subscriber.Id(await Subscriber.AddAsync(anna, new { email = $"a{i}@example.com" })));
            bertsContacts.Add(Subscriber.Id(await Subscriber.AddAsync(bert, new { email = $"b{i}@example.com" })));
        }

        var annasFeed = await EventFeed.AllAsync(anna, limit: 1);
        var bertsFeed = await EventFeed.AllAsync(bert, limit: 1);
        Assert.Equal(annasContacts, annasFeed.Select(EventFeed.ContactId));
        Assert.Equal(bertsContacts, bertsFeed.Select(EventFeed.ContactId));
        Assert.All(annasFeed.Concat(bertsFeed), e => Assert.Equal("contact.created", EventFeed.Type(e)));

        // Bert polling from Anna's latest cursor sees only his events after it, never hers.
        var page = await EventFeed.ReadAsync(bert, EventFeed.Id(annasFeed[0]));
        Assert.Equal(bertsFeed.Select(EventFeed.Id).Where(id => id > EventFeed.Id(annasFeed[0])), page.Events.Select(EventFeed.Id));
    }
}
