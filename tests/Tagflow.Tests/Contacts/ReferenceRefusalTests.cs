using System.Net.Http.Json;
using Tagflow.Tests.Infrastructure;
using static Tagflow.Tests.Contacts.ContactCalls;

namespace Tagflow.Tests.Contacts;

/// <summary>
/// POST /subscriber refuses unknown opt-in processes and tags, SmartTags, bad or taken SMS numbers and
/// field values that do not fit, for a new contact and for an existing one alike, and changes nothing.
/// </summary>
public sealed class ReferenceRefusalTests
{
    private static readonly Dictionary<string, string> Changed = new() { ["fieldFirstName"] = "Changed" };

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnUnknownOrForeignOptInProcessIsRefusedWithError402(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var anna = await host.NewAccountClientAsync("anna");
        using var bert = await host.NewAccountClientAsync("bert");
        var berts = await PredefinedListIdAsync(bert);
        await AddAsync(anna, new { email = "anna@example.com", fields = new Dictionary<string, string> { ["fieldFirstName"] = "Anna" } });
        var before = await AccountState.ReadAsync(anna);

        foreach (var listid in new object[] { 424242, "424242", berts, long.Parse(berts, System.Globalization.CultureInfo.InvariantCulture) })
        {
            await WireAssert.RefusedAsync(await anna.PostAsJsonAsync("/subscriber", new { email = "new@example.com", listid }), 402);
            await WireAssert.RefusedAsync(await anna.PostAsJsonAsync("/subscriber", new { email = "anna@example.com", listid, fields = Changed }), 402);
        }

        await before.AssertUnchangedAsync(anna);
        Assert.Empty(await ListAsync(bert));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnUnknownOrForeignTagIsRefusedWithError403(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var anna = await host.NewAccountClientAsync("anna");
        using var bert = await host.NewAccountClientAsync("bert");
        var berts = await CreateTagAsync(bert, "Kunde");
        await AddAsync(anna, new { email = "anna@example.com", fields = new Dictionary<string, string> { ["fieldFirstName"] = "Anna" } });
        var before = await AccountState.ReadAsync(anna);

        foreach (var tagid in new object[] { 424242, "424242", berts })
        {
            await WireAssert.RefusedAsync(await anna.PostAsJsonAsync("/subscriber", new { email = "new@example.com", tagid }), 403);
            await WireAssert.RefusedAsync(await anna.PostAsJsonAsync("/subscriber", new { email = "anna@example.com", tagid, fields = Changed }), 403);
        }

        await before.AssertUnchangedAsync(anna);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ASmartTagIsRefusedWithError31(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var smart = await DatabaseSetup.AddSmartTagAsync(host, "anna", "Opt-in confirmed");
        await AddAsync(client, new { email = "anna@example.com", fields = new Dictionary<string, string> { ["fieldFirstName"] = "Anna" } });
        var before = await AccountState.ReadAsync(client);

        await WireAssert.RefusedAsync(await client.PostAsJsonAsync("/subscriber", new { email = "new@example.com", tagid = smart }), 31);
        await WireAssert.RefusedAsync(await client.PostAsJsonAsync("/subscriber", new { email = "anna@example.com", tagid = smart, fields = Changed }), 31);

        await before.AssertUnchangedAsync(client);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnInvalidSmsNumberIsRefusedWithError11(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        await AddAsync(client, new { email = "anna@example.com", fields = new Dictionary<string, string> { ["fieldFirstName"] = "Anna" } });
        var before = await AccountState.ReadAsync(client);

        foreach (var smsnumber in new[] { "12345", "015112345678", "+49 123", "+49151123456789012345", "abc", "+999 1234567", "0049" })
        {
            await WireAssert.RefusedAsync(await client.PostAsJsonAsync("/subscriber", new { smsnumber }), 11);
            await WireAssert.RefusedAsync(await client.PostAsJsonAsync("/subscriber", new { email = "new@example.com", smsnumber }), 11);
            await WireAssert.RefusedAsync(await client.PostAsJsonAsync("/subscriber", new { email = "anna@example.com", smsnumber, fields = Changed }), 11);
        }

        await before.AssertUnchangedAsync(client);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnSmsNumberWithLettersIsRefusedWithError11RatherThanReadAsKeypadDigits(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var before = await AccountState.ReadAsync(client);

        foreach (var smsnumber in new[] { "+49 151 abc 45678", "+49151CALLANNA" })
            await WireAssert.RefusedAsync(await client.PostAsJsonAsync("/subscriber", new { email = "anna@example.com", smsnumber }), 11);

        await before.AssertUnchangedAsync(client);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnotherContactsSmsNumberIsRefusedWithError9(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        await AddAsync(client, new { email = "anna@example.com", smsnumber = "+4915112345678" });
        await AddAsync(client, new { email = "bert@example.com", smsnumber = "+4915187654321", fields = new Dictionary<string, string> { ["fieldFirstName"] = "Bert" } });
        await AddAsync(client, new { email = "carl@example.com" });
        var before = await AccountState.ReadAsync(client);

        foreach (var smsnumber in new[] { "+4915112345678", "004915112345678", "+49 151 12345678" })
        {
            await WireAssert.RefusedAsync(await client.PostAsJsonAsync("/subscriber", new { email = "bert@example.com", smsnumber, fields = Changed }), 9);
            await WireAssert.RefusedAsync(await client.PostAsJsonAsync("/subscriber", new { email = "carl@example.com", smsnumber }), 9);
        }

        await before.AssertUnchangedAsync(client);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AFieldValueThatDoesNotFitIsRefusedWithError8NamingTheField(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var shoeSize = await CreateFieldAsync(client, "Shoe size", "number");
        await AddAsync(client, new { email = "anna@example.com", fields = new Dictionary<string, string> { ["fieldFirstName"] = "Anna", [shoeSize] = "38" } });
        var before = await AccountState.ReadAsync(client);

        (string Key, string Label, string Value)[] misfits =
        [
            ("fieldBirthday", "Birthday", "08.05.2024"),
            (shoeSize, "Shoe size", "forty"),
            ("fieldWebsite", "Website", "example.com"),
            ("fieldFirstName", "First name", "Anna\nBerg"),
        ];
        foreach (var (key, label, value) in misfits)
            foreach (var email in new[] { "anna@example.com", "new@example.com" })
            {
                // The fitting value sent beside the misfit is not stored either.
                var fields = new Dictionary<string, string> { ["fieldLastName"] = "Berg", [key] = value };
                var refusal = await WireAssert.RefusedAsync(await client.PostAsJsonAsync("/subscriber", new { email, fields }), 8);
                Assert.Equal(["error", "field", "field_value", "name", "reason"], refusal.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
                Assert.Equal(label, refusal.GetProperty("field").GetString());
                Assert.Equal(key, refusal.GetProperty("name").GetString());
                Assert.Equal(value, refusal.GetProperty("field_value").GetString());
                Assert.False(string.IsNullOrWhiteSpace(refusal.GetProperty("reason").GetString()));
            }

        await before.AssertUnchangedAsync(client);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnUnknownOrForeignFieldKeyIsRefusedWithError8(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var anna = await host.NewAccountClientAsync("anna");
        using var bert = await host.NewAccountClientAsync("bert");
        var bertsField = await CreateFieldAsync(bert, "Shoe size", "number");
        await AddAsync(anna, new { email = "anna@example.com", fields = new Dictionary<string, string> { ["fieldFirstName"] = "Anna" } });
        var before = await AccountState.ReadAsync(anna);

        foreach (var key in new[] { "fieldNope", "field424242", bertsField, "FirstName", "nickname" })
            foreach (var email in new[] { "anna@example.com", "new@example.com" })
            {
                var fields = new Dictionary<string, string> { ["fieldFirstName"] = "Changed", [key] = "42" };
                var refusal = await WireAssert.RefusedAsync(await anna.PostAsJsonAsync("/subscriber", new { email, fields }), 8);
                Assert.Equal(key, refusal.GetProperty("name").GetString());
                Assert.Equal("42", refusal.GetProperty("field_value").GetString());
                Assert.False(string.IsNullOrWhiteSpace(refusal.GetProperty("reason").GetString()));
            }

        await before.AssertUnchangedAsync(anna);
    }
}
