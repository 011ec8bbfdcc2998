using System.Net;
using System.Net.Http.Json;
using Tagflow.Tests.Infrastructure;
using static Tagflow.Tests.Contacts.ContactCalls;

namespace Tagflow.Tests.Contacts;

/// <summary>POST /subscriber/search answers <c>[id]</c> as a number, or 404.</summary>
public sealed class SearchTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task SearchFindsTheContactRegardlessOfCaseSpacesAndDomainForm(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var anna = await AddIdAsync(client, "Anna@Example.com");
        var jan = await AddIdAsync(client, "jan@bücher.de");
        await AddIdAsync(client, "bert@example.com");

        foreach (var email in new[] { "Anna@Example.com", "anna@example.com", "  ANNA@EXAMPLE.COM  " })
            Assert.Equal(anna, await SearchAsync(client, email));
        foreach (var email in new[] { "jan@bücher.de", "jan@xn--bcher-kva.de", "JAN@BÜCHER.DE" })
            Assert.Equal(jan, await SearchAsync(client, email));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task SearchFindsAnUnsubscribedContactToo(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var id = await AddIdAsync(client, "anna@example.com");
        await UnsubscribeAsync(client, "anna@example.com");

        Assert.Equal(id, await SearchAsync(client, "anna@example.com"));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnUnknownAddressAnswers404(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        await AddIdAsync(client, "anna@example.com");
        var before = await AccountState.ReadAsync(client);

        foreach (var email in new[] { "bert@example.com", "anna@example.org", "anna@example", "not an address" })
            Assert.Equal("There is no such entity.",
                await WireAssert.MessageAsync(await client.PostAsJsonAsync("/subscriber/search", new { email }), HttpStatusCode.NotFound));

        await before.AssertUnchangedAsync(client);
    }
}
