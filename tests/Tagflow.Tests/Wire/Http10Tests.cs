using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Tagflow.Tests.Infrastructure;

namespace Tagflow.Tests.Wire;

/// <summary>
/// WIRE.md, "PHP-serialized answers": the PHP connector speaks HTTP/1.0 and sends no Content-Length on
/// a POST without data (logout). Such a request has an empty body; answers to HTTP/1.0 are never chunked.
/// </summary>
public sealed class Http10Tests
{
    private const string Php = "application/vnd.php.serialized";

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ABodylessPostOfHttp10IsARequestWithAnEmptyBody(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        await host.AddAccountAsync("anna");
        var session = await host.LoginAsync("anna");

        await using var connection = await RawHttp.ConnectAsync(host.BaseAddress);
        await connection.WriteAsync($"POST /account/logout HTTP/1.0\r\nHost: {host.BaseAddress.Authority}\r\nCookie: TFSESSID={session}\r\n"
            + $"Content-Type: application/x-www-form-urlencoded\r\nAccept: {Php}\r\n\r\n");
        var answer = await connection.ReadAnswerAsync();

        Assert.Equal(200, answer.Status);
        Assert.Equal("b:1;", answer.Text);
        Assert.Equal(["4"], answer.Headers["Content-Length"]);
        Assert.Empty(answer.Headers["Transfer-Encoding"]);
        Assert.True(await connection.EndsAsync());
        using var ended = host.SessionClient(session);
        await WireAssert.MessageAsync(await ended.GetAsync("/tag"), HttpStatusCode.Forbidden);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ABodylessPostOrPutReachesTagflowWhichNamesWhatIsMissing(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        var partner = await host.AddPartnerAsync("anna");
        var id = (await WireAssert.OkAsync(await partner.ClientFor(host).PostAsync("/tag", new FormUrlEncodedContent([new("name", "Kunde")]))))[0].GetInt64();

        foreach (var line in new[] { "POST /tag HTTP/1.0", "POST /subscriber/unsubscribe HTTP/1.0" })
        {
            var answer = await SendAloneAsync(host, $"{line}\r\nHost: x\r\n{Credentials(partner)}\r\n");

            // Kestrel alone would answer 400 with an empty body; this is Tagflow's own sentence.
            Assert.Equal(400, answer.Status);
            Assert.Contains("required", Assert.Single(JsonSerializer.Deserialize<string[]>(answer.Body)!), StringComparison.Ordinal);
        }
        // A PUT with nothing to change changes nothing.
        var put = await SendAloneAsync(host, $"PUT /tag/{id} HTTP/1.0\r\nHost: x\r\n{Credentials(partner)}\r\n");
        Assert.Equal((200, "[true]"), (put.Status, put.Text));
        Assert.Equal("Kunde", (await WireAssert.OkAsync(await partner.ClientFor(host).GetAsync($"/tag/{id}"))).GetProperty("name").GetString());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnswersToHttp10AreNeverChunked(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        var partner = await host.AddPartnerAsync("anna");
        using var client = partner.ClientFor(host);
        var single = await Contacts.DatabaseSetup.AddSingleOptInProcessAsync(host, "anna");
        for (var i = 0; i < 50; i++)
            await Contacts.ContactCalls.AddAsync(client, new { email = $"c{i}@example.com", listid = single });

        foreach (var accept in new[] { "application/json", Php })
        {
            await using var connection = await RawHttp.ConnectAsync(host.BaseAddress);
            await connection.WriteAsync($"GET /subscriber HTTP/1.0\r\nHost: x\r\nAccept: {accept}\r\n{Credentials(partner)}\r\n");
            var answer = await connection.ReadAnswerAsync();

            Assert.Equal(200, answer.Status);
            Assert.Empty(answer.Headers["Transfer-Encoding"]);
            Assert.True(await connection.EndsAsync());
            if (accept == Php)
                Assert.Equal(50, Assert.IsType<PhpValue.Array>(PhpValue.Parse(answer.Body)).Entries.Count);
            else
                Assert.Equal(50, JsonSerializer.Deserialize<string[]>(answer.Body)!.Length);
        }
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnHttp10ConnectionKeptAliveHasEachBodylessPostRead(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        var partner = await host.AddPartnerAsync("anna");
        var head = $"Host: x\r\nConnection: keep-alive\r\nAccept: {Php}\r\n{Credentials(partner)}";
        await using var connection = await RawHttp.ConnectAsync(host.BaseAddress);

        await connection.WriteAsync($"POST /tag HTTP/1.0\r\n{head}Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 10\r\n\r\nname=Kunde");
        var created = await connection.ReadAnswerAsync();
        // A bodyless POST, then a GET, sent together, the head of the first split over two writes.
        await connection.WriteAsync("POST /subscriber/unsubscribe HTTP/1.0\r\nHo");
        await Task.Delay(100);
        await connection.WriteAsync($"st: y\r\nConnection: keep-alive\r\nAccept: {Php}\r\n{Credentials(partner)}\r\nGET /tag HTTP/1.0\r\n{head}\r\n");
        var bodyless = await connection.ReadAnswerAsync();
        var tags = await connection.ReadAnswerAsync();

        Assert.Equal(200, created.Status);
        var id = Assert.IsType<PhpValue.Int>(PhpValue.Parse(created.Body)).Value;
        Assert.Equal(400, bodyless.Status);
        Assert.Contains("\"email\"", Assert.IsType<PhpValue.Str>(Assert.Single(Assert.IsType<PhpValue.Array>(PhpValue.Parse(bodyless.Body)).Entries).Value).Value, StringComparison.Ordinal);
        Assert.Equal(200, tags.Status);
        var entry = Assert.Single(Assert.IsType<PhpValue.Array>(PhpValue.Parse(tags.Body)).Entries);
        Assert.Equal((new PhpValue.Int(id), new PhpValue.Str("Kunde")), (entry.Key, entry.Value));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Http11RequestsPassUntouched(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        var partner = await host.AddPartnerAsync("anna");
        await using var connection = await RawHttp.ConnectAsync(host.BaseAddress);

        // A POST of HTTP/1.1 without a length has no body (Kestrel's own rule); one with a body keeps it.
        await connection.WriteAsync($"POST /subscriber/unsubscribe HTTP/1.1\r\nHost: x\r\n{Credentials(partner)}\r\n");
        var bodyless = await connection.ReadAnswerAsync();
        const string Body = "{\"name\":\"Größe 😀\"}";
        await connection.WriteAsync($"POST /tag HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {Encoding.UTF8.GetByteCount(Body)}\r\n"
            + $"Connection: close\r\n{Credentials(partner)}\r\n{Body}");
        var created = await connection.ReadAnswerAsync();

        Assert.Equal(400, bodyless.Status);
        Assert.Equal(200, created.Status);
        var id = JsonSerializer.Deserialize<long[]>(created.Body)![0];
        Assert.Equal("Größe 😀", (await WireAssert.OkAsync(await partner.ClientFor(host).GetAsync($"/tag/{id.ToString(CultureInfo.InvariantCulture)}"))).GetProperty("name").GetString());
    }

    private static async Task<RawAnswer> SendAloneAsync(TagflowHost host, string request)
    {
        await using var connection = await RawHttp.ConnectAsync(host.BaseAddress);
        await connection.WriteAsync(request);
        return await connection.ReadAnswerAsync();
    }

    private static string Credentials(PartnerCredentials partner) =>
        $"X-Un: {partner.Username}\r\nX-Ci: {TagflowHost.XCi(partner.DeveloperKey, partner.CustomerKey)}\r\n";
}
