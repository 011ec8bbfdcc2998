using System.Net;
using System.Net.Http.Json;
using Tagflow.Tests.Infrastructure;

namespace Tagflow.Tests.Tags;

/// <summary>A tag needs a name of at most 250 characters, unique in its account regardless of case and spaces.</summary>
public sealed class TagNameRulesTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AMissingOrBlankNameIsRefusedWith400NamingTheKey(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");

        foreach (var body in new object[] { new { text = "no name" }, new { name = "" }, new { name = "   " } })
            Assert.Contains("\"name\"", await WireAssert.MessageAsync(await client.PostAsJsonAsync("/tag", body), HttpStatusCode.BadRequest), StringComparison.Ordinal);
        using var form = new FormUrlEncodedContent([new("text", "no name")]);
        Assert.Contains("\"name\"", await WireAssert.MessageAsync(await client.PostAsync("/tag", form), HttpStatusCode.BadRequest), StringComparison.Ordinal);

        var id = await TagApiTests.CreateAsync(client, new { name = "Kunde" });
        Assert.Contains("\"name\"", await WireAssert.MessageAsync(await client.PutAsJsonAsync($"/tag/{id}", new { name = " " }), HttpStatusCode.BadRequest), StringComparison.Ordinal);
        Assert.Equal("Kunde", (await WireAssert.OkAsync(await client.GetAsync($"/tag/{id}"))).GetProperty("name").GetString());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ANameOfAtMost250CharactersIsAccepted(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var longest = new string('x', 250);

        var id = await TagApiTests.CreateAsync(client, new { name = longest });
        await WireAssert.MessageAsync(await client.PostAsJsonAsync("/tag", new { name = new string('y', 251) }), HttpStatusCode.BadRequest);
        await WireAssert.MessageAsync(await client.PutAsJsonAsync($"/tag/{id}", new { name = new string('z', 251) }), HttpStatusCode.BadRequest);

        var tags = await WireAssert.OkAsync(await client.GetAsync("/tag"));
        Assert.Equal(longest, Assert.Single(tags.EnumerateObject()).Value.GetString());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ADuplicateNameIsRefusedWith601AndCreatesNoSecondTag(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        await TagApiTests.CreateAsync(client, new { name = "Kunde" });

        foreach (var name in new[] { "Kunde", "KUNDE", "kunde", "  Kunde  " })
        {
            var refusal = await WireAssert.RefusedAsync(await client.PostAsJsonAsync("/tag", new { name }), 601);
            Assert.Equal(["error"], refusal.EnumerateObject().Select(p => p.Name));
        }

        var tags = await WireAssert.OkAsync(await client.GetAsync("/tag"));
        Assert.Equal("Kunde", Assert.Single(tags.EnumerateObject()).Value.GetString());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task RenamingOntoAnotherTagsNameIsRefusedWith601(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        await TagApiTests.CreateAsync(client, new { name = "Kunde" });
        var id = await TagApiTests.CreateAsync(client, new { name = "Interessent", text = "kept" });

        await WireAssert.RefusedAsync(await client.PutAsJsonAsync($"/tag/{id}", new { name = " kunde ", text = "changed" }), 601);

        var tag = await WireAssert.OkAsync(await client.GetAsync($"/tag/{id}"));
        Assert.Equal("Interessent", tag.GetProperty("name").GetString());
        Assert.Equal("kept", tag.GetProperty("text").GetString());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ATagMayBeRenamedToItsOwnNameInAnotherCase(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var id = await TagApiTests.CreateAsync(client, new { name = "kunde" });

        Assert.True((await WireAssert.OkAsync(await client.PutAsJsonAsync($"/tag/{id}", new { name = "Kunde" })))[0].GetBoolean());
        Assert.Equal("Kunde", (await WireAssert.OkAsync(await client.GetAsync($"/tag/{id}"))).GetProperty("name").GetString());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ConcurrentCreatesOfOneNameMakeExactlyOneTag(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => client.PostAsJsonAsync("/tag", new { name = i % 2 == 0 ? "Kunde" : "KUNDE" })));

        try
        {
            var statuses = responses.Select(r => r.StatusCode).ToList();
            Assert.Equal(1, statuses.Count(s => s == HttpStatusCode.OK));
            foreach (var refused in responses.Where(r => r.StatusCode != HttpStatusCode.OK))
                await WireAssert.RefusedAsync(refused, 601);
        }
        finally
        {
            foreach (var response in responses) response.Dispose();
        }
        Assert.Single((await WireAssert.OkAsync(await client.GetAsync("/tag"))).EnumerateObject());
    }
}
