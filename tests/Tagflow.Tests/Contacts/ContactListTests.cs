using System.Globalization;
using System.Net;
using Tagflow.Contacts;
using Tagflow.Tests.Infrastructure;
using static Tagflow.Tests.Contacts.ContactCalls;

namespace Tagflow.Tests.Contacts;

/// <summary>GET /subscriber: id strings in id order, status and bounce filters, Tagflow's limit/after paging.</summary>
public sealed class ContactListTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task TheListIsAnArrayOfIdStringsInIdOrder(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        Assert.Empty(await ListAsync(client));
        var ids = new List<string>();
        foreach (var name in new[] { "zoe", "anna", "mia", "bert" })
            ids.Add(await AddIdAsync(client, $"{name}@example.com"));

        Assert.Equal(ids.OrderBy(id => long.Parse(id, CultureInfo.InvariantCulture)), await ListAllAsync(client));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task WithoutFiltersTheListsAnswerSubscribedContactsThatDidNotHardBounceAsKlickTippDoes(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var single = await DatabaseSetup.AddSingleOptInProcessAsync(host, "anna");
        var tag = await CreateTagAsync(client, "Kunde");
        var pending = Text(await AddAsync(client, new { email = "pending@example.com", tagid = tag }), "id");
        var subscribed = Text(await AddAsync(client, new { email = "subscribed@example.com", listid = single, tagid = tag }), "id");
        var soft = Text(await AddAsync(client, new { email = "soft@example.com", listid = single, tagid = tag }), "id");
        var hard = Text(await AddAsync(client, new { email = "hard@example.com", listid = single, tagid = tag }), "id");
        var spam = Text(await AddAsync(client, new { email = "spam@example.com", listid = single, tagid = tag }), "id");
        var unsubscribed = Text(await AddAsync(client, new { email = "unsubscribed@example.com", listid = single, tagid = tag }), "id");
        await UnsubscribeAsync(client, "unsubscribed@example.com");
        await DatabaseSetup.SetBounceAsync(host, soft, BounceStatus.Soft);
        await DatabaseSetup.SetBounceAsync(host, hard, BounceStatus.Hard);
        await DatabaseSetup.SetBounceAsync(host, spam, BounceStatus.Spam);

        Assert.Equal([subscribed, soft, spam], await ListAsync(client));
        Assert.Equal([subscribed, soft, spam], (await TaggedAsync(client, new { tagid = tag })).Select(e => e.Id));
        // A status given replaces its default, and the bounce default still applies; and the other way round.
        Assert.Equal([pending, subscribed, soft, spam], await ListAsync(client, "?status=subscribed,pending"));
        Assert.Equal([pending, subscribed, soft, spam], (await TaggedAsync(client, new { tagid = tag, status = "subscribed,pending" })).Select(e => e.Id));
        Assert.Equal([hard], await ListAsync(client, "?bounceStatus=hardbounce"));
        Assert.Equal([subscribed, hard], (await TaggedAsync(client, new { tagid = tag, bounceStatus = new[] { "nobounce", "hardbounce" } })).Select(e => e.Id));
        Assert.Equal([pending, subscribed, soft, hard, spam, unsubscribed],
            await ListAsync(client, "?status=pending,subscribed,unsubscribed&bounceStatus=nobounce,softbounce,hardbounce,spambounce"));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task TheStatusFilterTakesCommaListsAndRepeatedKeys(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var single = await DatabaseSetup.AddSingleOptInProcessAsync(host, "anna");
        var pending = await AddIdAsync(client, "pending@example.com");
        var subscribed = Text(await AddAsync(client, new { email = "subscribed@example.com", listid = single }), "id");
        var unsubscribed = await AddIdAsync(client, "unsubscribed@example.com");
        await UnsubscribeAsync(client, "unsubscribed@example.com");

        Assert.Equal([subscribed], await ListAsync(client, "?status=subscribed"));
        Assert.Equal([pending], await ListAsync(client, "?status=pending"));
        Assert.Equal([unsubscribed], await ListAsync(client, "?status=unsubscribed"));
        Assert.Equal([pending, subscribed], await ListAsync(client, "?status=subscribed,pending"));
        Assert.Equal([pending, subscribed], await ListAsync(client, "?status[]=subscribed&status[]=pending"));
        Assert.Equal([pending, unsubscribed], await ListAsync(client, "?status[0]=unsubscribed&status[1]=pending"));
        Assert.Equal([pending, subscribed, unsubscribed], await ListAsync(client, "?status=pending,subscribed,unsubscribed"));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task TheBounceFilterSelectsByBounceStatus(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var clean = await AddIdAsync(client, "clean@example.com");
        var hard = await AddIdAsync(client, "hard@example.com");
        var soft = await AddIdAsync(client, "soft@example.com");
        await DatabaseSetup.SetBounceAsync(host, hard, BounceStatus.Hard);
        await DatabaseSetup.SetBounceAsync(host, soft, BounceStatus.Soft);

        Assert.Equal("Hard Bounce", Text(await GetAsync(client, hard), "bounce"));
        Assert.Equal([hard], await ListAllAsync(client, "?bounceStatus=hardbounce"));
        Assert.Equal([clean], await ListAllAsync(client, "?bounceStatus=nobounce"));
        Assert.Equal([hard, soft], await ListAllAsync(client, "?bounceStatus=softbounce,hardbounce"));
        Assert.Equal([hard], await ListAsync(client, "?bounceStatus[]=hardbounce&status=pending"));
        Assert.Empty(await ListAllAsync(client, "?bounceStatus=spambounce"));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AFilterWithoutMatchesAnswersAnEmptyArray(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        await AddIdAsync(client, "anna@example.com");

        Assert.Empty(await ListAsync(client, "?status=subscribed"));
        Assert.Empty(await ListAsync(client, "?status=unsubscribed,subscribed"));
        Assert.Equal("[]", await client.GetStringAsync("/subscriber?status=subscribed"));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ANullInAFilterListCountsAsNoValue(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var single = await DatabaseSetup.AddSingleOptInProcessAsync(host, "anna");
        var subscribed = Text(await AddAsync(client, new { email = "subscribed@example.com", listid = single }), "id");
        await AddIdAsync(client, "pending@example.com");

        // Found by the fuzz test: [null] answered 500.
        using var request = new HttpRequestMessage(HttpMethod.Get, "/subscriber") { Content = System.Net.Http.Json.JsonContent.Create(new { status = new string?[] { null }, bounceStatus = new string?[] { null, "nobounce" } }) };
        var listed = await WireAssert.OkAsync(await client.SendAsync(request));

        Assert.Equal([subscribed], listed.EnumerateArray().Select(e => e.GetString()));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnUnknownFilterValueIsRefusedWith400(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        await AddIdAsync(client, "anna@example.com");

        foreach (var query in new[] { "?status=gone", "?status=subscribed,gone", "?status[]=gone", "?bounceStatus=bounced", "?limit=0", "?limit=-1", "?after=-1" })
            await WireAssert.MessageAsync(await client.GetAsync("/subscriber" + query), HttpStatusCode.BadRequest);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task PagingWithLimitAndAfterWalksEveryContactExactlyOnce(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var ids = new List<string>();
        for (var i = 0; i < 7; i++)
            ids.Add(await AddIdAsync(client, $"contact{i}@example.com"));
        await UnsubscribeAsync(client, "contact3@example.com");

        Assert.Equal(ids.Take(3), await ListAllAsync(client, "?limit=3"));
        Assert.Equal(ids.Skip(2).Take(2), await ListAllAsync(client, $"?after={ids[1]}&limit=2"));
        Assert.Equal(ids.Skip(5), await ListAllAsync(client, $"?after={ids[4]}"));
        Assert.Empty(await ListAllAsync(client, $"?after={ids[^1]}&limit=3"));

        Assert.Equal(ids, await WalkAsync(client, 3, "&status=" + AllStatuses));
        Assert.Equal(ids, await WalkAsync(client, 1, "&status=" + AllStatuses));
        Assert.Equal(ids.Where((_, i) => i != 3), await WalkAsync(client, 2, "&status=pending"));
    }

    /// <summary>Reads every page of <paramref name="size"/> ids, each after the last id of the one before.</summary>
    private static async Task<List<string>> WalkAsync(HttpClient client, int size, string filter)
    {
        var all = new List<string>();
        var after = "0";
        while (true)
        {
            var page = await ListAsync(client, $"?limit={size}&after={after}{filter}");
            Assert.True(page.Length <= size);
            if (page.Length == 0) return all;
            all.AddRange(page);
            after = page[^1];
        }
    }
}
