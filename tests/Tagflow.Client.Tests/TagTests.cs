using Tagflow.Client.Tests.Infrastructure;

namespace Tagflow.Client.Tests;

/// <summary>kt.Tags against a real Tagflow server.</summary>
public sealed class TagTests
{
    [Fact]
    public async Task ATagIsCreatedReadRenamedListedAndDeleted()
    {
        await using var server = await TagflowServer.StartAsync();
        using var kt = await server.NewClientAsync("anna");

        var id = await kt.Tags.CreateAsync("Customer", "Bought once", CancellationToken.None);
        Assert.Equal(new Tag(id, "Customer", "Bought once"), await kt.Tags.GetAsync(id, CancellationToken.None));

        await kt.Tags.UpdateAsync(id, name: "Buyer", cancellationToken: CancellationToken.None);
        await kt.Tags.UpdateAsync(id, text: "Bought twice", cancellationToken: CancellationToken.None);
        Assert.Equal(new Tag(id, "Buyer", "Bought twice"), await kt.Tags.GetAsync(id, CancellationToken.None));
        Assert.Equal("Buyer", (await kt.Tags.ListAsync(CancellationToken.None))[id]);

        await kt.Tags.DeleteAsync(id, CancellationToken.None);
        Assert.Empty(await kt.Tags.ListAsync(CancellationToken.None));
        var e = await Assert.ThrowsAsync<KlickTippException>(() => kt.Tags.GetAsync(id, CancellationToken.None));
        Assert.Equal(KlickTippErrorKind.NotFound, e.Kind);
    }

    [Fact]
    public async Task GetOrCreateFindsAnExistingTagRegardlessOfCaseAndSpaces()
    {
        await using var server = await TagflowServer.StartAsync();
        using var kt = await server.NewClientAsync("anna");
        var id = await kt.Tags.CreateAsync("Webinar 2026", cancellationToken: CancellationToken.None);

        Assert.Equal(id, await kt.Tags.GetOrCreateAsync("  webinar 2026 ", CancellationToken.None));
        Assert.Single(await kt.Tags.ListAsync(CancellationToken.None));
    }

    [Fact]
    public async Task GetOrCreateCreatesAMissingTagOnce()
    {
        await using var server = await TagflowServer.StartAsync();
        using var kt = await server.NewClientAsync("anna");

        var created = await kt.Tags.GetOrCreateAsync("Newsletter", CancellationToken.None);
        var again = await kt.Tags.GetOrCreateAsync("Newsletter", CancellationToken.None);

        Assert.Equal(created, again);
        Assert.Equal("Newsletter", (await kt.Tags.ListAsync(CancellationToken.None))[created]);
    }

    [Fact]
    public async Task ConcurrentGetOrCreateCallsAgreeOnOneTag()
    {
        await using var server = await TagflowServer.StartAsync();
        using var kt = await server.NewClientAsync("anna");

        var ids = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => kt.Tags.GetOrCreateAsync("Lead", CancellationToken.None)));

        Assert.Single(ids.Distinct());
        Assert.Single(await kt.Tags.ListAsync(CancellationToken.None));
    }
}
