using System.Net.Http.Json;
using System.Text;
using Tagflow.Tests.Infrastructure;
using static Tagflow.Tests.Contacts.ContactCalls;

namespace Tagflow.Tests.Contacts;

/// <summary>The contact calls read JSON, PHP-style form and multipart bodies alike, numbers as strings, and paths with .json.</summary>
public sealed class BodyEncodingTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AddOrUpdateReadsEveryEncodingAlike(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var tag = Id(await CreateTagAsync(client, "Kunde"));
        var list = Id(await DatabaseSetup.AddSingleOptInProcessAsync(host, "anna"));
        var shoeSize = await CreateFieldAsync(client, "Shoe size", "number");

        (string Email, HttpContent Body)[] cases =
        [
            ("numbers@example.com", JsonBody($$$"""{"email":"numbers@example.com","listid":{{{list}}},"tagid":{{{tag}}},"fields":{"fieldFirstName":"Ann","{{{shoeSize}}}":42}}""")),
            ("strings@example.com", JsonBody($$$"""{"email":"strings@example.com","listid":"{{{list}}}","tagid":"{{{tag}}}","fields":{"fieldFirstName":"Ann","{{{shoeSize}}}":"42"}}""")),
            ("form@example.com", new FormUrlEncodedContent(
                [new("email", "form@example.com"), new("listid", list), new("tagid", tag), new("fields[fieldFirstName]", "Ann"), new($"fields[{shoeSize}]", "42")])),
            ("raw-form@example.com", new StringContent(
                $"email=raw-form%40example.com&listid={list}&tagid={tag}&fields[fieldFirstName]=Ann&fields%5B{shoeSize}%5D=42", Encoding.UTF8, "application/x-www-form-urlencoded")),
            ("multipart@example.com", new MultipartFormDataContent
            {
                { new StringContent("multipart@example.com"), "email" }, { new StringContent(list), "listid" }, { new StringContent(tag), "tagid" },
                { new StringContent("Ann"), "fields[fieldFirstName]" }, { new StringContent("42"), $"fields[{shoeSize}]" },
            }),
        ];
        foreach (var (email, body) in cases)
        {
            var contact = await WireAssert.OkAsync(await client.PostAsync("/subscriber", body));
            body.Dispose();
            Assert.Equal(email, Text(contact, "email"));
            Assert.Equal(list, Text(contact, "listid"));
            Assert.Equal("Subscribed", Text(contact, "status"));
            Assert.Equal("Ann", Text(contact, "fieldFirstName"));
            Assert.Equal("42", Text(contact, shoeSize));
            Assert.Equal([tag], Map(contact, "manual_tags").Keys);
            Assert.Single(Map(contact, "smart_tags")); // "Opt-in confirmed" of the single opt-in
        }
        Assert.Equal(cases.Length, (await ListAsync(client)).Length);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task TaggingReadsEverySpellingOfTheTagList(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var a = Id(await CreateTagAsync(client, "A"));
        var b = Id(await CreateTagAsync(client, "B"));
        string[] both = [a, b];
        string[] one = [a];

        (string[] Expected, Func<string, HttpContent> Body)[] cases =
        [
            (both, e => JsonBody($$"""{"email":"{{e}}","tagids":[{{a}},{{b}}]}""")),
            (both, e => JsonBody($$"""{"email":"{{e}}","tagids":["{{a}}","{{b}}"]}""")),
            (one, e => JsonBody($$"""{"email":"{{e}}","tagids":{{a}}}""")),
            (one, e => JsonBody($$"""{"email":"{{e}}","tagids":"{{a}}"}""")),
            (both, e => new FormUrlEncodedContent([new("email", e), new("tagids[]", a), new("tagids[]", b)])),
            (both, e => new FormUrlEncodedContent([new("email", e), new("tagids[0]", a), new("tagids[1]", b)])),
            (one, e => new FormUrlEncodedContent([new("email", e), new("tagids", a)])),
            (both, e => new StringContent($"email={Uri.EscapeDataString(e)}&tagids[]={a}&tagids[]={b}", Encoding.UTF8, "application/x-www-form-urlencoded")),
            (both, e => new MultipartFormDataContent { { new StringContent(e), "email" }, { new StringContent(a), "tagids[]" }, { new StringContent(b), "tagids[]" } }),
            (one, e => new MultipartFormDataContent { { new StringContent(e), "email" }, { new StringContent(a), "tagids" } }),
        ];
        for (var i = 0; i < cases.Length; i++)
        {
            var email = $"case{i}@example.com";
            var id = await AddIdAsync(client, email);
            using var body = cases[i].Body(email);
            await AssertTrueAsync(await client.PostAsync("/subscriber/tag", body));
            Assert.Equal(cases[i].Expected, Map(await GetAsync(client, id), "manual_tags").Keys.Order(StringComparer.Ordinal));
        }
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task UntagUnsubscribeSearchAndUpdateReadFormAndMultipartBodies(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var a = await CreateTagAsync(client, "A");
        var b = await CreateTagAsync(client, "B");
        var id = Text(await AddAsync(client, new { email = "anna@example.com" }), "id");
        await TagAsync(client, "anna@example.com", a, b);

        using (var search = new FormUrlEncodedContent([new("email", "anna@example.com")]))
            Assert.Equal(long.Parse(id, System.Globalization.CultureInfo.InvariantCulture), (await WireAssert.OkAsync(await client.PostAsync("/subscriber/search", search)))[0].GetInt64());
        using (var untag = new FormUrlEncodedContent([new("email", "anna@example.com"), new("tagid", Id(a))]))
            await AssertTrueAsync(await client.PostAsync("/subscriber/untag", untag));
        using (var untag = new MultipartFormDataContent { { new StringContent("anna@example.com"), "email" }, { new StringContent(Id(b)), "tagid" } })
            await AssertTrueAsync(await client.PostAsync("/subscriber/untag", untag));
        using (var put = new FormUrlEncodedContent([new("fields[fieldFirstName]", "Ann"), new("newemail", "ann@example.com")]))
            await AssertTrueAsync(await client.PutAsync($"/subscriber/{id}", put));
        using (var put = new MultipartFormDataContent { { new StringContent("Berg"), "fields[fieldLastName]" }, { new StringContent("+4915112345678"), "newsmsnumber" } })
            await AssertTrueAsync(await client.PutAsync($"/subscriber/{id}", put));
        using (var unsubscribe = new MultipartFormDataContent { { new StringContent("ann@example.com"), "email" } })
            await AssertTrueAsync(await client.PostAsync("/subscriber/unsubscribe", unsubscribe));

        var contact = await GetAsync(client, id);
        Assert.Empty(TagIds(contact));
        Assert.Equal("Ann", Text(contact, "fieldFirstName"));
        Assert.Equal("Berg", Text(contact, "fieldLastName"));
        Assert.Equal("ann@example.com", Text(contact, "email"));
        Assert.Equal("004915112345678", Text(contact, "sms_phone"));
        Assert.Equal("Unsubscribed", Text(contact, "status"));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task EveryContactPathAnswersTheSameWithAJsonSuffix(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var tag = await CreateTagAsync(client, "Kunde");

        var added = await WireAssert.OkAsync(await client.PostAsJsonAsync("/subscriber.json", new { email = "anna@example.com" }));
        var id = Text(added, "id");
        Assert.Equal(added.GetRawText(), (await WireAssert.OkAsync(await client.GetAsync($"/subscriber/{id}.json"))).GetRawText());
        Assert.Equal(id, Assert.Single((await WireAssert.OkAsync(await client.GetAsync("/subscriber.json?status=" + AllStatuses))).EnumerateArray()).GetString());
        Assert.Equal(id, Id((await WireAssert.OkAsync(await client.PostAsJsonAsync("/subscriber/search.json", new { email = "anna@example.com" })))[0].GetInt64()));
        await AssertTrueAsync(await client.PostAsJsonAsync("/subscriber/tag.json", new { email = "anna@example.com", tagids = new[] { tag } }));
        Assert.Equal(UnixNow(host), (await WireAssert.OkAsync(await client.PostAsJsonAsync("/subscriber/tagged.json", new { tagid = tag, status = AllStatuses }))).GetProperty(id).GetString());
        await AssertTrueAsync(await client.PostAsJsonAsync("/subscriber/untag.json", new { email = "anna@example.com", tagid = tag }));
        await AssertTrueAsync(await client.PutAsJsonAsync($"/subscriber/{id}.json", new { fields = new Dictionary<string, string> { ["fieldFirstName"] = "Anna" } }));
        await AssertTrueAsync(await client.PostAsJsonAsync("/subscriber/unsubscribe.json", new { email = "anna@example.com" }));

        var contact = await GetAsync(client, id);
        Assert.Equal("Anna", Text(contact, "fieldFirstName"));
        Assert.Equal("Unsubscribed", Text(contact, "status"));
        Assert.Empty(TagIds(contact));
        await AssertTrueAsync(await client.DeleteAsync($"/subscriber/{id}.json"));
        Assert.Empty(await ListAsync(client));
    }

    private static StringContent JsonBody(string json) => new(json, Encoding.UTF8, "application/json");
}
