using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Tagflow.Tests.Infrastructure;

namespace Tagflow.Tests.Wire;

/// <summary>WIRE.md, "Transport": the .json suffix, stray headers and the content type of every answer.</summary>
public sealed class WireTransportTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task EveryPathAlsoAnswersWithAJsonSuffix(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");

        var id = (await WireAssert.OkAsync(await client.PostAsJsonAsync("/tag.json", new { name = "Kunde" })))[0].GetInt64();
        var key = id.ToString(CultureInfo.InvariantCulture);

        var tags = await WireAssert.OkAsync(await client.GetAsync("/tag.json"));
        Assert.Equal("Kunde", tags.GetProperty(key).GetString());
        var tag = await WireAssert.OkAsync(await client.GetAsync($"/tag/{id}.json"));
        Assert.Equal(key, tag.GetProperty("tagid").GetString());
        Assert.True((await WireAssert.OkAsync(await client.PutAsJsonAsync($"/tag/{id}.json", new { name = "Stammkunde" })))[0].GetBoolean());
        Assert.True((await WireAssert.OkAsync(await client.DeleteAsync($"/tag/{id}.json")))[0].GetBoolean());
        await WireAssert.MessageAsync(await client.GetAsync($"/tag/{id}.json"), HttpStatusCode.NotFound);

        await host.AddAccountAsync("bert");
        var login = await WireAssert.OkAsync(await host.Client.PostAsJsonAsync("/account/login.json", new { username = "bert", password = TagflowHost.Password }));
        Assert.False(string.IsNullOrEmpty(login.GetProperty("sessid").GetString()));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task StrayHeadersAreIgnored(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        using var create = WithStrayHeaders(HttpMethod.Post, "/tag", new FormUrlEncodedContent([new("name", "Kunde")]));
        var id = (await WireAssert.OkAsync(await client.SendAsync(create)))[0].GetInt64();

        foreach (var path in new[] { "/tag", $"/tag/{id}" })
        {
            // Content-Type: application/json on a GET without a body, as some clients send it.
            using var request = WithStrayHeaders(HttpMethod.Get, path, new StringContent("", Encoding.UTF8, "application/json"));
            Assert.Contains("Kunde", (await WireAssert.OkAsync(await client.SendAsync(request))).ToString(), StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task EveryAnswerIsJsonInUtf8(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        using var created = await client.PostAsJsonAsync("/tag", new { name = "Kunde" });
        using var duplicate = await client.PostAsJsonAsync("/tag", new { name = "Kunde" });
        using var list = await client.GetAsync("/tag");
        using var bad = await client.PostAsync("/tag", new StringContent("{", Encoding.UTF8, "application/json"));
        using var missing = await client.GetAsync("/tag/999999");
        using var anonymous = await host.Client.GetAsync("/tag");

        foreach (var response in new[] { created, duplicate, list, bad, missing, anonymous })
        {
            var type = response.Content.Headers.ContentType;
            Assert.True(type is { MediaType: "application/json", CharSet: "utf-8" }, $"{(int)response.StatusCode} answered Content-Type {type}");
        }
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task UnreadableBodiesAreRefusedWith400NamingTheProblem(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");

        Assert.Contains("JSON", await PostJsonAsync(client, """{"name":"Kunde" """), StringComparison.Ordinal);
        Assert.Contains("object", await PostJsonAsync(client, """["Kunde"]"""), StringComparison.Ordinal);
        Assert.Contains("\"name\"", await PostJsonAsync(client, """{"name":{"a":1}}"""), StringComparison.Ordinal);
        Assert.Empty((await WireAssert.OkAsync(await client.GetAsync("/tag"))).EnumerateObject());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnUnsupportedContentTypeIsRefusedWith400NamingIt(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        using var xml = new StringContent("<tag><name>Kunde</name></tag>", Encoding.UTF8, "text/xml");

        var message = await WireAssert.MessageAsync(await client.PostAsync("/tag", xml), HttpStatusCode.BadRequest);

        Assert.Contains("text/xml", message, StringComparison.Ordinal);
        Assert.Empty((await WireAssert.OkAsync(await client.GetAsync("/tag"))).EnumerateObject());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task UnknownRoutesAnswer404AndWrongMethods405AsListsOfOneString(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");

        await WireAssert.MessageAsync(await client.GetAsync("/no-such-thing"), HttpStatusCode.NotFound);
        await WireAssert.MessageAsync(await client.GetAsync("/no-such-thing.json"), HttpStatusCode.NotFound);
        await WireAssert.MessageAsync(await client.DeleteAsync("/tag.json"), HttpStatusCode.MethodNotAllowed);
        using var patch = new HttpRequestMessage(HttpMethod.Patch, "/tag") { Content = JsonContent.Create(new { name = "Kunde" }) };
        var message = await WireAssert.MessageAsync(await client.SendAsync(patch), HttpStatusCode.MethodNotAllowed);
        Assert.Contains("PATCH", message, StringComparison.Ordinal);
    }

    private static async Task<string> PostJsonAsync(HttpClient client, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        return await WireAssert.MessageAsync(await client.PostAsync("/tag", content), HttpStatusCode.BadRequest);
    }

    private static HttpRequestMessage WithStrayHeaders(HttpMethod method, string path, HttpContent content)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.TryAddWithoutValidation("Client-Identifier", "n8n-nodes-klicktipp");
        request.Headers.TryAddWithoutValidation("Connector-Version", "3.1.0");
        return request;
    }
}
