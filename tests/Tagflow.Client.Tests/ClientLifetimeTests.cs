using Microsoft.Extensions.DependencyInjection;
using Tagflow.Client.Tests.Infrastructure;

namespace Tagflow.Client.Tests;

/// <summary>Who disposes what: the handler a caller hands over, one it only lends, and the factory's.</summary>
public sealed class ClientLifetimeTests
{
    [Fact]
    public void AHandlerHandedToTheClientIsDisposedWithIt()
    {
        var handler = new ScriptedHandler();

        handler.Client().Dispose();

        Assert.True(handler.Disposed);
    }

    [Fact]
    public async Task AHandlerLentToTheClientOutlivesIt()
    {
        var handler = new ScriptedHandler().ThenOk("""{"21":"Customer"}""").ThenOk("""{"21":"Customer"}""");
        using (var first = handler.Client(disposeHandler: false))
            await first.Tags.ListAsync(CancellationToken.None);

        Assert.False(handler.Disposed);
        using var second = handler.Client(disposeHandler: false);
        Assert.Equal("Customer", (await second.Tags.ListAsync(CancellationToken.None))[21]);
    }

    [Fact]
    public async Task DisposingARegisteredClientLeavesTheFactorysHandlerAlone()
    {
        var handler = new ScriptedHandler().ThenOk("""{"21":"Customer"}""");
        var services = new ServiceCollection();
        services.AddKlickTippClient(o =>
        {
            o.BaseAddress = new Uri("https://api.example.test");
            o.Credentials = KlickTippCredentials.Partner("anna", "00ff", "customer");
        }).ConfigurePrimaryHttpMessageHandler(() => handler);
        await using var provider = services.BuildServiceProvider();
        var kt = provider.GetRequiredService<KlickTippClient>();

        kt.Dispose(); // a mistake the container would make harmless: the client owns nothing

        Assert.False(handler.Disposed);
        Assert.Equal("Customer", (await kt.Tags.ListAsync(CancellationToken.None))[21]);
    }
}
