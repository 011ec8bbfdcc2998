using System.Net;
using System.Text;
using Tagflow.Tests.Infrastructure;

namespace Tagflow.Tests.Wire;

/// <summary>Bodies over the configured limit are refused with 400 naming the limit; nothing is written.</summary>
public sealed class BodyLimitTests
{
    private const int Limit = 4096;

    public static TheoryData<string, string> ProvidersAndEncodings
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var provider in Providers.All)
                foreach (var encoding in new[] { "json", "form", "multipart", "chunked json" })
                    data.Add(provider, encoding);
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(ProvidersAndEncodings))]
    public async Task AnOversizedBodyIsRefusedWith400NamingTheLimitAndCreatesNothing(string provider, string encoding)
    {
        await using var host = await TagflowHost.StartAsync(provider, maxBodyBytes: Limit);
        using var client = await host.NewAccountClientAsync("anna");
        using var content = Content(encoding, 10_000);

        var message = await WireAssert.MessageAsync(await client.PostAsync("/tag", content), HttpStatusCode.BadRequest);

        Assert.Contains(Limit.ToString(System.Globalization.CultureInfo.InvariantCulture), message, StringComparison.Ordinal);
        Assert.Empty((await WireAssert.OkAsync(await client.GetAsync("/tag"))).EnumerateObject());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ABodyOfExactlyTheLimitIsAccepted(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider, maxBodyBytes: Limit);
        using var client = await host.NewAccountClientAsync("anna");
        using var content = Content("json", Limit);
        Assert.Equal(Limit, content.Headers.ContentLength);

        var id = (await WireAssert.OkAsync(await client.PostAsync("/tag", content)))[0].GetInt64();

        Assert.Equal("Kunde", (await WireAssert.OkAsync(await client.GetAsync($"/tag/{id}"))).GetProperty("name").GetString());
    }

    /// <summary>A request creating the tag "Kunde" whose body is <paramref name="size"/> bytes (about, for multipart).</summary>
    private static HttpContent Content(string encoding, int size)
    {
        const string JsonFrame = """{"name":"Kunde","text":""}""";
        var json = $$"""{"name":"Kunde","text":"{{new string('a', size - JsonFrame.Length)}}"}""";
        return encoding switch
        {
            "json" => new StringContent(json, Encoding.UTF8, "application/json"),
            "form" => new StringContent("name=Kunde&text=" + new string('a', size - 16), Encoding.UTF8, "application/x-www-form-urlencoded"),
            "multipart" => new MultipartFormDataContent { { new StringContent("Kunde"), "name" }, { new StringContent(new string('a', size)), "text" } },
            _ => new ChunkedContent(Encoding.UTF8.GetBytes(json), "application/json"),
        };
    }

    /// <summary>A body sent without Content-Length (Transfer-Encoding: chunked), so the limit is met while reading.</summary>
    private sealed class ChunkedContent : HttpContent
    {
        private readonly byte[] _bytes;

        public ChunkedContent(byte[] bytes, string mediaType)
        {
            _bytes = bytes;
            Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(mediaType);
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            foreach (var chunk in _bytes.Chunk(1024)) await stream.WriteAsync(chunk);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
