using System.Net;
using System.Net.Http.Json;
using Tagflow.Tests.Infrastructure;
using static Tagflow.Tests.Contacts.ContactCalls;

namespace Tagflow.Tests.Contacts;

/// <summary>POST /subscriber refuses what the address (or its absence) rules out, and changes nothing.</summary>
public sealed class AddressRefusalTests
{
    /// <summary>255 characters: one more than an address may have, though each part alone is fine.</summary>
    private static readonly string TooLong = "anna@" + string.Join('.', new string('b', 61), new string('c', 61), new string('d', 61), new string('e', 61)) + ".de";

    private static readonly string[] BadAddresses =
    [
        "a@", "@b.de", "a b@c.de", "Anna <a@b.de>", "a@localhost", "anna", "a@@b.de", "a@b..de", "a@-b.de", "a@b.de, c@d.de",
        TooLong, "x" + TooLong + new string('f', 40),
    ];

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task NeitherEmailNorSmsNumberIsRefusedWithError32(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var tag = await CreateTagAsync(client, "Kunde");
        await AddAsync(client, new { email = "anna@example.com", fields = new Dictionary<string, string> { ["fieldFirstName"] = "Anna" } });
        var before = await AccountState.ReadAsync(client);

        object[] bodies =
        [
            new { }, new { email = "" }, new { email = "   ", smsnumber = "" },
            new { fields = new Dictionary<string, string> { ["fieldFirstName"] = "Bert" }, tagid = tag },
        ];
        foreach (var body in bodies)
            await WireAssert.RefusedAsync(await client.PostAsJsonAsync("/subscriber", body), 32);
        using var form = new FormUrlEncodedContent([new("fields[fieldFirstName]", "Bert")]);
        await WireAssert.RefusedAsync(await client.PostAsync("/subscriber", form), 32);

        await before.AssertUnchangedAsync(client);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnInvalidAddressIsRefusedWithError5(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        await AddAsync(client, new { email = "anna@example.com", smsnumber = "+4915112345678" });
        var before = await AccountState.ReadAsync(client);
        Assert.Equal(255, TooLong.Length);

        foreach (var email in BadAddresses)
        {
            await WireAssert.RefusedAsync(await client.PostAsJsonAsync("/subscriber", new { email }), 5);
            // Not even the contact the SMS number would find is touched.
            await WireAssert.RefusedAsync(await client.PostAsJsonAsync("/subscriber",
                new { email, smsnumber = "+4915112345678", fields = new Dictionary<string, string> { ["fieldFirstName"] = "Changed" } }), 5);
        }

        await before.AssertUnchangedAsync(client);
        foreach (var email in BadAddresses)
            await WireAssert.MessageAsync(await client.PostAsJsonAsync("/subscriber/search", new { email }), HttpStatusCode.NotFound);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ABlockedAddressOrDomainIsRefusedWithError30(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        await AssertTrueAsync(await client.PostAsJsonAsync("/blocklist", new { value = "spam@example.com" }));
        await AssertTrueAsync(await client.PostAsJsonAsync("/blocklist", new { value = "blocked.de" }));
        await AddIdAsync(client, "anna@example.com");
        var before = await AccountState.ReadAsync(client);

        foreach (var email in new[] { "spam@example.com", " SPAM@Example.COM ", "anna@blocked.de", "anna@BLOCKED.DE", "anna@mail.blocked.de", "x@a.b.blocked.de" })
            await WireAssert.RefusedAsync(await client.PostAsJsonAsync("/subscriber",
                new { email, fields = new Dictionary<string, string> { ["fieldFirstName"] = "Spam" } }), 30);

        await before.AssertUnchangedAsync(client);
        // A block is exact: the same name inside another domain, or another address of the domain, passes.
        foreach (var email in new[] { "anna@notblocked.de", "anna@blocked.de.example.com", "ham@example.com" })
            Assert.Equal(email, Text(await AddAsync(client, new { email }), "email"));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task SubscribingAnUnsubscribedAddressIsRefusedWithError4(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var tag = await CreateTagAsync(client, "Kunde");
        var single = await DatabaseSetup.AddSingleOptInProcessAsync(host, "anna");
        await AddAsync(client, new { email = "anna@example.com", fields = new Dictionary<string, string> { ["fieldFirstName"] = "Anna" } });
        await UnsubscribeAsync(client, "anna@example.com");
        host.Clock.Advance(TimeSpan.FromHours(1));
        var before = await AccountState.ReadAsync(client);

        object[] bodies =
        [
            new { email = "anna@example.com" },
            new { email = " ANNA@example.com ", fields = new Dictionary<string, string> { ["fieldFirstName"] = "Changed" } },
            new { email = "anna@example.com", tagid = tag },
            new { email = "anna@example.com", listid = single },
            new { email = "anna@example.com", smsnumber = "+4915112345678" },
        ];
        foreach (var body in bodies)
            await WireAssert.RefusedAsync(await client.PostAsJsonAsync("/subscriber", body), 4);

        await before.AssertUnchangedAsync(client);
    }
}
