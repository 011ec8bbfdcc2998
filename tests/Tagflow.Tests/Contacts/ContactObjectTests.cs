using System.Text.Json;
using Tagflow.Tests.Infrastructure;
using static Tagflow.Tests.Contacts.ContactCalls;

namespace Tagflow.Tests.Contacts;

/// <summary>The contact object of WIRE.md: every key, always, as strings; sign-up proof; times in the account's zone.</summary>
public sealed class ContactObjectTests
{
    private static readonly string[] WireKeys =
    [
        "id", "listid", "optin", "optin_ip", "email", "status", "bounce", "date", "ip", "unsubscription", "unsubscription_ip",
        "referrer", "sms_phone", "sms_status", "sms_bounce", "sms_date", "sms_unsubscription", "sms_referrer",
    ];

    private static readonly string[] StandardFieldKeys =
    [
        "fieldFirstName", "fieldLastName", "fieldCompanyName", "fieldStreet1", "fieldStreet2",
        "fieldCity", "fieldState", "fieldZip", "fieldCountry", "fieldPrivatePhone", "fieldMobilePhone", "fieldPhone",
        "fieldFax", "fieldWebsite", "fieldBirthday", "fieldLeadValue",
    ];

    private static readonly string[] MapKeys =
    [
        "manual_tags", "smart_tags", "emails_sent", "emails_opened", "emails_clicked",
        "notification_emails_sent", "notification_emails_opened", "notification_emails_clicked", "campaigns_started", "campaigns_finished",
    ];

    /// <summary>The test clock starts at 27.11.2026 12:00 UTC: 13:00 in Berlin (CET).</summary>
    private const string BerlinStart = "27.11.2026 13:00:00";

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task TheContactObjectCarriesExactlyTheWireKeysAsStringsArraysAndMaps(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var shoeSize = await CreateFieldAsync(client, "Shoe size", "number");
        var notes = await CreateFieldAsync(client, "Notes", "paragraph");

        var added = await AddAsync(client, new { email = "anna@example.com" });
        var read = await GetAsync(client, Text(added, "id"));

        string[] expected = [.. WireKeys, .. StandardFieldKeys, shoeSize, notes, "tags", .. MapKeys];
        foreach (var contact in new[] { added, read })
        {
            Assert.Equal(expected.Order(StringComparer.Ordinal), contact.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
            foreach (var property in contact.EnumerateObject())
            {
                var kind = property.Name == "tags" ? JsonValueKind.Array : MapKeys.Contains(property.Name) ? JsonValueKind.Object : JsonValueKind.String;
                Assert.True(kind == property.Value.ValueKind, $"{property.Name} is {property.Value.ValueKind}, expected {kind}");
            }
            Assert.Empty(contact.GetProperty("tags").EnumerateArray());
            Assert.All(MapKeys, map => Assert.Empty(contact.GetProperty(map).EnumerateObject()));
            Assert.All([.. StandardFieldKeys, shoeSize, notes], key => Assert.Equal("", Text(contact, key)));
            Assert.Matches("^[1-9][0-9]*$", Text(contact, "id"));
        }
        Assert.Equal(added.GetRawText(), read.GetRawText());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task EveryAddOrUpdateAnswersTheContactExactlyAsGetReadsIt(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var shoeSize = await CreateFieldAsync(client, "Shoe size", "decimal");
        var kunde = await CreateTagAsync(client, "Kunde");
        var vip = await CreateTagAsync(client, "VIP");
        var smart = await DatabaseSetup.AddSmartTagAsync(host, "anna", "Opt-in confirmed");
        var single = await DatabaseSetup.AddSingleOptInProcessAsync(host, "anna");

        object[] requests =
        [
            new { smsnumber = "+4915112345678", tagid = vip, fields = new Dictionary<string, string> { [shoeSize] = "3850", ["fieldCity"] = "Köln" } },
            new { email = "anna@example.com", smsnumber = "0049 151 12345678", fields = new Dictionary<string, string> { ["fieldFirstName"] = "Anna" } },
            new { email = " ANNA@example.com ", tagid = kunde, fields = new Dictionary<string, string> { ["fieldCity"] = "", ["fieldBirthday"] = "-86400" } },
            new { email = "anna@example.com", tagid = kunde },
            new { email = "bert@example.com", listid = single, tagid = kunde, fields = new Dictionary<string, string> { ["fieldLeadValue"] = "19.5" } },
        ];
        foreach (var request in requests)
        {
            var answer = await AddAsync(client, request);
            Assert.Equal((await GetAsync(client, Text(answer, "id"))).GetRawText(), answer.GetRawText());
            if (Text(answer, "sms_phone") == "004915112345678" && Map(answer, "smart_tags").Count == 0)
                await DatabaseSetup.AssignSmartTagAsync(host, Text(answer, "id"), smart);
            host.Clock.Advance(TimeSpan.FromMinutes(1));
        }
        var anna = await GetAsync(client, await SearchAsync(client, "anna@example.com"));
        Assert.Equal("38.50", Text(anna, shoeSize));
        Assert.Equal(new[] { Id(kunde), Id(vip), Id(smart) }.Order(StringComparer.Ordinal), TagIds(anna).Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ANewDataFieldAppearsEmptyOnContactsThatExistedBeforeIt(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var id = await AddIdAsync(client, "anna@example.com");

        var key = await CreateFieldAsync(client, "Shoe size", "number");

        Assert.Equal("", Text(await GetAsync(client, id), key));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ThePredefinedDoubleOptInProcessLeavesTheContactPendingWithSignupProofAndNoOptIn(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var predefined = await PredefinedListIdAsync(client);

        var contact = await AddAsync(client, new { email = "anna@example.com" });

        Assert.Equal("Opt-In Pending", Text(contact, "status"));
        Assert.Equal(predefined, Text(contact, "listid"));
        Assert.Equal(BerlinStart, Text(contact, "date"));
        Assert.Equal("127.0.0.1", Text(contact, "ip"));
        Assert.Equal("", Text(contact, "optin"));
        Assert.Equal("", Text(contact, "optin_ip"));
        Assert.Equal("Not Bounced", Text(contact, "bounce"));
        Assert.Equal("", Text(contact, "unsubscription"));
        Assert.Equal("", Text(contact, "unsubscription_ip"));
        Assert.Equal("anna@example.com", Text(contact, "email"));
        Assert.All(new[] { "sms_phone", "sms_status", "sms_bounce", "sms_date", "sms_unsubscription" }, key => Assert.Equal("", Text(contact, key)));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ASingleOptInProcessSubscribesAtOnceWithOptInProof(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var single = await DatabaseSetup.AddSingleOptInProcessAsync(host, "anna");

        var contact = await AddAsync(client, new { email = "anna@example.com", listid = single });

        Assert.Equal("Subscribed", Text(contact, "status"));
        Assert.Equal(Id(single), Text(contact, "listid"));
        Assert.Equal(BerlinStart, Text(contact, "optin"));
        Assert.Equal("127.0.0.1", Text(contact, "optin_ip"));
        Assert.Equal(BerlinStart, Text(contact, "date"));
        Assert.Equal("127.0.0.1", Text(contact, "ip"));
        Assert.Equal(contact.GetRawText(), (await GetAsync(client, Text(contact, "id"))).GetRawText());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task TimesReadInTheAccountsTimeZoneOnEitherSideOfDaylightSavingTime(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var winter = await AddIdAsync(client, "winter@example.com");

        host.Clock.Advance(TimeSpan.FromDays(212).Add(TimeSpan.FromSeconds(7))); // 27.06.2027 12:00:07 UTC, CEST
        var summer = await AddIdAsync(client, "summer@example.com");
        await UnsubscribeAsync(client, "winter@example.com");

        var w = await GetAsync(client, winter);
        Assert.Equal(BerlinStart, Text(w, "date"));
        Assert.Equal("27.06.2027 14:00:07", Text(w, "unsubscription"));
        Assert.Equal("27.06.2027 14:00:07", Text(await GetAsync(client, summer), "date"));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task TimesReadInEachAccountsOwnTimeZone(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var berlin = await host.NewAccountClientAsync("anna");
        using var newYork = await DatabaseSetup.NewAccountClientInZoneAsync(host, "bert", "America/New_York");
        var single = await DatabaseSetup.AddSingleOptInProcessAsync(host, "bert");

        var annas = await AddAsync(berlin, new { email = "anna@example.com" });
        var berts = await AddAsync(newYork, new { email = "anna@example.com", listid = single });
        await UnsubscribeAsync(newYork, "anna@example.com");

        Assert.Equal(BerlinStart, Text(annas, "date"));
        var read = await GetAsync(newYork, Text(berts, "id"));
        Assert.Equal("27.11.2026 07:00:00", Text(read, "date"));
        Assert.Equal("27.11.2026 07:00:00", Text(read, "optin"));
        Assert.Equal("27.11.2026 07:00:00", Text(read, "unsubscription"));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnSmsContactShowsItsNumberInZeroZeroFormAndItsSmsDate(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");

        var contact = await AddAsync(client, new { smsnumber = "+49 151 12345678" });

        Assert.Equal("004915112345678", Text(contact, "sms_phone"));
        Assert.Equal(BerlinStart, Text(contact, "sms_date"));
        Assert.Equal("Not Bounced", Text(contact, "sms_bounce"));
        Assert.Equal("", Text(contact, "email"));
        Assert.Equal("", Text(contact, "sms_unsubscription"));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task TagsListManualAndSmartTagsAndEachMapHoldsItsKindWithTheTaggingTime(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var manual = await CreateTagAsync(client, "Kunde");
        var smart = await DatabaseSetup.AddSmartTagAsync(host, "anna", "Opt-in confirmed");
        var id = Text(await AddAsync(client, new { email = "anna@example.com", tagid = manual }), "id");
        var taggedAt = UnixNow(host);
        host.Clock.Advance(TimeSpan.FromMinutes(5));
        await DatabaseSetup.AssignSmartTagAsync(host, id, smart);

        var contact = await GetAsync(client, id);

        Assert.Equal(new[] { Id(manual), Id(smart) }.Order(StringComparer.Ordinal), TagIds(contact).Order(StringComparer.Ordinal));
        Assert.Equal(new Dictionary<string, string> { [Id(manual)] = taggedAt }, Map(contact, "manual_tags"));
        Assert.Equal(new Dictionary<string, string> { [Id(smart)] = UnixNow(host) }, Map(contact, "smart_tags"));
        Assert.Equal("1795780800", taggedAt); // 27.11.2026 12:00:00 UTC
    }
}
