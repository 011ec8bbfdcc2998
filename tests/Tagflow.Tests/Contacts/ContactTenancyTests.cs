using System.Net;
using System.Net.Http.Json;
using Tagflow.Tests.Infrastructure;
using static Tagflow.Tests.Contacts.ContactCalls;

namespace Tagflow.Tests.Contacts;

/// <summary>Every contact belongs to one account: another account can neither see nor touch it, by id or by address.</summary>
public sealed class ContactTenancyTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnotherAccountCannotReadChangeOrDeleteAContactById(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var anna = await host.NewAccountClientAsync("anna");
        using var bert = await host.NewAccountClientAsync("bert");
        var (id, before) = await AnnasContactAsync(anna);

        Assert.Equal("There is no such entity.", await WireAssert.MessageAsync(await bert.GetAsync($"/subscriber/{id}"), HttpStatusCode.NotFound));
        await WireAssert.RefusedAsync(await bert.PutAsJsonAsync($"/subscriber/{id}",
            new { newemail = "bert@example.com", newsmsnumber = "+4915187654321", fields = new Dictionary<string, string> { ["fieldFirstName"] = "Bert" } }), 401);
        await WireAssert.RefusedAsync(await bert.DeleteAsync($"/subscriber/{id}"), 401);

        await before.AssertUnchangedAsync(anna);
        Assert.Empty(await ListAsync(bert));
        Assert.Empty(await EventsAsync(bert));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnotherAccountCannotFindTagUntagOrUnsubscribeAContactByAddress(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var anna = await host.NewAccountClientAsync("anna");
        using var bert = await host.NewAccountClientAsync("bert");
        var (_, before) = await AnnasContactAsync(anna);
        var berts = await CreateTagAsync(bert, "Kunde");

        Assert.Equal("There is no such entity.",
            await WireAssert.MessageAsync(await bert.PostAsJsonAsync("/subscriber/search", new { email = "anna@example.com" }), HttpStatusCode.NotFound));
        await WireAssert.RefusedAsync(await bert.PostAsJsonAsync("/subscriber/tag", new { email = "anna@example.com", tagids = new[] { berts } }), 7);
        await WireAssert.RefusedAsync(await bert.PostAsJsonAsync("/subscriber/untag", new { email = "anna@example.com", tagid = berts }), 7);
        await WireAssert.RefusedAsync(await bert.PostAsJsonAsync("/subscriber/unsubscribe", new { email = "anna@example.com" }), 7);

        await before.AssertUnchangedAsync(anna);
        Assert.Empty(await EventsAsync(bert));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnotherAccountCannotUseAnAccountsTagsListsOrFields(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var anna = await host.NewAccountClientAsync("anna");
        using var bert = await host.NewAccountClientAsync("bert");
        var annasField = await CreateFieldAsync(anna, "Shoe size", "number");
        var (id, before) = await AnnasContactAsync(anna);
        var annasTag = Map(await GetAsync(anna, id), "manual_tags").Keys.Single();
        var annasList = await PredefinedListIdAsync(anna);
        await AddIdAsync(bert, "bert@example.com");
        var bertBefore = await AccountState.ReadAsync(bert);

        await WireAssert.RefusedAsync(await bert.PostAsJsonAsync("/subscriber", new { email = "bert@example.com", tagid = annasTag }), 403);
        await WireAssert.RefusedAsync(await bert.PostAsJsonAsync("/subscriber", new { email = "bert@example.com", listid = annasList }), 402);
        await WireAssert.RefusedAsync(await bert.PostAsJsonAsync("/subscriber", new { email = "bert@example.com", fields = new Dictionary<string, string> { [annasField] = "42" } }), 8);
        await WireAssert.RefusedAsync(await bert.PostAsJsonAsync("/subscriber/tag", new { email = "bert@example.com", tagids = new[] { annasTag } }), 403);
        await WireAssert.RefusedAsync(await bert.PostAsJsonAsync("/subscriber/untag", new { email = "bert@example.com", tagid = annasTag }), 403);
        await WireAssert.RefusedAsync(await bert.PostAsJsonAsync("/subscriber/tagged", new { tagid = annasTag }), 403);

        await bertBefore.AssertUnchangedAsync(bert);
        Assert.DoesNotContain(annasField, (await GetAsync(bert, Assert.Single(await ListAllAsync(bert)))).EnumerateObject().Select(p => p.Name));
        await before.AssertUnchangedAsync(anna);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnotherAccountAddingTheSameAddressAndNumberGetsAContactOfItsOwn(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var anna = await host.NewAccountClientAsync("anna");
        using var bert = await host.NewAccountClientAsync("bert");
        var (id, before) = await AnnasContactAsync(anna);

        var berts = await AddAsync(bert, new { email = "ANNA@example.com", smsnumber = "+4915112345678", fields = new Dictionary<string, string> { ["fieldFirstName"] = "Bert's" } });

        Assert.NotEqual(id, Text(berts, "id"));
        Assert.Equal("Bert's", Text(berts, "fieldFirstName"));
        Assert.Empty(TagIds(berts));
        Assert.Equal([Text(berts, "id")], await ListAllAsync(bert));
        Assert.Equal(Text(berts, "id"), await SearchAsync(bert, "anna@example.com"));
        await AssertTrueAsync(await bert.PutAsJsonAsync($"/subscriber/{Text(berts, "id")}", new { newsmsnumber = "+4915187654321" }));
        await UnsubscribeAsync(bert, "anna@example.com");
        await AssertTrueAsync(await bert.DeleteAsync($"/subscriber/{Text(berts, "id")}"));

        await before.AssertUnchangedAsync(anna);
        Assert.Equal(id, await SearchAsync(anna, "anna@example.com"));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnotherAccountsListsNeverShowTheContact(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var anna = await host.NewAccountClientAsync("anna");
        using var bert = await host.NewAccountClientAsync("bert");
        var (id, _) = await AnnasContactAsync(anna);
        var berts = await CreateTagAsync(bert, "Kunde");
        var own = Text(await AddAsync(bert, new { email = "bert@example.com", tagid = berts }), "id");

        Assert.Equal([own], await ListAllAsync(bert));
        Assert.Equal([own], await ListAsync(bert, "?status=pending,subscribed,unsubscribed"));
        Assert.Equal([own], await ListAllAsync(bert, "?after=0&limit=100"));
        Assert.Equal([own], (await TaggedAsync(bert, new { tagid = berts, status = AllStatuses })).Select(e => e.Id));
        Assert.Equal([id], await ListAllAsync(anna));
        Assert.All(await EventsAsync(bert), e => Assert.Equal(own, e.ContactId));
    }

    /// <summary>Anna's contact with a tag, fields and an SMS number; answers its id and Anna's whole state.</summary>
    private static async Task<(string Id, AccountState Before)> AnnasContactAsync(HttpClient anna)
    {
        var tag = await CreateTagAsync(anna, "Anna's tag");
        var id = Text(await AddAsync(anna, new
        {
            email = "anna@example.com",
            smsnumber = "+4915112345678",
            tagid = tag,
            fields = new Dictionary<string, string> { ["fieldFirstName"] = "Anna" },
        }), "id");
        return (id, await AccountState.ReadAsync(anna));
    }
}
