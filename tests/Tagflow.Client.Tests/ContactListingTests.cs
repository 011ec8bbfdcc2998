using Tagflow.Client.Tests.Infrastructure;

namespace Tagflow.Client.Tests;

/// <summary>ListAsync and TaggedAsync stream every id once, whether the server pages (Tagflow) or not (KlickTipp).</summary>
public sealed class ContactListingTests
{
    [Fact]
    public async Task EveryContactIsListedOnceAcrossPages()
    {
        await using var server = await TagflowServer.StartAsync();
        using var kt = await server.NewClientAsync("anna", o => o.PageSize = 2);
        var ids = new List<long>();
        for (var i = 0; i < 5; i++)
            ids.Add((await kt.Contacts.AddOrUpdateAsync(new ContactAddOrUpdateOptions { Email = $"c{i}@example.com" }, CancellationToken.None)).Id);

        var listed = await kt.Contacts.ListAsync(ContactFilter.Everyone, CancellationToken.None).ToListAsync();

        Assert.Equal(ids, listed);
    }

    [Fact]
    public async Task ListingWithPagingOffAsksOnce()
    {
        await using var server = await TagflowServer.StartAsync();
        using var kt = await server.NewClientAsync("anna", o => o.PageSize = 0);
        for (var i = 0; i < 3; i++)
            await kt.Contacts.AddOrUpdateAsync(new ContactAddOrUpdateOptions { Email = $"c{i}@example.com" }, CancellationToken.None);

        Assert.Equal(3, await kt.Contacts.ListAsync(ContactFilter.Everyone, CancellationToken.None).CountAsync());
    }

    [Fact]
    public async Task WithoutAFilterTheServersDefaultListsSubscribedContactsOnly()
    {
        await using var server = await TagflowServer.StartAsync();
        using var kt = await server.NewClientAsync("anna", o => o.PageSize = 1);
        var tag = await kt.Tags.CreateAsync("Customer", cancellationToken: CancellationToken.None);
        var single = (await kt.OptInProcesses.CreateAsync(new OptInProcessSettings { Name = "Single", UsesSingleOptIn = true, Text = "Danke!" }, CancellationToken.None)).Id;
        var pending = (await kt.Contacts.AddOrUpdateAsync(new ContactAddOrUpdateOptions { Email = "pending@example.com", TagId = tag }, CancellationToken.None)).Id;
        var subscribed = (await kt.Contacts.AddOrUpdateAsync(new ContactAddOrUpdateOptions { Email = "subscribed@example.com", OptInProcessId = single, TagId = tag }, CancellationToken.None)).Id;

        Assert.Equal([subscribed], await kt.Contacts.ListAsync(cancellationToken: CancellationToken.None).ToListAsync());
        Assert.Equal([subscribed], await kt.Contacts.TaggedAsync(tag, cancellationToken: CancellationToken.None).Select(t => t.ContactId).ToListAsync());
        Assert.Equal([pending, subscribed], await kt.Contacts.ListAsync(ContactFilter.Everyone, CancellationToken.None).ToListAsync());
        Assert.Equal([pending, subscribed], await kt.Contacts.TaggedAsync(tag, ContactFilter.Everyone, CancellationToken.None).Select(t => t.ContactId).ToListAsync());
    }

    [Fact]
    public async Task EveryoneAsksForEveryStatusAndBounceStatus()
    {
        var handler = new ScriptedHandler().ThenOk("[]").ThenOk("{}");
        using var kt = handler.Client(adjust: o => o.PageSize = 0);

        await kt.Contacts.ListAsync(ContactFilter.Everyone, CancellationToken.None).ToListAsync();
        await kt.Contacts.TaggedAsync(17, ContactFilter.Everyone, CancellationToken.None).ToListAsync();

        Assert.Equal("/subscriber?status=pending,subscribed,unsubscribed&bounceStatus=nobounce,softbounce,hardbounce,spambounce", handler.Requests[0].PathAndQuery);
        Assert.Equal("""{"tagid":17,"status":["pending","subscribed","unsubscribed"],"bounceStatus":["nobounce","softbounce","hardbounce","spambounce"]}""",
            handler.Requests[1].Body);
    }

    [Fact]
    public async Task TheListIsFilteredByStatus()
    {
        await using var server = await TagflowServer.StartAsync();
        using var kt = await server.NewClientAsync("anna", o => o.PageSize = 1);
        var kept = (await kt.Contacts.AddOrUpdateAsync(new ContactAddOrUpdateOptions { Email = "kept@example.com" }, CancellationToken.None)).Id;
        var gone = (await kt.Contacts.AddOrUpdateAsync(new ContactAddOrUpdateOptions { Email = "gone@example.com" }, CancellationToken.None)).Id;
        await kt.Contacts.UnsubscribeAsync("gone@example.com", CancellationToken.None);

        var unsubscribed = await kt.Contacts.ListAsync(new ContactFilter { Statuses = [ContactStatus.Unsubscribed] }, CancellationToken.None).ToListAsync();
        var pending = await kt.Contacts.ListAsync(new ContactFilter { Statuses = [ContactStatus.OptInPending, ContactStatus.Subscribed], BounceStatuses = [BounceStatus.NotBounced] }, CancellationToken.None).ToListAsync();

        Assert.Equal([gone], unsubscribed);
        Assert.Equal([kept], pending);
    }

    [Fact]
    public async Task TaggedContactsAreListedWithTheTimeOfTaggingAcrossPages()
    {
        await using var server = await TagflowServer.StartAsync();
        using var kt = await server.NewClientAsync("anna", o => o.PageSize = 2);
        var tag = await kt.Tags.CreateAsync("Customer", cancellationToken: CancellationToken.None);
        var tagged = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            var id = (await kt.Contacts.AddOrUpdateAsync(new ContactAddOrUpdateOptions { Email = $"c{i}@example.com" }, CancellationToken.None)).Id;
            if (i != 2)
            {
                await kt.Contacts.TagAsync($"c{i}@example.com", [tag], CancellationToken.None);
                tagged.Add(id);
            }
        }

        var listed = await kt.Contacts.TaggedAsync(tag, ContactFilter.Everyone, CancellationToken.None).ToListAsync();

        Assert.Equal(tagged, listed.Select(t => t.ContactId));
        Assert.All(listed, t => Assert.Equal(server.Clock.GetUtcNow(), t.TaggedAt));
    }

    [Fact]
    public async Task TaggedContactsOfAnUnknownTagAreRefusedWith403()
    {
        await using var server = await TagflowServer.StartAsync();
        using var kt = await server.NewClientAsync("anna");

        var e = await Assert.ThrowsAsync<KlickTippException>(async () => await kt.Contacts.TaggedAsync(999_999, cancellationToken: CancellationToken.None).ToListAsync());

        Assert.Equal(403, e.ErrorCode);
    }

    [Fact]
    public async Task AServerThatIgnoresPagingIsReadOnceWithoutDuplicates()
    {
        // KlickTipp has no paging: it answers every id whatever limit and after say.
        const string everything = """["5","3","9"]""";
        var handler = new ScriptedHandler().ThenOk(everything).ThenOk(everything);
        using var kt = handler.Client(adjust: o => o.PageSize = 3);

        var listed = await kt.Contacts.ListAsync(cancellationToken: CancellationToken.None).ToListAsync();

        Assert.Equal([5L, 3L, 9L], listed);
        Assert.Equal(["/subscriber?limit=3", "/subscriber?limit=3&after=9"], handler.Requests.Select(r => r.PathAndQuery));
    }

    [Fact]
    public async Task AServerThatAnswersMoreThanAPageIsNotAskedAgain()
    {
        var handler = new ScriptedHandler().ThenOk("""{"3":"1760530436","4":"1760530437","8":"1760530438"}""");
        using var kt = handler.Client(adjust: o => o.PageSize = 2);

        var listed = await kt.Contacts.TaggedAsync(17, cancellationToken: CancellationToken.None).ToListAsync();

        Assert.Equal([3L, 4L, 8L], listed.Select(t => t.ContactId));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1760530436), listed[0].TaggedAt);
        var sent = Assert.Single(handler.Requests);
        Assert.Equal("""{"tagid":17,"limit":2}""", sent.Body);
    }
}
