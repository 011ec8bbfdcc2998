using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Tagflow.Tests.Infrastructure;

namespace Tagflow.Tests.Tags;

/// <summary>Every tag belongs to one account: another account can neither see nor touch it.</summary>
public sealed class TagTenancyTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnotherAccountCannotReadChangeOrDeleteATagById(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var anna = await host.NewAccountClientAsync("anna");
        using var bert = await host.NewAccountClientAsync("bert");
        var id = await TagApiTests.CreateAsync(anna, new { name = "Kunde", text = "Anna's" });

        await WireAssert.MessageAsync(await bert.GetAsync($"/tag/{id}"), HttpStatusCode.NotFound);
        await WireAssert.MessageAsync(await bert.PutAsJsonAsync($"/tag/{id}", new { name = "Taken", text = "Bert's" }), HttpStatusCode.NotFound);
        await WireAssert.MessageAsync(await bert.DeleteAsync($"/tag/{id}"), HttpStatusCode.NotFound);

        var tag = await WireAssert.OkAsync(await anna.GetAsync($"/tag/{id}"));
        Assert.Equal("Kunde", tag.GetProperty("name").GetString());
        Assert.Equal("Anna's", tag.GetProperty("text").GetString());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnotherAccountSeesNoneOfTheTagsInItsList(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var anna = await host.NewAccountClientAsync("anna");
        using var bert = await host.NewAccountClientAsync("bert");
        await TagApiTests.CreateAsync(anna, new { name = "Kunde" });
        await TagApiTests.CreateAsync(anna, new { name = "Interessent" });

        Assert.Empty((await WireAssert.OkAsync(await bert.GetAsync("/tag"))).EnumerateObject());
        Assert.Equal(2, (await WireAssert.OkAsync(await anna.GetAsync("/tag"))).EnumerateObject().Count());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task TwoAccountsMayEachHaveATagOfTheSameName(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var anna = await host.NewAccountClientAsync("anna");
        using var bert = await host.NewAccountClientAsync("bert");

        var annas = await TagApiTests.CreateAsync(anna, new { name = "Kunde" });
        var berts = await TagApiTests.CreateAsync(bert, new { name = "Kunde" });

        Assert.NotEqual(annas, berts);
        Assert.Equal("Kunde", (await WireAssert.OkAsync(await anna.GetAsync("/tag"))).GetProperty(annas.ToString(CultureInfo.InvariantCulture)).GetString());
        Assert.Equal("Kunde", (await WireAssert.OkAsync(await bert.GetAsync("/tag"))).GetProperty(berts.ToString(CultureInfo.InvariantCulture)).GetString());
    }
}
