using System.Net;
using Tagflow.Tests.Infrastructure;
using static Tagflow.Tests.Contacts.ContactCalls;

namespace Tagflow.Tests.Wire;

/// <summary>HEAD answers as GET without a body; OPTIONS names the methods a path has.</summary>
public sealed class HeadAndOptionsTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task HeadAnswersAsGetWithoutABody(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var tag = await CreateTagAsync(client, "Kunde");
        var contact = await AddIdAsync(client, "ann@example.com");

        foreach (var path in new[] { "/tag", $"/tag/{tag}", "/field", "/list", "/account", $"/subscriber/{contact}", "/subscriber", "/events", "/tag.json" })
        {
            using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, path));
            using var get = await client.GetAsync(path);

            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            Assert.Equal(get.Content.Headers.ContentType, head.Content.Headers.ContentType);
            Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        }
        using var missing = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/tag/999999"));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        using var anonymous = await host.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/tag"));
        Assert.Equal(HttpStatusCode.Forbidden, anonymous.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task OptionsNamesTheMethodsOfAPath(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var tag = await CreateTagAsync(client, "Kunde");

        using var tags = await client.SendAsync(new HttpRequestMessage(HttpMethod.Options, "/tag"));
        using var one = await client.SendAsync(new HttpRequestMessage(HttpMethod.Options, $"/tag/{tag}"));
        using var nowhere = await client.SendAsync(new HttpRequestMessage(HttpMethod.Options, "/no/such/path"));

        Assert.Equal(HttpStatusCode.NoContent, tags.StatusCode);
        Assert.Equal(["GET", "HEAD", "POST"], tags.Content.Headers.Allow.Order(StringComparer.Ordinal));
        Assert.Equal(["DELETE", "GET", "HEAD", "PUT"], one.Content.Headers.Allow.Order(StringComparer.Ordinal));
        Assert.Equal(HttpStatusCode.NotFound, nowhere.StatusCode);
    }
}
