using System.Net;
using System.Net.Http.Json;
using System.Text;
using Tagflow.Tests.Contacts;
using Tagflow.Tests.Infrastructure;
using static Tagflow.Tests.Contacts.ContactCalls;

namespace Tagflow.Tests.Wire;

/// <summary>Long lists, values of the wrong shape and huge values: a clear 400 (or 406) that changes nothing, never a 500.</summary>
public sealed class InputLimitTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AListOfMoreThanAThousandValuesIsRefusedWith400NamingTheKeyAndTheLimit(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var single = await DatabaseSetup.AddSingleOptInProcessAsync(host, "anna");
        var tag = await CreateTagAsync(client, "Kunde");
        var contact = Text(await AddAsync(client, new { email = "ann@example.com", listid = single }), "id");
        var before = (await GetAsync(client, contact)).GetRawText();

        var refusals = new (HttpMethod Method, string Path, object Body, string Key)[]
        {
            (HttpMethod.Post, "/subscriber/tag", new { email = "ann@example.com", tagids = Enumerable.Range(1, 32_601).ToArray() }, "tagids"),
            (HttpMethod.Post, "/subscriber/tag", new { email = "ann@example.com", tagids = Enumerable.Repeat(tag, 40_000).ToArray() }, "tagids"),
            (HttpMethod.Get, "/subscriber", new { status = Enumerable.Repeat("subscribed", 40_000).ToArray() }, "status"),
            (HttpMethod.Post, "/subscriber/tagged", new { tagid = tag, bounceStatus = Enumerable.Repeat("nobounce", 40_000).ToArray() }, "bounceStatus"),
        };
        foreach (var (method, path, body, key) in refusals)
        {
            using var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) };
            var message = await WireAssert.MessageAsync(await client.SendAsync(request), HttpStatusCode.BadRequest);
            Assert.Equal($"The key \"{key}\" may hold at most 1000 values.", message);
        }

        Assert.Equal(before, (await GetAsync(client, contact)).GetRawText());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AValueGivenOverAndOverCountsOnce(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var single = await DatabaseSetup.AddSingleOptInProcessAsync(host, "anna");
        var tag = await CreateTagAsync(client, "Kunde");
        var contact = Text(await AddAsync(client, new { email = "ann@example.com", listid = single }), "id");

        await AssertTrueAsync(await client.PostAsJsonAsync("/subscriber/tag", new { email = "ann@example.com", tagids = Enumerable.Repeat(tag, 1_000).ToArray() }));
        using var comma = new HttpRequestMessage(HttpMethod.Get, "/subscriber") { Content = JsonContent.Create(new { status = string.Join(",", Enumerable.Repeat("subscribed", 40_000)) }) };
        var listed = await WireAssert.OkAsync(await client.SendAsync(comma));

        Assert.Equal([contact], listed.EnumerateArray().Select(e => e.GetString()));
        Assert.Equal([tag.ToString(System.Globalization.CultureInfo.InvariantCulture)], Map(await GetAsync(client, contact), "manual_tags").Keys);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AValueOfTheWrongShapeInsideAListOrMapIsNamedWithWhatItMustBe(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");

        Assert.Equal("The key \"fields[fieldFirstName]\" must be a string.", await RefusedAsync(client, """{"email":"a@example.com","fields":{"fieldFirstName":{"a":1}}}"""));
        Assert.Equal("The key \"tagids\" must be a list of whole numbers.", await RefusedAsync(client, """{"email":"a@example.com","tagids":[1,2,"x"]}""", "/subscriber/tag"));
        Assert.Equal("The key \"fields\" must be an object of keys and values.", await RefusedAsync(client, """{"email":"a@example.com","fields":7}"""));
        Assert.Empty(await ListAllAsync(client));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnErrorRepeatsAtMostAHundredCharactersOfWhatWasSent(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var huge = new string('x', 900_000);
        var longKey = "field" + new string('9', 5_000);

        var value = await WireAssert.RefusedAsync(await client.PostAsJsonAsync("/subscriber",
            new { email = "a@example.com", fields = new Dictionary<string, string> { ["fieldBirthday"] = huge } }), 8);
        var key = await WireAssert.RefusedAsync(await client.PostAsJsonAsync("/subscriber",
            new { email = "a@example.com", fields = new Dictionary<string, string> { [longKey] = huge } }), 8);
        using var typed = new ByteArrayContent(Encoding.UTF8.GetBytes("x"));
        typed.Headers.TryAddWithoutValidation("Content-Type", "text/" + new string('p', 5_000));
        var type = await WireAssert.MessageAsync(await client.PostAsync("/tag", typed), HttpStatusCode.BadRequest);

        Assert.Equal(new string('x', 100) + "…", value.GetProperty("field_value").GetString());
        Assert.Equal(longKey[..100] + "…", key.GetProperty("name").GetString());
        Assert.Equal(longKey[..100] + "…", key.GetProperty("field").GetString());
        Assert.True(type.Length < 300, type);
        Assert.Empty(await ListAllAsync(client));
    }

    private static async Task<string> RefusedAsync(HttpClient client, string json, string path = "/subscriber") =>
        await WireAssert.MessageAsync(await client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest);
}
