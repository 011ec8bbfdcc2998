using System.Net;
using Tagflow.Tests.Infrastructure;

namespace Tagflow.Tests;

public sealed class SmokeTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task APartnerClientCreatesAndListsATag(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var id = (await WireAssert.OkAsync(await client.PostAsync("/tag", new FormUrlEncodedContent([new("name", "Kunde")]))))[0].GetInt64();
        var tags = await WireAssert.OkAsync(await client.GetAsync("/tag"));
        Assert.Equal("Kunde", tags.GetProperty(id.ToString(System.Globalization.CultureInfo.InvariantCulture)).GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await host.Client.GetAsync("/tag")).StatusCode);
    }
}
