using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tagflow.Data;
using Tagflow.Tests.Infrastructure;

namespace Tagflow.Tests.Fields;

/// <summary>Tagflow's data field management: POST /field, PUT /field/{id}, DELETE /field/{id} (issue 3, "Data fields").</summary>
public sealed class FieldManagementTests
{
    private static readonly string[] Types = ["line", "paragraph", "email", "number", "decimal", "url", "time", "date", "datetime", "html"];

    private static readonly string[] StandardKeys =
    [
        "fieldFirstName", "fieldLastName", "fieldCompanyName", "fieldStreet1", "fieldStreet2",
        "fieldCity", "fieldState", "fieldZip", "fieldCountry", "fieldPrivatePhone", "fieldMobilePhone", "fieldPhone",
        "fieldFax", "fieldWebsite", "fieldBirthday", "fieldLeadValue",
    ];

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AFieldOfEachTypeIsCreatedAndReadBackWithItsIdNameAndType(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");

        var keys = new List<string>();
        foreach (var type in Types)
        {
            var key = await CreateAsync(client, $"My {type}", type);
            keys.Add(key);
            var id = key["field".Length..];
            foreach (var path in new[] { $"/field/{id}", $"/field/{key}", $"/field/{id}.json" })
            {
                var field = await WireAssert.OkAsync(await client.GetAsync(path));
                Assert.Equal(["id", "name", "type"], field.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
                Assert.Equal(id, field.GetProperty("id").GetString());
                Assert.Equal($"My {type}", field.GetProperty("name").GetString());
                Assert.Equal(type, field.GetProperty("type").GetString());
            }
        }

        Assert.Equal(keys.Count, keys.Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task TheFieldListShowsCustomFieldsAfterTheStandardOnesInOrderOfCreation(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var size = await CreateAsync(client, "Shoe size", "number");
        var colour = await CreateAsync(client, "Favourite colour", "line");
        var anniversary = await CreateAsync(client, "Anniversary", "date");

        var fields = (await WireAssert.OkAsync(await client.GetAsync("/field"))).EnumerateObject().ToList();

        Assert.Equal(StandardKeys.Order(StringComparer.Ordinal), fields.Take(16).Select(f => f.Name).Order(StringComparer.Ordinal));
        Assert.Equal([size, colour, anniversary], fields.Skip(16).Select(f => f.Name));
        Assert.Equal(["Shoe size", "Favourite colour", "Anniversary"], fields.Skip(16).Select(f => f.Value.GetString()));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task RenamingAFieldChangesItsNameEverywhereAndKeepsItsTypeAndValues(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var key = await CreateAsync(client, "Shoe size", "number");
        var id = key["field".Length..];
        var contact = Subscriber.Id(await Subscriber.AddAsync(client, new { email = "anna@example.com", fields = new Dictionary<string, string> { [key] = "38" } }));

        await AssertTrueAsync(await client.PutAsJsonAsync($"/field/{id}", new { name = "Shoe size EU" }));

        var field = await WireAssert.OkAsync(await client.GetAsync($"/field/{id}"));
        Assert.Equal("Shoe size EU", field.GetProperty("name").GetString());
        Assert.Equal("number", field.GetProperty("type").GetString());
        Assert.Equal("Shoe size EU", (await WireAssert.OkAsync(await client.GetAsync("/field"))).GetProperty(key).GetString());
        Assert.Equal("38", (await Subscriber.GetAsync(client, contact)).GetProperty(key).GetString());
        var refusal = await WireAssert.RefusedAsync(await client.PostAsJsonAsync("/subscriber",
            new { email = "anna@example.com", fields = new Dictionary<string, string> { [key] = "38.5" } }), 8);
        Assert.Equal("Shoe size EU", refusal.GetProperty("field").GetString());

        // The key form of the id works too; a field's own name in another case is no clash; the same type is no change.
        await AssertTrueAsync(await client.PutAsJsonAsync($"/field/{key}", new { name = "shoe size eu" }));
        await AssertTrueAsync(await client.PutAsJsonAsync($"/field/{id}", new { name = "Size", type = "number" }));
        field = await WireAssert.OkAsync(await client.GetAsync($"/field/{key}"));
        Assert.Equal("Size", field.GetProperty("name").GetString());
        Assert.Equal("number", field.GetProperty("type").GetString());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ChangingAFieldsTypeIsRefusedWith604AndChangesNothing(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var key = await CreateAsync(client, "Shoe size", "number");
        var id = key["field".Length..];

        foreach (var type in Types.Where(t => t != "number"))
            await WireAssert.RefusedAsync(await client.PutAsJsonAsync($"/field/{id}", new { name = "Renamed", type }), 604);
        // A type that does not exist is a malformed request, not a change of type.
        await WireAssert.MessageAsync(await client.PutAsJsonAsync($"/field/{id}", new { name = "Renamed", type = "integer" }), System.Net.HttpStatusCode.BadRequest);

        var field = await WireAssert.OkAsync(await client.GetAsync($"/field/{id}"));
        Assert.Equal("Shoe size", field.GetProperty("name").GetString());
        Assert.Equal("number", field.GetProperty("type").GetString());
        var refusal = await WireAssert.RefusedAsync(await client.PostAsJsonAsync("/subscriber",
            new { email = "anna@example.com", fields = new Dictionary<string, string> { [key] = "thirty-eight" } }), 8);
        Assert.Equal("Shoe size", refusal.GetProperty("field").GetString());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AStandardFieldCannotBeRenamedOrDeleted602(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var before = await client.GetStringAsync("/field");
        var contact = Subscriber.Id(await Subscriber.AddAsync(client,
            new { email = "anna@example.com", fields = new { fieldFirstName = "Anna", fieldBirthday = "1715126400" } }));

        foreach (var id in new[] { "FirstName", "fieldFirstName", "LeadValue", "fieldBirthday", "Website" })
        {
            await WireAssert.RefusedAsync(await client.PutAsJsonAsync($"/field/{id}", new { name = "Vorname" }), 602);
            await WireAssert.RefusedAsync(await client.DeleteAsync($"/field/{id}"), 602);
        }

        Assert.Equal(before, await client.GetStringAsync("/field"));
        var stored = await Subscriber.GetAsync(client, contact);
        Assert.Equal("Anna", stored.GetProperty("fieldFirstName").GetString());
        Assert.Equal("1715126400", stored.GetProperty("fieldBirthday").GetString());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ANameTakenByAnotherFieldOrAStandardLabelInAnyCaseIsRefusedWith603(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var size = await CreateAsync(client, "Shoe size", "number");
        var colour = await CreateAsync(client, "Colour", "line");
        var standardLabels = (await WireAssert.OkAsync(await client.GetAsync("/field"))).EnumerateObject()
            .Where(f => f.Name != size && f.Name != colour).Select(f => f.Value.GetString()!).ToList();
        Assert.Equal(16, standardLabels.Count);

        var taken = new List<string> { "Shoe size", "SHOE SIZE", "shoe size", "  Shoe size  ", "first NAME" };
        taken.AddRange(standardLabels.Select(l => l.ToUpperInvariant()));
        foreach (var name in taken)
        {
            await WireAssert.RefusedAsync(await client.PostAsJsonAsync("/field", new { name, type = "line" }), 603);
            await WireAssert.RefusedAsync(await client.PutAsJsonAsync($"/field/{colour}", new { name }), 603);
        }

        var fields = await WireAssert.OkAsync(await client.GetAsync("/field"));
        Assert.Equal(18, fields.EnumerateObject().Count());
        Assert.Equal("Colour", fields.GetProperty(colour).GetString());
        Assert.Equal("Shoe size", fields.GetProperty(size).GetString());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AFieldCreatedWithOnlyANameIsALineOfTextAsOlderClientsExpect(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");

        foreach (var body in new object[] { new { name = "Notiz" }, new { name = "Hinweis", type = "" } })
        {
            var key = Assert.Single((await WireAssert.OkAsync(await client.PostAsJsonAsync("/field", body))).EnumerateArray()).GetString()!;
            var field = await WireAssert.OkAsync(await client.GetAsync($"/field/{key["field".Length..]}"));
            Assert.Equal("line", field.GetProperty("type").GetString());
            // A line refuses line breaks (error 8), as any line field does.
            await WireAssert.RefusedAsync(await client.PostAsJsonAsync("/subscriber",
                new { email = "ann@example.com", fields = new Dictionary<string, string> { [key] = "two\nlines" } }), 8);
        }
        using var form = new FormUrlEncodedContent([new("name", "Quelle")]);
        Assert.Matches("^\\[\"field[0-9]+\"\\]$", await (await client.PostAsync("/field", form)).Content.ReadAsStringAsync());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnUnknownTypeOrAMissingNameIsRefusedWith400(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");

        foreach (var body in new object[] { new { name = "Size", type = "integer" }, new { name = "Size", type = "text/plain" } })
            Assert.Contains("\"type\"", await WireAssert.MessageAsync(await client.PostAsJsonAsync("/field", body), HttpStatusCode.BadRequest), StringComparison.Ordinal);
        foreach (var body in new object[] { new { type = "line" }, new { name = "", type = "line" }, new { name = "   ", type = "line" } })
            Assert.Contains("\"name\"", await WireAssert.MessageAsync(await client.PostAsJsonAsync("/field", body), HttpStatusCode.BadRequest), StringComparison.Ordinal);

        Assert.Equal(16, (await WireAssert.OkAsync(await client.GetAsync("/field"))).EnumerateObject().Count());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task DeletingAFieldRemovesItAndItsValueFromEveryContact(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var size = await CreateAsync(client, "Shoe size", "number");
        var colour = await CreateAsync(client, "Colour", "line");
        var anna = Subscriber.Id(await Subscriber.AddAsync(client,
            new { email = "anna@example.com", fields = new Dictionary<string, string> { [size] = "38", [colour] = "blue" } }));
        var bert = Subscriber.Id(await Subscriber.AddAsync(client,
            new { email = "bert@example.com", fields = new Dictionary<string, string> { [size] = "44" } }));
        var id = size["field".Length..];

        await AssertTrueAsync(await client.DeleteAsync($"/field/{id}"));

        // Erased, not merely hidden: no value of the field is left in the database.
        Assert.Equal(0, await host.WithServicesAsync(sp => sp.GetRequiredService<TagflowDb>().ContactFields.CountAsync(f => f.Key == size)));
        foreach (var contact in new[] { anna, bert })
            Assert.False((await Subscriber.GetAsync(client, contact)).TryGetProperty(size, out _), $"contact {contact} still has {size}");
        Assert.Equal("blue", (await Subscriber.GetAsync(client, anna)).GetProperty(colour).GetString());
        Assert.False((await WireAssert.OkAsync(await client.GetAsync("/field"))).TryGetProperty(size, out _));
        await WireAssert.MessageAsync(await client.GetAsync($"/field/{id}"), HttpStatusCode.NotFound);
        await WireAssert.MessageAsync(await client.PutAsJsonAsync($"/field/{id}", new { name = "Again" }), HttpStatusCode.NotFound);
        await WireAssert.MessageAsync(await client.DeleteAsync($"/field/{id}"), HttpStatusCode.NotFound);
        var refusal = await WireAssert.RefusedAsync(await client.PostAsJsonAsync("/subscriber",
            new { email = "anna@example.com", fields = new Dictionary<string, string> { [size] = "39" } }), 8);
        Assert.Equal(size, refusal.GetProperty("name").GetString());

        // A new field of the same name starts empty: the old values are gone, not hidden.
        var again = await CreateAsync(client, "Shoe size", "number");
        Assert.Equal("", (await Subscriber.GetAsync(client, anna)).GetProperty(again).GetString());
        Assert.Equal("", (await Subscriber.GetAsync(client, bert)).GetProperty(again).GetString());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AFieldAddedLaterReadsEmptyOnExistingContacts(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var contact = Subscriber.Id(await Subscriber.AddAsync(client, new { email = "anna@example.com", fields = new { fieldFirstName = "Anna" } }));

        var key = await CreateAsync(client, "Shoe size", "number");

        var stored = await Subscriber.GetAsync(client, contact);
        Assert.Equal("", stored.GetProperty(key).GetString());
        Assert.Equal("Anna", stored.GetProperty("fieldFirstName").GetString());
        var updated = await Subscriber.AddAsync(client, new { email = "anna@example.com", fields = new Dictionary<string, string> { [key] = "38" } });
        Assert.Equal("38", updated.GetProperty(key).GetString());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task UnknownFieldIdsAnswer404(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");

        foreach (var id in new[] { "424242", "field424242", "Nope" })
        {
            await WireAssert.MessageAsync(await client.GetAsync($"/field/{id}"), HttpStatusCode.NotFound);
            await WireAssert.MessageAsync(await client.PutAsJsonAsync($"/field/{id}", new { name = "Size" }), HttpStatusCode.NotFound);
            await WireAssert.MessageAsync(await client.DeleteAsync($"/field/{id}"), HttpStatusCode.NotFound);
        }
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnotherAccountCanNeitherSeeChangeDeleteNorUseAField(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var anna = await host.NewAccountClientAsync("anna");
        using var bert = await host.NewAccountClientAsync("bert");
        var key = await CreateAsync(anna, "Shoe size", "number");
        var id = key["field".Length..];
        var contact = Subscriber.Id(await Subscriber.AddAsync(anna, new { email = "anna@example.com", fields = new Dictionary<string, string> { [key] = "38" } }));

        foreach (var path in new[] { $"/field/{id}", $"/field/{key}" })
        {
            await WireAssert.MessageAsync(await bert.GetAsync(path), HttpStatusCode.NotFound);
            await WireAssert.MessageAsync(await bert.PutAsJsonAsync(path, new { name = "Bert's" }), HttpStatusCode.NotFound);
            await WireAssert.MessageAsync(await bert.DeleteAsync(path), HttpStatusCode.NotFound);
        }
        Assert.False((await WireAssert.OkAsync(await bert.GetAsync("/field"))).TryGetProperty(key, out _));
        var refusal = await WireAssert.RefusedAsync(await bert.PostAsJsonAsync("/subscriber",
            new { email = "bert@example.com", fields = new Dictionary<string, string> { [key] = "44" } }), 8);
        Assert.Equal(key, refusal.GetProperty("name").GetString());
        await WireAssert.MessageAsync(await bert.PostAsJsonAsync("/subscriber/search", new { email = "bert@example.com" }), HttpStatusCode.NotFound);

        var field = await WireAssert.OkAsync(await anna.GetAsync($"/field/{id}"));
        Assert.Equal("Shoe size", field.GetProperty("name").GetString());
        Assert.Equal("38", (await Subscriber.GetAsync(anna, contact)).GetProperty(key).GetString());
        var berts = await CreateAsync(bert, "Shoe size", "number");
        Assert.NotEqual(key, berts);
    }

    /// <summary>POST /field; asserts the answer <c>["field&lt;ID&gt;"]</c> and answers the key.</summary>
    internal static async Task<string> CreateAsync(HttpClient client, string name, string type)
    {
        var answer = await WireAssert.OkAsync(await client.PostAsJsonAsync("/field", new { name, type }));
        var key = Assert.Single(answer.EnumerateArray());
        Assert.Equal(JsonValueKind.String, key.ValueKind);
        Assert.Matches("^field[0-9]+$", key.GetString());
        return key.GetString()!;
    }

    private static async Task AssertTrueAsync(HttpResponseMessage response) =>
        Assert.True(Assert.Single((await WireAssert.OkAsync(response)).EnumerateArray()).GetBoolean());
}
