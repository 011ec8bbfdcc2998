using Tagflow.Client.Tests.Infrastructure;

namespace Tagflow.Client.Tests;

/// <summary>kt.Blocklist against a real Tagflow server.</summary>
public sealed class BlocklistTests
{
    [Fact]
    public async Task AddressesAndDomainsAreBlockedListedAndUnblocked()
    {
        await using var server = await TagflowServer.StartAsync();
        using var kt = await server.NewClientAsync("anna");

        await kt.Blocklist.AddAsync("spam@example.com", CancellationToken.None);
        await kt.Blocklist.AddAsync("example.org", CancellationToken.None);
        await kt.Blocklist.AddAsync("example.org", CancellationToken.None); // blocking again changes nothing

        Assert.Equal(["example.org", "spam@example.com"], (await kt.Blocklist.ListAsync(CancellationToken.None)).Order(StringComparer.Ordinal));

        await kt.Blocklist.RemoveAsync("spam@example.com", CancellationToken.None);
        Assert.Equal(["example.org"], await kt.Blocklist.ListAsync(CancellationToken.None));
    }

    [Theory]
    [InlineData("ann+news@example.com")]
    [InlineData("what?#1@example.com")] // '?' and '#' would end the path unescaped
    [InlineData("100%real@example.com")]
    public async Task AddressesWithCharactersThatMeanSomethingInAUrlAreUnblocked(string address)
    {
        await using var server = await TagflowServer.StartAsync();
        using var kt = await server.NewClientAsync("anna");
        await kt.Blocklist.AddAsync(address, CancellationToken.None);
        Assert.Equal([address], await kt.Blocklist.ListAsync(CancellationToken.None));

        await kt.Blocklist.RemoveAsync(address, CancellationToken.None);

        Assert.Empty(await kt.Blocklist.ListAsync(CancellationToken.None));
    }

    [Fact]
    public async Task UnblockingSomethingNotBlockedIsNotFound()
    {
        await using var server = await TagflowServer.StartAsync();
        using var kt = await server.NewClientAsync("anna");

        var e = await Assert.ThrowsAsync<KlickTippException>(() => kt.Blocklist.RemoveAsync("nobody@example.com", CancellationToken.None));

        Assert.Equal(KlickTippErrorKind.NotFound, e.Kind);
    }

    [Fact]
    public async Task AValueThatIsNeitherAddressNorDomainIsABadRequest()
    {
        await using var server = await TagflowServer.StartAsync();
        using var kt = await server.NewClientAsync("anna");

        var e = await Assert.ThrowsAsync<KlickTippException>(() => kt.Blocklist.AddAsync("not a domain", CancellationToken.None));

        Assert.Equal(KlickTippErrorKind.BadRequest, e.Kind);
    }
}
