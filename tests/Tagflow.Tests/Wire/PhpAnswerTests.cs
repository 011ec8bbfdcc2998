using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Tagflow.Tests.Contacts;
using Tagflow.Tests.Infrastructure;
using static Tagflow.Tests.Contacts.ContactCalls;

namespace Tagflow.Tests.Wire;

/// <summary>
/// WIRE.md, "PHP-serialized answers": a request whose Accept names application/vnd.php.serialized gets
/// every answer, errors included, in PHP's serialize() format, carrying the same data as the JSON answer.
/// </summary>
public sealed class PhpAnswerTests
{
    private const string PhpType = "application/vnd.php.serialized";

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task EveryReadingCallAnswersTheSameDataInPhpsFormat(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var json = await host.NewAccountClientAsync("anna");
        using var php = host.NewClient();
        foreach (var header in json.DefaultRequestHeaders) php.DefaultRequestHeaders.Add(header.Key, header.Value);
        php.DefaultRequestHeaders.Accept.ParseAdd(PhpType);

        var single = await DatabaseSetup.AddSingleOptInProcessAsync(host, "anna");
        var tag = await CreateTagAsync(json, "Kunde");
        var shoeSize = await CreateFieldAsync(json, "Schuhgröße", "number");
        var contact = Text(await AddAsync(json, new
        {
            email = "jürgen@bücher.de", listid = single, tagid = tag,
            fields = new Dictionary<string, string> { ["fieldFirstName"] = "Jürgen 😀", ["fieldLastName"] = "Groß", [shoeSize] = "44" },
        }), "id");
        await AddIdAsync(json, "pending@example.com");
        await json.PostAsJsonAsync("/blocklist", new { value = "spam.example" });
        var predefined = await PredefinedListIdAsync(json);

        // Objects are stdClass; index maps and lists are arrays.
        (string Method, string Path, object? Body, bool IsObject)[] calls =
        [
            ("GET", "/account", null, true),
            ("GET", $"/tag/{tag}", null, true),
            ("GET", $"/list/{predefined}", null, true),
            ("GET", "/field/FirstName", null, true),
            ("GET", $"/field/{shoeSize["field".Length..]}", null, true),
            ("GET", $"/subscriber/{contact}", null, true),
            ("GET", "/events", null, true),
            ("GET", "/tag", null, false),
            ("GET", "/list", null, false),
            ("GET", "/field", null, false),
            ("GET", "/subscriber", null, false),
            ("GET", "/subscriber?status=pending,subscribed", null, false),
            ("POST", "/subscriber/tagged", new { tagid = tag }, false),
            ("GET", "/blocklist", null, false),
        ];
        foreach (var (method, path, body, isObject) in calls)
        {
            var expected = PhpValue.Comparable(JsonNode.Parse(await (await SendAsync(json, method, path, body)).Content.ReadAsStringAsync()));
            var answer = await PhpAsync(await SendAsync(php, method, path, body), HttpStatusCode.OK);

            if (isObject) Assert.Equal("stdClass", Assert.IsType<PhpValue.Object>(answer).ClassName);
            else Assert.IsType<PhpValue.Array>(answer);
            Assert.True(JsonNode.DeepEquals(expected, answer.ToJson()), $"{method} {path}: PHP {answer.ToJson()} but JSON {expected}");
        }

        // The contact's strings, umlauts and emoji included, arrive byte for byte; maps keyed by ids have integer keys.
        var read = Assert.IsType<PhpValue.Object>(await PhpAsync(await php.GetAsync($"/subscriber/{contact}"), HttpStatusCode.OK));
        Assert.Equal(new PhpValue.Str("Jürgen 😀"), Property(read, "fieldFirstName"));
        Assert.Equal(new PhpValue.Str("jürgen@bücher.de"), Property(read, "email"));
        var manualTags = Assert.IsType<PhpValue.Array>(Property(read, "manual_tags"));
        Assert.Equal(new PhpValue.Int(tag), Assert.Single(manualTags.Entries).Key);
        Assert.IsType<PhpValue.Array>(Property(read, "tags"));
        Assert.IsType<PhpValue.Array>(Property(read, "emails_sent"));
        var account = Assert.IsType<PhpValue.Object>(await PhpAsync(await php.GetAsync("/account"), HttpStatusCode.OK));
        Assert.Equal(new PhpValue.Str("anna"), Property(account, "username"));

        // One-element answers carry their value bare.
        Assert.Equal(new PhpValue.Int(long.Parse(contact, CultureInfo.InvariantCulture)),
            await PhpAsync(await php.PostAsJsonAsync("/subscriber/search", new { email = "JÜRGEN@bücher.de" }), HttpStatusCode.OK));
        var redirect = Assert.IsType<PhpValue.Str>(await PhpAsync(await php.PostAsJsonAsync("/list/redirect", new { listid = single, email = "jürgen@bücher.de" }), HttpStatusCode.OK));
        Assert.EndsWith("/optin/thanks", redirect.Value, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ChangesAnswerBareValuesAndErrorsKeepTheirStatus(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var json = await host.NewAccountClientAsync("anna");
        using var php = host.NewClient();
        foreach (var header in json.DefaultRequestHeaders) php.DefaultRequestHeaders.Add(header.Key, header.Value);
        php.DefaultRequestHeaders.Accept.ParseAdd(PhpType);

        var created = Assert.IsType<PhpValue.Int>(await PhpAsync(await php.PostAsync("/tag", Form(("name", "Kunde"))), HttpStatusCode.OK));
        Assert.Equal("Kunde", (await WireAssert.OkAsync(await json.GetAsync($"/tag/{created.Value}"))).GetProperty("name").GetString());
        Assert.Equal(new PhpValue.Bool(true), await PhpAsync(await php.PutAsync($"/tag/{created.Value}", Form(("name", "Stammkunde"))), HttpStatusCode.OK));
        var field = Assert.IsType<PhpValue.Str>(await PhpAsync(await php.PostAsync("/field", Form(("name", "Notiz"))), HttpStatusCode.OK));
        Assert.StartsWith("field", field.Value, StringComparison.Ordinal);

        var contact = Assert.IsType<PhpValue.Object>(await PhpAsync(await php.PostAsync("/subscriber", Form(("email", "ann@example.com"), ("fields[fieldFirstName]", "Änne"))), HttpStatusCode.OK));
        Assert.Equal(new PhpValue.Str("Änne"), Property(contact, "fieldFirstName"));
        Assert.Equal(new PhpValue.Bool(true), await PhpAsync(await php.PostAsync("/subscriber/tag", Form(("email", "ann@example.com"), ("tagids[]", $"{created.Value}"))), HttpStatusCode.OK));

        // A 406 keeps its status and its envelope is an array; the other errors are a list of one sentence.
        Assert.Equal(Envelope(("error", new PhpValue.Int(5))),
            await PhpAsync(await php.PostAsync("/subscriber", Form(("email", "not an address"))), HttpStatusCode.NotAcceptable));
        var birthday = Assert.IsType<PhpValue.Array>(await PhpAsync(
            await php.PostAsync("/subscriber", Form(("email", "ann@example.com"), ("fields[fieldBirthday]", "08.05.2024"))), HttpStatusCode.NotAcceptable));
        Assert.Equal(["error", "field", "name", "field_value", "reason"], birthday.Entries.Select(e => ((PhpValue.Str)e.Key).Value));
        Assert.Equal(new PhpValue.Int(8), birthday.Entries[0].Value);
        Assert.Equal(Sentence("There is no such entity."), await PhpAsync(await php.GetAsync("/tag/999999"), HttpStatusCode.NotFound));
        Assert.Equal(Sentence("There is no such entity."), await PhpAsync(await php.GetAsync("/no/such/path"), HttpStatusCode.NotFound));
        Assert.IsType<PhpValue.Str>(Single(await PhpAsync(await php.PostAsync("/tag", new StringContent("{", Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest)));

        using var anonymous = host.NewClient();
        anonymous.DefaultRequestHeaders.Accept.ParseAdd(PhpType);
        Assert.IsType<PhpValue.Str>(Single(await PhpAsync(await anonymous.GetAsync("/tag"), HttpStatusCode.Forbidden)));
        Assert.Equal(Sentence("Wrong username or password."),
            await PhpAsync(await anonymous.PostAsync("/account/login", Form(("username", "anna"), ("password", "wrong"))), HttpStatusCode.Unauthorized));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task TheLoginAnswerIsAnObjectWhoseAccountIsAnObject(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        await host.AddAccountAsync("anna");
        using var php = host.NewClient();
        php.DefaultRequestHeaders.Accept.ParseAdd(PhpType);

        var login = Assert.IsType<PhpValue.Object>(await PhpAsync(
            await php.PostAsync("/account/login", Form(("username", "anna"), ("password", TagflowHost.Password))), HttpStatusCode.OK));
        var sessid = Assert.IsType<PhpValue.Str>(Property(login, "sessid")).Value;
        var sessionName = Assert.IsType<PhpValue.Str>(Property(login, "session_name")).Value;
        var account = Assert.IsType<PhpValue.Object>(Property(login, "account"));
        Assert.Equal("stdClass", account.ClassName);
        Assert.Equal(new PhpValue.Str("anna"), Property(account, "username"));

        using var session = host.NewClient();
        session.DefaultRequestHeaders.Add("Cookie", $"{sessionName}={sessid}");
        session.DefaultRequestHeaders.Accept.ParseAdd(PhpType);
        Assert.IsType<PhpValue.Array>(await PhpAsync(await session.GetAsync("/tag"), HttpStatusCode.OK));
        Assert.Equal(new PhpValue.Bool(true), await PhpAsync(await session.PostAsync("/account/logout", null), HttpStatusCode.OK));
        await PhpAsync(await session.GetAsync("/tag"), HttpStatusCode.Forbidden);
    }

    [Theory]
    [InlineData("*/*")]
    [InlineData("application/json")]
    [InlineData("text/html, application/xhtml+xml")]
    [InlineData("application/vnd.php.serialized;q=0")]
    [InlineData("application/vnd.php.serialized-not")]
    public async Task JsonStaysTheAnswerForEveryOtherAccept(string accept)
    {
        await using var host = await TagflowHost.StartAsync(Providers.Sqlite);
        using var client = await host.NewAccountClientAsync("anna");
        client.DefaultRequestHeaders.TryAddWithoutValidation("Accept", accept);

        var id = Assert.Single((await WireAssert.OkAsync(await client.PostAsJsonAsync("/tag", new { name = "Kunde" }))).EnumerateArray()).GetInt64();
        Assert.Equal("Kunde", (await WireAssert.OkAsync(await client.GetAsync($"/tag/{id}"))).GetProperty("name").GetString());
        await WireAssert.MessageAsync(await client.GetAsync("/tag/999999"), HttpStatusCode.NotFound);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ALongListIsCountedAndSentWithItsLength(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var json = await host.NewAccountClientAsync("anna");
        var single = await DatabaseSetup.AddSingleOptInProcessAsync(host, "anna");
        var tag = await CreateTagAsync(json, "Kunde");
        // About 60 KB of PHP answer: past the 32 KB the stream keeps in memory before it moves to a file.
        const int Count = 2_500;
        await Parallel.ForAsync(0, Count, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
            await AddAsync(json, new { email = $"c{i}@example.com", listid = single, tagid = tag }));
        using var php = host.NewClient();
        foreach (var header in json.DefaultRequestHeaders) php.DefaultRequestHeaders.Add(header.Key, header.Value);
        php.DefaultRequestHeaders.Accept.ParseAdd(PhpType);

        var ids = Assert.IsType<PhpValue.Array>(await PhpAsync(await php.GetAsync("/subscriber"), HttpStatusCode.OK));
        var tagged = Assert.IsType<PhpValue.Array>(await PhpAsync(await php.PostAsync("/subscriber/tagged", Form(("tagid", $"{tag}"))), HttpStatusCode.OK));

        Assert.Equal(Count, ids.Entries.Count);
        Assert.Equal(Enumerable.Range(0, Count).Select(i => new PhpValue.Int(i)), ids.Entries.Select(e => e.Key));
        Assert.Equal(await ListAsync(json), ids.Entries.Select(e => ((PhpValue.Str)e.Value).Value));
        Assert.Equal((await TaggedAsync(json, new { tagid = tag })).Select(e => (e.Id, e.Time)),
            tagged.Entries.Select(e => (((PhpValue.Int)e.Key).Value.ToString(CultureInfo.InvariantCulture), ((PhpValue.Str)e.Value).Value)));
        Assert.Equal(new PhpValue.Array([]), await PhpAsync(await php.GetAsync("/subscriber?status=unsubscribed"), HttpStatusCode.OK));
    }

    /// <summary>Asserts the status, the content type and that Content-Length is the body's; answers the body as PHP reads it.</summary>
    internal static async Task<PhpValue> PhpAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        using (response)
        {
            var body = await response.Content.ReadAsByteArrayAsync();
            Assert.True(status == response.StatusCode, $"Expected {(int)status}, got {(int)response.StatusCode}: {Encoding.UTF8.GetString(body)}");
            Assert.Equal(PhpType, response.Content.Headers.ContentType?.MediaType);
            Assert.Equal(body.Length, response.Content.Headers.ContentLength);
            return PhpValue.Parse(body);
        }
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, string method, string path, object? body) =>
        client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = body is null ? null : JsonContent.Create(body) });

    private static FormUrlEncodedContent Form(params (string Key, string Value)[] pairs) =>
        new(pairs.Select(p => KeyValuePair.Create(p.Key, p.Value)));

    private static PhpValue Property(PhpValue.Object o, string name) => o.Properties.Single(p => p.Key == name).Value;

    private static PhpValue.Array Envelope(params (string Key, PhpValue Value)[] entries) =>
        new([.. entries.Select(e => KeyValuePair.Create<PhpValue, PhpValue>(new PhpValue.Str(e.Key), e.Value))]);

    private static PhpValue.Array Sentence(string text) => new([KeyValuePair.Create<PhpValue, PhpValue>(new PhpValue.Int(0), new PhpValue.Str(text))]);

    private static PhpValue Single(PhpValue list)
    {
        var entry = Assert.Single(Assert.IsType<PhpValue.Array>(list).Entries);
        Assert.Equal(new PhpValue.Int(0), entry.Key);
        return entry.Value;
    }
}
