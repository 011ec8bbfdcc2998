using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tagflow.Data;
using Tagflow.Tags;
using Tagflow.Tests.Infrastructure;

namespace Tagflow.Tests.Tags;

/// <summary>GET/POST/PUT/DELETE /tag with WIRE.md's shapes.</summary>
public sealed class TagApiTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task CreatingATagAnswersItsIdAsANumberInAListInEveryEncoding(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        (string Name, string Text, HttpContent Body)[] cases =
        [
            ("From JSON", "json text", JsonContent.Create(new { name = "From JSON", text = "json text" })),
            ("From form", "form text", new FormUrlEncodedContent([new("name", "From form"), new("text", "form text")])),
            ("From multipart", "multipart text",
                new MultipartFormDataContent { { new StringContent("From multipart"), "name" }, { new StringContent("multipart text"), "text" } }),
        ];
        foreach (var (name, text, body) in cases)
        {
            using var response = await client.PostAsync("/tag", body);
            body.Dispose();
            var answer = await WireAssert.OkAsync(response);
            var id = Assert.Single(answer.EnumerateArray());
            Assert.Equal(JsonValueKind.Number, id.ValueKind);

            var tag = await WireAssert.OkAsync(await client.GetAsync($"/tag/{id.GetInt64()}"));
            Assert.Equal(name, tag.GetProperty("name").GetString());
            Assert.Equal(text, tag.GetProperty("text").GetString());
        }
        var tags = await WireAssert.OkAsync(await client.GetAsync("/tag"));
        Assert.Equal(["From JSON", "From form", "From multipart"], tags.EnumerateObject().Select(t => t.Value.GetString()));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task GetTagAnswersOneTagWithItsIdAsAString(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var id = await CreateAsync(client, new { name = "Kunde", text = "bought once" });

        var tag = await WireAssert.OkAsync(await client.GetAsync($"/tag/{id}"));

        Assert.Equal(["name", "tagid", "text"], tag.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(id.ToString(CultureInfo.InvariantCulture), tag.GetProperty("tagid").GetString());
        Assert.Equal("Kunde", tag.GetProperty("name").GetString());
        Assert.Equal("bought once", tag.GetProperty("text").GetString());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task TheTagListMapsIdsToNamesOfManualTagsOnly(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var manual = await CreateAsync(client, new { name = "Kunde" });
        var smart = await AddSmartTagAsync(host, "anna", "Opt-in confirmed");

        var tags = await WireAssert.OkAsync(await client.GetAsync("/tag"));

        var entry = Assert.Single(tags.EnumerateObject());
        Assert.Equal(manual.ToString(CultureInfo.InvariantCulture), entry.Name);
        Assert.Equal("Kunde", entry.Value.GetString());
        var smartTag = await WireAssert.OkAsync(await client.GetAsync($"/tag/{smart}"));
        Assert.Equal("Opt-in confirmed", smartTag.GetProperty("name").GetString());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task PutRenamesATagAndChangesItsText(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var id = await CreateAsync(client, new { name = "Kunde", text = "old" });

        await AssertTrueAsync(await client.PutAsJsonAsync($"/tag/{id}", new { name = "Stammkunde", text = "new" }));
        await AssertTrueAsync(await client.PutAsync($"/tag/{id}", new FormUrlEncodedContent([new("text", "newer")])));

        var tag = await WireAssert.OkAsync(await client.GetAsync($"/tag/{id}"));
        Assert.Equal("Stammkunde", tag.GetProperty("name").GetString());
        Assert.Equal("newer", tag.GetProperty("text").GetString());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task DeletingATagRemovesIt(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var id = await CreateAsync(client, new { name = "Kunde" });

        await AssertTrueAsync(await client.DeleteAsync($"/tag/{id}"));

        Assert.Equal("There is no such entity.", await WireAssert.MessageAsync(await client.GetAsync($"/tag/{id}"), HttpStatusCode.NotFound));
        Assert.Empty((await WireAssert.OkAsync(await client.GetAsync("/tag"))).EnumerateObject());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task UnknownIdsAnswer404(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");

        await WireAssert.MessageAsync(await client.GetAsync("/tag/424242"), HttpStatusCode.NotFound);
        await WireAssert.MessageAsync(await client.PutAsJsonAsync("/tag/424242", new { name = "Kunde" }), HttpStatusCode.NotFound);
        await WireAssert.MessageAsync(await client.DeleteAsync("/tag/424242"), HttpStatusCode.NotFound);
    }

    internal static async Task<long> CreateAsync(HttpClient client, object body) =>
        (await WireAssert.OkAsync(await client.PostAsJsonAsync("/tag", body)))[0].GetInt64();

    private static async Task AssertTrueAsync(HttpResponseMessage response) =>
        Assert.True(Assert.Single((await WireAssert.OkAsync(response)).EnumerateArray()).GetBoolean());

    private static Task<long> AddSmartTagAsync(TagflowHost host, string username, string name) => host.WithServicesAsync(async sp =>
    {
        var db = sp.GetRequiredService<TagflowDb>();
        var accountId = await db.Accounts.Where(a => a.Username == username).Select(a => a.Id).SingleAsync();
        var tag = new Tag { AccountId = accountId, Name = name, NormalizedName = Tag.Normalize(name), Kind = TagKind.Smart, CreatedAt = DateTime.UtcNow };
        db.Tags.Add(tag);
        await db.SaveChangesAsync();
        return tag.Id;
    });
}
