using System.Net;
using Tagflow.Tests.Infrastructure;

namespace Tagflow.Tests.Fields;

/// <summary>GET /field and /field/{id}: the 16 standard data fields of WIRE.md, "Data fields".</summary>
public sealed class FieldApiTests
{
    private static readonly string[] StandardKeys =
    [
        "fieldFirstName", "fieldLastName", "fieldCompanyName", "fieldStreet1", "fieldStreet2",
        "fieldCity", "fieldState", "fieldZip", "fieldCountry", "fieldPrivatePhone", "fieldMobilePhone", "fieldPhone",
        "fieldFax", "fieldWebsite", "fieldBirthday", "fieldLeadValue",
    ];

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task TheFieldListMapsExactlyTheSixteenStandardKeysToLabels(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");

        var fields = await WireAssert.OkAsync(await client.GetAsync("/field"));

        Assert.Equal(StandardKeys.Order(StringComparer.Ordinal), fields.EnumerateObject().Select(f => f.Name).Order(StringComparer.Ordinal));
        Assert.All(fields.EnumerateObject(), f => Assert.False(string.IsNullOrWhiteSpace(f.Value.GetString()), f.Name));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AFieldIsFoundWithOrWithoutItsPrefix(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var label = (await WireAssert.OkAsync(await client.GetAsync("/field"))).GetProperty("fieldFirstName").GetString();

        foreach (var path in new[] { "/field/FirstName", "/field/fieldFirstName", "/field/FirstName.json" })
        {
            var field = await WireAssert.OkAsync(await client.GetAsync(path));
            Assert.Equal(["id", "name", "type"], field.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
            Assert.Equal("FirstName", field.GetProperty("id").GetString());
            Assert.Equal(label, field.GetProperty("name").GetString());
            Assert.Equal("line", field.GetProperty("type").GetString());
        }
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnUnknownFieldAnswers404(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");

        Assert.Equal("There is no such entity.", await WireAssert.MessageAsync(await client.GetAsync("/field/Nope"), HttpStatusCode.NotFound));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task FieldsNeedAuthentication(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);

        await WireAssert.MessageAsync(await host.Client.GetAsync("/field"), HttpStatusCode.Forbidden);
        await WireAssert.MessageAsync(await host.Client.GetAsync("/field/FirstName"), HttpStatusCode.Forbidden);
    }
}
