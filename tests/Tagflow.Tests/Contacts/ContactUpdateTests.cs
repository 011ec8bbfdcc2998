using System.Net;
using System.Net.Http.Json;
using Tagflow.Tests.Infrastructure;
using static Tagflow.Tests.Contacts.ContactCalls;

namespace Tagflow.Tests.Contacts;

/// <summary>PUT /subscriber/{id}: data fields, newemail and newsmsnumber; every refusal changes nothing.</summary>
public sealed class ContactUpdateTests
{
    private static readonly Dictionary<string, string> Changed = new() { ["fieldFirstName"] = "Changed" };

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task PutChangesTheGivenFieldsLeavesAbsentOnesAndClearsEmptyOnes(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var shoeSize = await CreateFieldAsync(client, "Shoe size", "number");
        var id = Text(await AddAsync(client, new
        {
            email = "anna@example.com",
            fields = new Dictionary<string, string> { ["fieldFirstName"] = "Anna", ["fieldLastName"] = "Berg", [shoeSize] = "38" },
        }), "id");

        await AssertTrueAsync(await client.PutAsJsonAsync($"/subscriber/{id}",
            new { fields = new Dictionary<string, string> { ["fieldFirstName"] = "Annabelle", [shoeSize] = "", ["fieldCity"] = "Köln" } }));

        var contact = await GetAsync(client, id);
        Assert.Equal("Annabelle", Text(contact, "fieldFirstName"));
        Assert.Equal("Berg", Text(contact, "fieldLastName"));
        Assert.Equal("Köln", Text(contact, "fieldCity"));
        Assert.Equal("", Text(contact, shoeSize));
        Assert.Equal("anna@example.com", Text(contact, "email"));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task PutChangesTheEmailAddressAndTheSmsNumber(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var id = Text(await AddAsync(client, new { email = "anna@example.com", smsnumber = "+4915112345678" }), "id");

        await AssertTrueAsync(await client.PutAsJsonAsync($"/subscriber/{id}", new { newemail = " anna.berg@example.org ", newsmsnumber = "0049 151 87654321" }));

        var contact = await GetAsync(client, id);
        Assert.Equal("anna.berg@example.org", Text(contact, "email"));
        Assert.Equal("004915187654321", Text(contact, "sms_phone"));
        Assert.Equal(id, await SearchAsync(client, "ANNA.BERG@example.org"));
        await WireAssert.MessageAsync(await client.PostAsJsonAsync("/subscriber/search", new { email = "anna@example.com" }), HttpStatusCode.NotFound);
        // The old address and number are free again.
        var other = await AddAsync(client, new { email = "anna@example.com", smsnumber = "+4915112345678" });
        Assert.NotEqual(id, Text(other, "id"));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnotherContactsAddressIsRefusedWithError507(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var id = await AddIdAsync(client, "anna@example.com");
        await AddIdAsync(client, "bert@example.com");
        var before = await AccountState.ReadAsync(client);

        foreach (var newemail in new[] { "bert@example.com", " BERT@Example.com " })
            await WireAssert.RefusedAsync(await client.PutAsJsonAsync($"/subscriber/{id}", new { newemail, fields = Changed }), 507);

        await before.AssertUnchangedAsync(client);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnInvalidNewEmailIsRefusedWithError5(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var id = await AddIdAsync(client, "anna@example.com");
        var before = await AccountState.ReadAsync(client);

        foreach (var newemail in new[] { "a@", "@b.de", "a b@c.de", "Anna <a@b.de>", "a@localhost", "anna" })
            await WireAssert.RefusedAsync(await client.PutAsJsonAsync($"/subscriber/{id}", new { newemail, fields = Changed }), 5);

        await before.AssertUnchangedAsync(client);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ABlockedNewEmailIsRefusedWithError30(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        await AssertTrueAsync(await client.PostAsJsonAsync("/blocklist", new { value = "spam@example.com" }));
        await AssertTrueAsync(await client.PostAsJsonAsync("/blocklist", new { value = "blocked.de" }));
        var id = await AddIdAsync(client, "anna@example.com");
        var before = await AccountState.ReadAsync(client);

        foreach (var newemail in new[] { "spam@example.com", "SPAM@example.com", "anna@blocked.de", "anna@mail.blocked.de" })
            await WireAssert.RefusedAsync(await client.PutAsJsonAsync($"/subscriber/{id}", new { newemail, fields = Changed }), 30);

        await before.AssertUnchangedAsync(client);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ATakenOrInvalidNewSmsNumberIsRefusedWithError9Or11(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var id = Text(await AddAsync(client, new { email = "anna@example.com", smsnumber = "+4915112345678" }), "id");
        await AddAsync(client, new { email = "bert@example.com", smsnumber = "+4915187654321" });
        var before = await AccountState.ReadAsync(client);

        foreach (var newsmsnumber in new[] { "+4915187654321", "004915187654321" })
            await WireAssert.RefusedAsync(await client.PutAsJsonAsync($"/subscriber/{id}", new { newsmsnumber, fields = Changed }), 9);
        foreach (var newsmsnumber in new[] { "12345", "015187654321", "+49 123", "abc" })
            await WireAssert.RefusedAsync(await client.PutAsJsonAsync($"/subscriber/{id}", new { newsmsnumber, fields = Changed }), 11);

        await before.AssertUnchangedAsync(client);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AFieldValueThatDoesNotFitIsRefusedWithError8(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var id = await AddIdAsync(client, "anna@example.com");
        var before = await AccountState.ReadAsync(client);

        var refusal = await WireAssert.RefusedAsync(await client.PutAsJsonAsync($"/subscriber/{id}",
            new { newemail = "anna.berg@example.com", fields = new Dictionary<string, string> { ["fieldFirstName"] = "Anna", ["fieldLeadValue"] = "19,99" } }), 8);
        Assert.Equal("Lead value", refusal.GetProperty("field").GetString());
        Assert.Equal("fieldLeadValue", refusal.GetProperty("name").GetString());
        Assert.Equal("19,99", refusal.GetProperty("field_value").GetString());
        await WireAssert.RefusedAsync(await client.PutAsJsonAsync($"/subscriber/{id}", new { fields = new Dictionary<string, string> { ["fieldNope"] = "x" } }), 8);

        await before.AssertUnchangedAsync(client);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnUnknownContactIdIsRefusedWithError401(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var id = await AddIdAsync(client, "anna@example.com");
        var before = await AccountState.ReadAsync(client);
        var unknown = Id(long.Parse(id, System.Globalization.CultureInfo.InvariantCulture) + 1000);

        Assert.Equal("There is no such entity.", await WireAssert.MessageAsync(await client.GetAsync($"/subscriber/{unknown}"), HttpStatusCode.NotFound));
        await WireAssert.RefusedAsync(await client.PutAsJsonAsync($"/subscriber/{unknown}", new { fields = Changed }), 401);
        await WireAssert.RefusedAsync(await client.PutAsJsonAsync($"/subscriber/{unknown}", new { newemail = "new@example.com" }), 401);

        await before.AssertUnchangedAsync(client);
        await WireAssert.MessageAsync(await client.PostAsJsonAsync("/subscriber/search", new { email = "new@example.com" }), HttpStatusCode.NotFound);
    }
}
