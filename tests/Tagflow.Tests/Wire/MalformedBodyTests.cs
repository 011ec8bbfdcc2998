using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Tagflow.Tests.Infrastructure;

namespace Tagflow.Tests.Wire;

/// <summary>Bodies a reader chokes on are the client's mistake: 400 with a message, never a 500.</summary>
public sealed class MalformedBodyTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AJsonObjectWithADuplicateKeyIsRefusedWith400(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");

        await AssertRefusedAsync(client, "application/json", """{"name":"Kunde","name":"Interessent"}"""u8.ToArray(), "name");
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AFormWhoseKeysAreAllNumbersIsReadAsAnObjectOfThem(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");

        // Found by the fuzz test: such a body was read as a list, and the server answered 500.
        var message = await WireAssert.MessageAsync(await client.PostAsync("/tag", new FormUrlEncodedContent([new("8[0]", "a"), new("9", "b")])), HttpStatusCode.BadRequest);

        Assert.Contains("\"name\" is required", message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AJsonStringWithALoneSurrogateIsRefusedWith400(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");

        await AssertRefusedAsync(client, "application/json", """{"name":"Kunde \ud800"}"""u8.ToArray(), "name");
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ATruncatedMultipartBodyIsRefusedWith400(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var truncated = "--xyz\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nKun"u8.ToArray();

        await AssertRefusedAsync(client, "multipart/form-data; boundary=xyz", truncated, "form");
        await AssertRefusedAsync(client, "multipart/form-data; boundary=xyz", "garbage"u8.ToArray(), "form");
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ANameWithANulCharacterNeverAnswers500(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        using var content = new StringContent("""{"name":"Kun\u0000de"}""", Encoding.UTF8, "application/json");

        using var response = await client.PostAsync("/tag", content);

        // Either accepted (as SQLite stores it) or refused as unreadable; PostgreSQL text cannot hold NUL.
        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest,
            $"Expected 200 or 400, got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    private static async Task AssertRefusedAsync(HttpClient client, string contentType, byte[] body, string named)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        var message = await WireAssert.MessageAsync(await client.PostAsync("/tag", content), HttpStatusCode.BadRequest);
        Assert.Contains(named, message, StringComparison.Ordinal);
        Assert.Empty((await WireAssert.OkAsync(await client.GetAsync("/tag"))).EnumerateObject());
    }
}
