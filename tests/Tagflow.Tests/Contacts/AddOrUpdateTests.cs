using System.Net.Http.Json;
using Tagflow.Tests.Infrastructure;
using static Tagflow.Tests.Contacts.ContactCalls;

namespace Tagflow.Tests.Contacts;

/// <summary>POST /subscriber finds a contact by email (else SMS number) and updates it, or creates one.</summary>
public sealed class AddOrUpdateTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnAddressIsStoredTrimmedAndFoundAgainRegardlessOfCaseAndSurroundingSpaces(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var created = await AddAsync(client, new { email = "  Anna.Berg@Example.com\t" });
        var id = Text(created, "id");
        Assert.Equal("Anna.Berg@Example.com", Text(created, "email"));

        foreach (var email in new[] { "anna.berg@example.com", "  ANNA.BERG@EXAMPLE.COM  ", "\tAnna.Berg@example.COM\n" })
        {
            var found = await AddAsync(client, new { email });
            Assert.Equal(id, Text(found, "id"));
            Assert.Equal("Anna.Berg@Example.com", Text(found, "email"));
        }

        Assert.Equal([id], await ListAllAsync(client));
        Assert.Equal([new ContactEventView("contact.created", id)], await EventsAsync(client));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnInternationalisedDomainMatchesItsPunycodeForm(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var unicode = Text(await AddAsync(client, new { email = "anna@bücher.de" }), "id");
        var punycode = Text(await AddAsync(client, new { email = "bert@xn--bcher-kva.de" }), "id");

        Assert.Equal(unicode, Text(await AddAsync(client, new { email = "anna@xn--bcher-kva.de" }), "id"));
        Assert.Equal(unicode, Text(await AddAsync(client, new { email = "ANNA@BÜCHER.DE" }), "id"));
        Assert.Equal(punycode, Text(await AddAsync(client, new { email = "bert@bücher.de" }), "id"));

        Assert.Equal(2, (await ListAllAsync(client)).Length);
        Assert.Equal("anna@bücher.de", Text(await GetAsync(client, unicode), "email"));
        Assert.Equal(unicode, await SearchAsync(client, "anna@xn--bcher-kva.de"));
        Assert.Equal(punycode, await SearchAsync(client, "bert@bücher.de"));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AContactIsFoundBySmsNumberWhenNoEmailMatches(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var id = Text(await AddAsync(client, new { smsnumber = "+4915112345678" }), "id");

        var named = await AddAsync(client, new { smsnumber = "0049 151 12345678", fields = new Dictionary<string, string> { ["fieldFirstName"] = "Anna" } });
        var withEmail = await AddAsync(client, new { email = "anna@example.com", smsnumber = "+49 151 12345678" });

        Assert.Equal(id, Text(named, "id"));
        Assert.Equal(id, Text(withEmail, "id"));
        Assert.Equal("anna@example.com", Text(withEmail, "email"));
        Assert.Equal("Anna", Text(withEmail, "fieldFirstName"));
        Assert.Equal("004915112345678", Text(withEmail, "sms_phone"));
        Assert.Equal([id], await ListAllAsync(client));
        Assert.Equal(id, await SearchAsync(client, "anna@example.com"));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnSmsNumberOfAContactWithAnotherAddressIsRefusedWithError9RatherThanChangingItsAddress(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var id = Text(await AddAsync(client, new { email = "anna@example.com", smsnumber = "+4915112345678" }), "id");
        var before = await AccountState.ReadAsync(client);

        await WireAssert.RefusedAsync(await client.PostAsJsonAsync("/subscriber", new { email = "bert@example.com", smsnumber = "+4915112345678" }), 9);

        await before.AssertUnchangedAsync(client);
        Assert.Equal("anna@example.com", Text(await GetAsync(client, id), "email"));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AbsentFieldKeysAreUntouchedAndAnEmptyStringClears(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var shoeSize = await CreateFieldAsync(client, "Shoe size", "number");
        var id = Text(await AddAsync(client, new
        {
            email = "anna@example.com",
            fields = new Dictionary<string, string> { ["fieldFirstName"] = "Anna", ["fieldLastName"] = "Berg", ["fieldCity"] = "Köln", [shoeSize] = "38" },
        }), "id");

        var updated = await AddAsync(client, new { email = "anna@example.com", fields = new Dictionary<string, string> { ["fieldFirstName"] = "Annabelle", ["fieldCity"] = "" } });
        var untouched = await AddAsync(client, new { email = "anna@example.com" });

        foreach (var contact in new[] { updated, untouched, await GetAsync(client, id) })
        {
            Assert.Equal(id, Text(contact, "id"));
            Assert.Equal("Annabelle", Text(contact, "fieldFirstName"));
            Assert.Equal("Berg", Text(contact, "fieldLastName"));
            Assert.Equal("", Text(contact, "fieldCity"));
            Assert.Equal("38", Text(contact, shoeSize));
        }
        var cleared = await AddAsync(client, new { email = "anna@example.com", fields = new Dictionary<string, string> { [shoeSize] = "" } });
        Assert.Equal("", Text(cleared, shoeSize));
        Assert.Equal("Berg", Text(cleared, "fieldLastName"));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ATagIdIsAddedWhenCreatingAndWhenUpdating(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var kunde = await CreateTagAsync(client, "Kunde");
        var vip = await CreateTagAsync(client, "VIP");

        var created = await AddAsync(client, new { email = "anna@example.com", tagid = kunde, fields = new Dictionary<string, string> { ["fieldFirstName"] = "Anna" } });
        var first = UnixNow(host);
        host.Clock.Advance(TimeSpan.FromHours(1));
        var updated = await AddAsync(client, new { email = "anna@example.com", tagid = vip });

        Assert.Equal(new Dictionary<string, string> { [Id(kunde)] = first }, Map(created, "manual_tags"));
        Assert.Equal(new Dictionary<string, string> { [Id(kunde)] = first, [Id(vip)] = UnixNow(host) }, Map(updated, "manual_tags"));
        Assert.Equal(new[] { Id(kunde), Id(vip) }.Order(StringComparer.Ordinal), TagIds(updated).Order(StringComparer.Ordinal));
        Assert.Equal("Anna", Text(updated, "fieldFirstName"));
        Assert.Equal(Text(created, "id"), Text(updated, "id"));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task UpdatingAnExistingContactKeepsItsStatusAndSignupProof(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var created = await AddAsync(client, new { email = "anna@example.com" });
        host.Clock.Advance(TimeSpan.FromDays(1));

        var updated = await AddAsync(client, new { email = "anna@example.com", fields = new Dictionary<string, string> { ["fieldFirstName"] = "Anna" } });

        foreach (var key in new[] { "id", "listid", "status", "date", "ip", "optin", "optin_ip" })
            Assert.Equal(Text(created, key), Text(updated, key));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnAddressOfTheLongestLengthAllowedIsAccepted(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var longest = "anna@" + string.Join('.', new string('b', 61), new string('c', 61), new string('d', 61), new string('e', 60)) + ".de";
        Assert.Equal(254, longest.Length);

        var contact = await AddAsync(client, new { email = longest });

        Assert.Equal(longest, Text(contact, "email"));
        Assert.Equal(Text(contact, "id"), await SearchAsync(client, longest.ToUpperInvariant()));
    }
}
