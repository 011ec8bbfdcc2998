using System.Net.Http.Json;
using Tagflow.Tests.Infrastructure;
using static Tagflow.Tests.Contacts.ContactCalls;

namespace Tagflow.Tests.Contacts;

/// <summary>POST /subscriber/tag and /subscriber/untag: manual tags only, first tagging time kept, all or nothing.</summary>
public sealed class TaggingTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task TaggingAddsEveryGivenTagWithTheTimeOfTagging(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var a = await CreateTagAsync(client, "A");
        var b = await CreateTagAsync(client, "B");
        var c = await CreateTagAsync(client, "C");
        var id = await AddIdAsync(client, " Anna@Example.com");

        await TagAsync(client, "anna@example.com", a);
        var first = UnixNow(host);
        host.Clock.Advance(TimeSpan.FromMinutes(3));
        await TagAsync(client, " ANNA@example.com ", b, c);

        var contact = await GetAsync(client, id);
        Assert.Equal(new Dictionary<string, string> { [Id(a)] = first, [Id(b)] = UnixNow(host), [Id(c)] = UnixNow(host) }, Map(contact, "manual_tags"));
        Assert.Equal(new[] { Id(a), Id(b), Id(c) }.Order(StringComparer.Ordinal), TagIds(contact).Order(StringComparer.Ordinal));
        Assert.Empty(Map(contact, "smart_tags"));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task TaggingTwiceKeepsTheFirstTaggingTimeAndWritesOneEvent(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var a = await CreateTagAsync(client, "A");
        var b = await CreateTagAsync(client, "B");
        var id = await AddIdAsync(client, "anna@example.com");
        await TagAsync(client, "anna@example.com", a);
        var first = UnixNow(host);

        host.Clock.Advance(TimeSpan.FromDays(2));
        await TagAsync(client, "anna@example.com", a);
        await TagAsync(client, "anna@example.com", a, b, a);

        Assert.Equal(new Dictionary<string, string> { [Id(a)] = first, [Id(b)] = UnixNow(host) }, Map(await GetAsync(client, id), "manual_tags"));
        Assert.Equal([first], (await TaggedAsync(client, new { tagid = a, status = AllStatuses })).Select(e => e.Time));
        Assert.Equal(
            [new ContactEventView("contact.created", id), new ContactEventView("tag.added", id, Id(a)), new ContactEventView("tag.added", id, Id(b))],
            await EventsAsync(client));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task TaggingAnUnknownAddressIsRefusedWithError7(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var tag = await CreateTagAsync(client, "Kunde");
        await AddIdAsync(client, "anna@example.com");
        var before = await AccountState.ReadAsync(client);

        foreach (var email in new[] { "bert@example.com", "anna@example.org", "not an address" })
        {
            await WireAssert.RefusedAsync(await client.PostAsJsonAsync("/subscriber/tag", new { email, tagids = new[] { tag } }), 7);
            await WireAssert.RefusedAsync(await client.PostAsJsonAsync("/subscriber/untag", new { email, tagid = tag }), 7);
        }

        await before.AssertUnchangedAsync(client);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnUnknownOrForeignTagAmongSeveralIsRefusedWith403AndNoneIsAdded(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var anna = await host.NewAccountClientAsync("anna");
        using var bert = await host.NewAccountClientAsync("bert");
        var a = await CreateTagAsync(anna, "A");
        var b = await CreateTagAsync(anna, "B");
        var berts = await CreateTagAsync(bert, "Kunde");
        await AddIdAsync(anna, "anna@example.com");
        await TagAsync(anna, "anna@example.com", a);
        var before = await AccountState.ReadAsync(anna);

        foreach (var bad in new[] { 424242, berts })
        {
            await WireAssert.RefusedAsync(await anna.PostAsJsonAsync("/subscriber/tag", new { email = "anna@example.com", tagids = new[] { b, bad } }), 403);
            await WireAssert.RefusedAsync(await anna.PostAsJsonAsync("/subscriber/tag", new { email = "anna@example.com", tagids = new[] { bad, b } }), 403);
            await WireAssert.RefusedAsync(await anna.PostAsJsonAsync("/subscriber/untag", new { email = "anna@example.com", tagid = bad }), 403);
        }

        await before.AssertUnchangedAsync(anna);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task TaggingOrUntaggingASmartTagIsRefusedWithError31(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var manual = await CreateTagAsync(client, "Kunde");
        var smart = await DatabaseSetup.AddSmartTagAsync(host, "anna", "Opt-in confirmed");
        var other = await DatabaseSetup.AddSmartTagAsync(host, "anna", "Clicked");
        var id = await AddIdAsync(client, "anna@example.com");
        await DatabaseSetup.AssignSmartTagAsync(host, id, smart);
        var before = await AccountState.ReadAsync(client);

        await WireAssert.RefusedAsync(await client.PostAsJsonAsync("/subscriber/tag", new { email = "anna@example.com", tagids = new[] { other } }), 31);
        await WireAssert.RefusedAsync(await client.PostAsJsonAsync("/subscriber/tag", new { email = "anna@example.com", tagids = new[] { manual, other } }), 31);
        await WireAssert.RefusedAsync(await client.PostAsJsonAsync("/subscriber/untag", new { email = "anna@example.com", tagid = smart }), 31);

        await before.AssertUnchangedAsync(client);
        Assert.Equal([Id(smart)], Map(await GetAsync(client, id), "smart_tags").Keys);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task UntaggingRemovesOnlyThatTag(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var a = await CreateTagAsync(client, "A");
        var b = await CreateTagAsync(client, "B");
        var id = await AddIdAsync(client, "anna@example.com");
        await TagAsync(client, "anna@example.com", a, b);
        var taggedAt = UnixNow(host);

        await UntagAsync(client, " ANNA@example.com", a);

        var contact = await GetAsync(client, id);
        Assert.Equal(new Dictionary<string, string> { [Id(b)] = taggedAt }, Map(contact, "manual_tags"));
        Assert.Equal([Id(b)], TagIds(contact));
        Assert.Empty(await TaggedAsync(client, new { tagid = a }));
        Assert.Equal(new ContactEventView("tag.removed", id, Id(a)), (await EventsAsync(client))[^1]);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task UntaggingATagTheContactDoesNotHaveAnswersTrueAndWritesNoEvent(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var a = await CreateTagAsync(client, "A");
        var b = await CreateTagAsync(client, "B");
        await AddIdAsync(client, "anna@example.com");
        await TagAsync(client, "anna@example.com", a);
        var before = await AccountState.ReadAsync(client);

        await UntagAsync(client, "anna@example.com", b);

        await before.AssertUnchangedAsync(client);
    }
}
