using System.Net.Http.Json;
using Tagflow.Tests.Events;
using Tagflow.Tests.Infrastructure;

namespace Tagflow.Tests.Fields;

/// <summary>
/// Every custom field type's accepted and refused values and its read-back form, exactly as the table
/// in WIRE.md, "Data fields", says, through add-or-update, PUT /subscriber/{id} and GET /subscriber/{id}.
/// </summary>
public sealed class FieldTypeTests
{
    private sealed record TypeCases((string Input, string ReadBack)[] Accepted, string[] Refused);

    private static readonly Dictionary<string, TypeCases> Cases = new(StringComparer.Ordinal)
    {
        ["line"] = new(
            [("Anna", "Anna"), ("Über & <b>Müller</b> \"quoted\"", "Über & <b>Müller</b> \"quoted\""), ("tab\tinside", "tab\tinside")],
            ["two\nlines", "two\rlines", "two\r\nlines", "trailing break\n"]),
        ["paragraph"] = new(
            [("first\nsecond", "first\nsecond"), ("first\n\nsecond\n", "first\n\nsecond\n"), ("one line", "one line")],
            []),
        ["email"] = new(
            [("anna@example.com", "anna@example.com"), ("Anna.Muster@Example.COM", "Anna.Muster@Example.COM"), ("anna+news@mail.example.de", "anna+news@mail.example.de")],
            ["anna", "anna@", "@example.com", "anna@@example.com", "anna example@example.com", "anna@exa mple.com"]),
        ["number"] = new(
            [("0", "0"), ("42", "42"), ("-7", "-7"), ("007", "007"), ("9007199254740993", "9007199254740993")],
            ["1.5", "1e3", " 12", "12 ", "+5", "12a", "-", "--5", "1,000", "0x10"]),
        ["decimal"] = new(
            [("1999", "19.99"), ("19.5", "19.50"), ("19.99", "19.99"), ("-5", "-0.05"), ("0", "0.00"), ("5", "0.05"), ("100", "1.00"),
             ("19.0", "19.00"), ("-19.5", "-19.50")],
            ["19,99", "19.999", "abc", "1e3", " 19.99", "19.99 ", "1.2.3", "19.99€"]),
        ["url"] = new(
            [("https://example.com", "https://example.com"), ("http://example.com/path?q=1&r=2#top", "http://example.com/path?q=1&r=2#top"),
             ("http://localhost:8080/hook", "http://localhost:8080/hook")],
            ["ftp://example.com/file", "www.x.de", "/path", "example.com", "http://", "javascript:alert(1)", "mailto:anna@example.com"]),
        ["time"] = new(
            [("0", "0"), ("1", "1"), ("43200", "43200"), ("86399", "86399")],
            ["86400", "-1", "12:00", "1.5", "abc", " 60", "60 "]),
        ["date"] = new(
            [("1715126400", "1715126400"), ("0", "0"), ("-315619200", "-315619200")],
            ["08.05.2024", "2024-05-08", "1715126400 ", " 1715126400", "1715 126400", "1715126400.5", "abc"]),
        ["datetime"] = new(
            [("1715169600", "1715169600"), ("0", "0"), ("-315576000", "-315576000")],
            ["08.05.2024 12:00", "2024-05-08T12:00:00Z", "1715169600 ", " 1715169600", "1715 169600", "1715169600.5", "abc"]),
        ["html"] = new(
            [("<p>Hallo <b>Anna</b> &amp; Co</p>", "<p>Hallo <b>Anna</b> &amp; Co</p>"), ("<script>alert('x')</script>", "<script>alert('x')</script>"),
             ("<p>one</p>\n<p>two</p>", "<p>one</p>\n<p>two</p>"), ("unclosed <b tag", "unclosed <b tag")],
            []),
    };

    /// <summary>Every provider crossed with every field type.</summary>
    public static TheoryData<string, string> EveryType => Cross(Cases.Keys);

    /// <summary>Every provider crossed with every field type that refuses some values (paragraph and HTML take any text).</summary>
    public static TheoryData<string, string> TypesThatRefuse => Cross(Cases.Where(c => c.Value.Refused.Length > 0).Select(c => c.Key));

    [Theory]
    [MemberData(nameof(EveryType))]
    public async Task AcceptedValuesAreStoredAndReadBackInTheTypesForm(string provider, string type)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var key = await FieldManagementTests.CreateAsync(client, $"My {type}", type);
        var target = Subscriber.Id(await Subscriber.AddAsync(client, new { email = "target@example.com" }));
        var checks = new FieldValueChecks(client);

        foreach (var (input, readBack) in Cases[type].Accepted)
            await checks.AcceptsAsync(target, key, input, readBack);

        checks.AssertAllAsExpected();
    }

    [Theory]
    [MemberData(nameof(TypesThatRefuse))]
    public async Task RefusedValuesAnswerError8NamingTheFieldAndChangeNothing(string provider, string type)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var label = $"My {type}";
        var key = await FieldManagementTests.CreateAsync(client, label, type);
        var (valid, validReadBack) = Cases[type].Accepted[0];
        var target = Subscriber.Id(await Subscriber.AddAsync(client,
            new { email = "target@example.com", fields = new Dictionary<string, string> { ["fieldCompanyName"] = "Anna GmbH", [key] = valid } }));
        var events = await EventFeed.AllAsync(client);
        var checks = new FieldValueChecks(client);

        foreach (var input in Cases[type].Refused)
            await checks.RefusesAsync(target, "target@example.com", key, label, input, input);

        checks.AssertAllAsExpected();
        var contact = await Subscriber.GetAsync(client, target);
        Assert.Equal("Anna GmbH", contact.GetProperty("fieldCompanyName").GetString());
        Assert.Equal(validReadBack, contact.GetProperty(key).GetString());
        Assert.Equal([target], (await WireAssert.OkAsync(await client.GetAsync("/subscriber?status=pending,subscribed,unsubscribed"))).EnumerateArray().Select(i => i.GetString()));
        Assert.Equal(events.Count, (await EventFeed.AllAsync(client)).Count);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task JsonNumbersAsValuesAreReadAsTheSameText(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var number = await FieldManagementTests.CreateAsync(client, "Shoe size", "number");
        var money = await FieldManagementTests.CreateAsync(client, "Budget", "decimal");
        var time = await FieldManagementTests.CreateAsync(client, "Call at", "time");
        var date = await FieldManagementTests.CreateAsync(client, "Anniversary", "date");
        var line = await FieldManagementTests.CreateAsync(client, "Customer number", "line");
        var target = Subscriber.Id(await Subscriber.AddAsync(client, new { email = "target@example.com" }));
        var checks = new FieldValueChecks(client);

        await checks.AcceptsAsync(target, "fieldLeadValue", FieldValueChecks.Json("1999"), "19.99");
        await checks.AcceptsAsync(target, money, FieldValueChecks.Json("19.5"), "19.50");
        await checks.AcceptsAsync(target, money, FieldValueChecks.Json("-5"), "-0.05");
        await checks.AcceptsAsync(target, number, FieldValueChecks.Json("-42"), "-42");
        await checks.AcceptsAsync(target, number, FieldValueChecks.Json("9007199254740993"), "9007199254740993");
        await checks.AcceptsAsync(target, time, FieldValueChecks.Json("3600"), "3600");
        await checks.AcceptsAsync(target, date, FieldValueChecks.Json("1715126400"), "1715126400");
        await checks.AcceptsAsync(target, "fieldBirthday", FieldValueChecks.Json("-315619200"), "-315619200");
        await checks.AcceptsAsync(target, line, FieldValueChecks.Json("12"), "12");
        await checks.RefusesAsync(target, "target@example.com", number, "Shoe size", FieldValueChecks.Json("1.5"), "1.5");
        await checks.RefusesAsync(target, "target@example.com", number, "Shoe size", FieldValueChecks.Json("1e3"), "1e3");
        await checks.RefusesAsync(target, "target@example.com", money, "Budget", FieldValueChecks.Json("19.999"), "19.999");
        await checks.RefusesAsync(target, "target@example.com", time, "Call at", FieldValueChecks.Json("86400"), "86400");
        await checks.RefusesAsync(target, "target@example.com", time, "Call at", FieldValueChecks.Json("-1"), "-1");

        checks.AssertAllAsExpected();
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnEmptyValueClearsAFieldOfEveryTypeAndAbsentKeysStayUntouched(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var keys = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var type in Cases.Keys)
            keys[type] = await FieldManagementTests.CreateAsync(client, $"My {type}", type);
        var values = Cases.ToDictionary(c => keys[c.Key], c => c.Value.Accepted[0].Input);
        var readBacks = Cases.ToDictionary(c => keys[c.Key], c => c.Value.Accepted[0].ReadBack);
        var id = Subscriber.Id(await Subscriber.AddAsync(client, new { email = "anna@example.com", fields = values }));

        await WireAssert.OkAsync(await client.PutAsJsonAsync($"/subscriber/{id}", new { fields = new Dictionary<string, string> { [keys["number"]] = "" } }));
        var contact = await Subscriber.GetAsync(client, id);
        Assert.Equal("", contact.GetProperty(keys["number"]).GetString());
        foreach (var (key, readBack) in readBacks.Where(r => r.Key != keys["number"]))
            Assert.Equal(readBack, contact.GetProperty(key).GetString());

        var cleared = await Subscriber.AddAsync(client, new { email = "anna@example.com", fields = values.ToDictionary(v => v.Key, _ => "") });
        Assert.All(keys.Values, key => Assert.Equal("", cleared.GetProperty(key).GetString()));
        contact = await Subscriber.GetAsync(client, id);
        Assert.All(keys.Values, key => Assert.Equal("", contact.GetProperty(key).GetString()));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnUnknownFieldKeyIsRefusedWithError8NamingTheKey(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var target = Subscriber.Id(await Subscriber.AddAsync(client, new { email = "target@example.com" }));
        var checks = new FieldValueChecks(client);

        foreach (var key in new[] { "fieldNope", "field424242", "shoeSize" })
            await checks.RefusesAsync(target, "target@example.com", key, label: null, "42", "42");

        checks.AssertAllAsExpected();
        Assert.Equal([target], (await WireAssert.OkAsync(await client.GetAsync("/subscriber?status=pending,subscribed,unsubscribed"))).EnumerateArray().Select(i => i.GetString()));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AFormEncodedParagraphKeepsItsLineBreaksAndAFormEncodedLineRefusesThem(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var paragraph = await FieldManagementTests.CreateAsync(client, "Notes", "paragraph");
        var line = await FieldManagementTests.CreateAsync(client, "Title", "line");

        using var accepted = new FormUrlEncodedContent([new("email", "anna@example.com"), new($"fields[{paragraph}]", "first\nsecond")]);
        var contact = await WireAssert.OkAsync(await client.PostAsync("/subscriber", accepted));
        using var refused = new FormUrlEncodedContent([new("email", "anna@example.com"), new($"fields[{line}]", "first\nsecond")]);
        var refusal = await WireAssert.RefusedAsync(await client.PostAsync("/subscriber", refused), 8);

        Assert.Equal("first\nsecond", (await Subscriber.GetAsync(client, Subscriber.Id(contact))).GetProperty(paragraph).GetString());
        Assert.Equal(line, refusal.GetProperty("name").GetString());
        Assert.Equal("Title", refusal.GetProperty("field").GetString());
        Assert.Equal("first\nsecond", refusal.GetProperty("field_value").GetString());
        Assert.Equal("", (await Subscriber.GetAsync(client, Subscriber.Id(contact))).GetProperty(line).GetString());
    }

    private static TheoryData<string, string> Cross(IEnumerable<string> types)
    {
        var data = new TheoryData<string, string>();
        foreach (var provider in Providers.All)
            foreach (var type in types)
                data.Add(provider, type);
        return data;
    }
}
