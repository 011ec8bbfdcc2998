using Tagflow.Tests.Infrastructure;

namespace Tagflow.Tests.Fields;

/// <summary>
/// The 16 standard fields have fixed types (WIRE.md, "Data fields"): fieldBirthday a Date,
/// fieldLeadValue a Decimal, fieldWebsite a URL, the rest Lines; phone numbers are stored as 0049….
/// </summary>
public sealed class StandardFieldTypeTests
{
    private static readonly string[] LineKeys =
    [
        "fieldFirstName", "fieldLastName", "fieldCompanyName", "fieldStreet1", "fieldStreet2",
        "fieldCity", "fieldState", "fieldZip", "fieldCountry",
    ];

    private static readonly string[] PhoneKeys = ["fieldPrivatePhone", "fieldMobilePhone", "fieldPhone", "fieldFax"];

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task EachStandardFieldReportsItsType(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var expected = LineKeys.Concat(PhoneKeys).ToDictionary(k => k, _ => "line");
        expected["fieldWebsite"] = "url";
        expected["fieldBirthday"] = "date";
        expected["fieldLeadValue"] = "decimal";

        var actual = new Dictionary<string, string>();
        foreach (var key in expected.Keys)
            actual[key] = (await WireAssert.OkAsync(await client.GetAsync($"/field/{key["field".Length..]}"))).GetProperty("type").GetString()!;

        Assert.Equal(expected, actual);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task StandardFieldValuesAreCheckedAgainstTheirTypes(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var labels = await WireAssert.OkAsync(await client.GetAsync("/field"));
        string Label(string key) => labels.GetProperty(key).GetString()!;
        var target = Subscriber.Id(await Subscriber.AddAsync(client, new { email = "target@example.com" }));
        var checks = new FieldValueChecks(client);

        await checks.AcceptsAsync(target, "fieldBirthday", "-315619200", "-315619200");
        await checks.AcceptsAsync(target, "fieldBirthday", "1715126400", "1715126400");
        foreach (var refused in new[] { "08.05.2024", "2024-05-08", "1715126400 ", "abc" })
            await checks.RefusesAsync(target, "target@example.com", "fieldBirthday", Label("fieldBirthday"), refused, refused);

        await checks.AcceptsAsync(target, "fieldLeadValue", "1999", "19.99");
        await checks.AcceptsAsync(target, "fieldLeadValue", "19.5", "19.50");
        await checks.AcceptsAsync(target, "fieldLeadValue", "-5", "-0.05");
        foreach (var refused in new[] { "19,99", "19.999", "abc" })
            await checks.RefusesAsync(target, "target@example.com", "fieldLeadValue", Label("fieldLeadValue"), refused, refused);

        await checks.AcceptsAsync(target, "fieldWebsite", "https://www.example.com/shop", "https://www.example.com/shop");
        foreach (var refused in new[] { "www.example.com", "ftp://example.com", "/path" })
            await checks.RefusesAsync(target, "target@example.com", "fieldWebsite", Label("fieldWebsite"), refused, refused);

        foreach (var key in LineKeys)
        {
            await checks.AcceptsAsync(target, key, "Über 12 & <Co>", "Über 12 & <Co>");
            await checks.RefusesAsync(target, "target@example.com", key, Label(key), "two\nlines", "two\nlines");
        }
        foreach (var key in PhoneKeys)
            await checks.RefusesAsync(target, "target@example.com", key, Label(key), "+49170\n1234567", "+49170\n1234567");

        checks.AssertAllAsExpected();
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task PhoneFieldsStoreInternationalNumbersInTheir00Form(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var target = Subscriber.Id(await Subscriber.AddAsync(client, new { email = "target@example.com" }));
        var checks = new FieldValueChecks(client);

        foreach (var key in PhoneKeys)
        {
            await checks.AcceptsAsync(target, key, "+491701234567", "00491701234567");
            await checks.AcceptsAsync(target, key, "00491701234567", "00491701234567");
            await checks.AcceptsAsync(target, key, "+436641234567", "00436641234567");
        }

        checks.AssertAllAsExpected();
    }
}
