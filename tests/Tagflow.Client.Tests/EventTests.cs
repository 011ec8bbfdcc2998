using Tagflow.Client.Tests.Infrastructure;

namespace Tagflow.Client.Tests;

/// <summary>kt.Events against a real Tagflow server.</summary>
public sealed class EventTests
{
    [Fact]
    public async Task TheFeedTellsWhatHappenedToContactsInOrder()
    {
        await using var server = await TagflowServer.StartAsync();
        using var kt = await server.NewClientAsync("anna");
        var tag = await kt.Tags.CreateAsync("Customer", cancellationToken: CancellationToken.None);
        var id = (await kt.Contacts.AddOrUpdateAsync(new ContactAddOrUpdateOptions { Email = "ann@example.com" }, CancellationToken.None)).Id;
        await kt.Contacts.UpdateAsync(id, new ContactUpdateOptions { Fields = new() { { StandardFieldKeys.FirstName, "Ann" } } }, CancellationToken.None);
        await kt.Contacts.TagAsync("ann@example.com", [tag], CancellationToken.None);
        await kt.Contacts.UntagAsync("ann@example.com", tag, CancellationToken.None);
        await kt.Contacts.UnsubscribeAsync("ann@example.com", CancellationToken.None);
        await kt.Contacts.DeleteAsync(id, CancellationToken.None);

        var events = await kt.Events.ListAsync(0, CancellationToken.None).ToListAsync();

        Assert.Equal(
            [ContactEventType.ContactCreated, ContactEventType.ContactUpdated, ContactEventType.TagAdded, ContactEventType.TagRemoved,
             ContactEventType.ContactUnsubscribed, ContactEventType.ContactDeleted],
            events.Select(e => e.Type));
        Assert.All(events, e => Assert.Equal(id, e.ContactId));
        Assert.Equal([StandardFieldKeys.FirstName], events[1].Fields);
        Assert.Equal(tag, events[2].TagId);
        Assert.Null(events[0].TagId);
        Assert.Equal(server.Clock.GetUtcNow(), events[0].Time);
        Assert.Equal(events.Select(e => e.Id).Order(), events.Select(e => e.Id));
    }

    [Fact]
    public async Task PollingFromTheLastIdSeenReturnsOnlyNewEventsAcrossPages()
    {
        await using var server = await TagflowServer.StartAsync();
        using var kt = await server.NewClientAsync("anna", o => o.PageSize = 2);
        for (var i = 0; i < 3; i++)
            await kt.Contacts.AddOrUpdateAsync(new ContactAddOrUpdateOptions { Email = $"c{i}@example.com" }, CancellationToken.None);
        var first = await kt.Events.ListAsync(0, CancellationToken.None).ToListAsync();

        for (var i = 3; i < 6; i++)
            await kt.Contacts.AddOrUpdateAsync(new ContactAddOrUpdateOptions { Email = $"c{i}@example.com" }, CancellationToken.None);
        var next = await kt.Events.ListAsync(first[^1].Id, CancellationToken.None).ToListAsync();

        Assert.Equal(3, first.Count);
        Assert.Equal(3, next.Count);
        Assert.All(next, e => Assert.True(e.Id > first[^1].Id));
        Assert.Empty(await kt.Events.ListAsync(next[^1].Id, CancellationToken.None).ToListAsync());
    }

    [Fact]
    public async Task WithPagingOffForContactListsTheFeedStillAsksForFullPages()
    {
        var handler = new ScriptedHandler().ThenOk("""{"events":[],"cursor":"0"}""");
        using var kt = handler.Client(adjust: o => o.PageSize = 0);

        Assert.Empty(await kt.Events.ListAsync(0, CancellationToken.None).ToListAsync());

        Assert.Equal("/events?after=0&limit=1000", Assert.Single(handler.Requests).PathAndQuery);
    }
}
