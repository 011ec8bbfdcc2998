using System.Net;
using System.Text.Json;
using Tagflow.Tests.Infrastructure;

namespace Tagflow.Tests.OptIns;

/// <summary>GET /list and /list/{id}: every account starts with the predefined double opt-in process.</summary>
public sealed class ListApiTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ANewAccountHasOneOptInProcessWithAnEmptyName(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");

        var lists = await WireAssert.OkAsync(await client.GetAsync("/list"));

        var list = Assert.Single(lists.EnumerateObject());
        Assert.True(long.TryParse(list.Name, out _), $"list id {list.Name}");
        Assert.Equal("", list.Value.GetString());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnOptInProcessAnswersKlickTippsKeys(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var id = await PredefinedListIdAsync(client);

        var list = await WireAssert.OkAsync(await client.GetAsync($"/list/{id}"));

        Assert.Equal(
            ["listid", "name", "pendingurl", "resendconfirmationemail", "thankyouurl", "usechangeemail", "usesingleoptin"],
            list.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(id, list.GetProperty("listid").GetString());
        Assert.Equal("", list.GetProperty("name").GetString());
        Assert.Equal(JsonValueKind.String, list.GetProperty("pendingurl").ValueKind);
        Assert.Equal(JsonValueKind.String, list.GetProperty("thankyouurl").ValueKind);
        Assert.Equal(JsonValueKind.False, list.GetProperty("usesingleoptin").ValueKind);
        Assert.True(list.GetProperty("resendconfirmationemail").ValueKind is JsonValueKind.True or JsonValueKind.False);
        Assert.True(list.GetProperty("usechangeemail").ValueKind is JsonValueKind.True or JsonValueKind.False);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnotherAccountsOptInProcessAnswers404(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var anna = await host.NewAccountClientAsync("anna");
        using var bert = await host.NewAccountClientAsync("bert");
        var annas = await PredefinedListIdAsync(anna);

        Assert.Equal("There is no such entity.", await WireAssert.MessageAsync(await bert.GetAsync($"/list/{annas}"), HttpStatusCode.NotFound));
        Assert.DoesNotContain(annas, (await WireAssert.OkAsync(await bert.GetAsync("/list"))).EnumerateObject().Select(l => l.Name));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnUnknownOptInProcessAnswers404(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");

        await WireAssert.MessageAsync(await client.GetAsync("/list/424242"), HttpStatusCode.NotFound);
        await WireAssert.MessageAsync(await client.GetAsync("/list/nope"), HttpStatusCode.NotFound);
    }

    private static async Task<string> PredefinedListIdAsync(HttpClient client) =>
        Assert.Single((await WireAssert.OkAsync(await client.GetAsync("/list"))).EnumerateObject()).Name;
}
