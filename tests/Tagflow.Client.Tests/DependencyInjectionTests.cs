using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Tagflow.Client.Tests.Infrastructure;

namespace Tagflow.Client.Tests;

/// <summary>services.AddKlickTippClient: IHttpClientFactory underneath, the same retries on top.</summary>
public sealed class DependencyInjectionTests
{
    [Fact]
    public async Task TheRegisteredClientTalksToTheServer()
    {
        await using var server = await TagflowServer.StartAsync();
        var (username, developerKey, customerKey) = await server.AddPartnerAsync("anna");
        var services = new ServiceCollection();
        services.AddKlickTippClient(o =>
        {
            o.BaseAddress = server.BaseAddress;
            o.Credentials = KlickTippCredentials.Partner(username, developerKey, customerKey);
        });
        await using var provider = services.BuildServiceProvider();

        var kt = provider.GetRequiredService<KlickTippClient>();

        Assert.Same(kt, provider.GetRequiredService<KlickTippClient>());
        Assert.Equal("anna", (await kt.Account.GetAsync(CancellationToken.None)).Username);
    }

    [Fact]
    public async Task TheRegisteredClientRetriesThroughTheFactoryPipeline()
    {
        var handler = new ScriptedHandler()
            .Then(HttpStatusCode.ServiceUnavailable, "[\"busy\"]")
            .ThenOk("""{"21":"Customer"}""");
        var services = new ServiceCollection();
        services.AddKlickTippClient(o =>
        {
            o.BaseAddress = new Uri("https://api.example.test");
            o.Credentials = KlickTippCredentials.Partner("anna", "00ff", "customer");
            o.RetryDelay = TimeSpan.FromMilliseconds(1);
        }).ConfigurePrimaryHttpMessageHandler(() => handler);
        await using var provider = services.BuildServiceProvider();

        var tags = await provider.GetRequiredService<KlickTippClient>().Tags.ListAsync(CancellationToken.None);

        Assert.Equal("Customer", tags[21]);
        Assert.Equal(2, handler.Requests.Count);
        Assert.Equal("anna", handler.Requests[1].Headers["X-Un"]);
    }
}
