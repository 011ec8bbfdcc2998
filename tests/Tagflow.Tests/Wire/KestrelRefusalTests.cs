using System.Text.Json;
using Tagflow.Tests.Infrastructure;

namespace Tagflow.Tests.Wire;

/// <summary>Requests the web server refuses before Tagflow's code runs still answer one sentence, as every error does.</summary>
public sealed class KestrelRefusalTests
{
    public static TheoryData<string, int> Refused => new()
    {
        { "GET /tag HTTP/1.1\r\nHost: x\r\nA header without a colon\r\n\r\n", 400 },
        { $"GET /{new string('a', 9_000)} HTTP/1.1\r\nHost: x\r\n\r\n", 414 },
        { $"GET /tag HTTP/1.1\r\nHost: x\r\n{string.Concat(Enumerable.Range(0, 101).Select(i => $"X-H{i}: {new string('v', 400)}\r\n"))}\r\n", 431 },
        { "GET /tag HTTP/3.7\r\nHost: x\r\n\r\n", 505 },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task ARequestTheServerCannotReadAnswersOneSentence(string request, int status)
    {
        await using var host = await TagflowHost.StartAsync(Providers.Sqlite);
        await using var connection = await RawHttp.ConnectAsync(host.BaseAddress);

        await connection.WriteAsync(request);
        var answer = await connection.ReadAnswerAsync();

        Assert.Equal(status, answer.Status);
        Assert.Equal(["application/json; charset=utf-8"], answer.Headers["Content-Type"]);
        Assert.False(string.IsNullOrWhiteSpace(Assert.Single(JsonSerializer.Deserialize<string[]>(answer.Body)!)));
    }

    [Fact]
    public async Task ABadRequestAfterAGoodOneOnTheSameConnectionAnswersOneSentenceToo()
    {
        await using var host = await TagflowHost.StartAsync(Providers.Sqlite);
        await using var connection = await RawHttp.ConnectAsync(host.BaseAddress);

        await connection.WriteAsync("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
        var good = await connection.ReadAnswerAsync();
        await connection.WriteAsync("GET /tag HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n");
        var bad = await connection.ReadAnswerAsync();

        Assert.Equal(200, good.Status);
        Assert.Contains("healthy", good.Text, StringComparison.Ordinal);
        Assert.Equal(400, bad.Status);
        Assert.Single(JsonSerializer.Deserialize<string[]>(bad.Body)!);
    }

    [Fact]
    public async Task TagflowsOwnEmptyAnswersAreLeftAlone()
    {
        await using var host = await TagflowHost.StartAsync(Providers.Sqlite);
        var partner = await host.AddPartnerAsync("anna");
        await using var connection = await RawHttp.ConnectAsync(host.BaseAddress);

        // OPTIONS answers 204 with no body; HEAD answers the GET's head without one.
        await connection.WriteAsync($"OPTIONS /tag HTTP/1.1\r\nHost: x\r\nX-Un: {partner.Username}\r\nX-Ci: {TagflowHost.XCi(partner.DeveloperKey, partner.CustomerKey)}\r\nConnection: close\r\n\r\n");
        var options = await connection.ReadAnswerAsync();

        Assert.Equal(204, options.Status);
        Assert.Empty(options.Body);
        Assert.Empty(options.Headers["Content-Type"]);
    }
}
