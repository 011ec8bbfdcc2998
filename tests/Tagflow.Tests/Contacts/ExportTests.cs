using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tagflow.Contacts;
using Tagflow.Data;
using Tagflow.Tests.Infrastructure;
using static Tagflow.Tests.Contacts.ContactCalls;

namespace Tagflow.Tests.Contacts;

/// <summary>GET /export: every contact of the account as a CSV or NDJSON file, streamed in id order.</summary>
public sealed class ExportTests
{
    /// <summary>The 16 standard data fields, as the header names them.</summary>
    private const string StandardKeys = "fieldFirstName,fieldLastName,fieldCompanyName,fieldStreet1,fieldStreet2,fieldCity,fieldState,fieldZip,"
        + "fieldCountry,fieldPrivatePhone,fieldMobilePhone,fieldPhone,fieldFax,fieldWebsite,fieldBirthday,fieldLeadValue";

    private const string Leading = "email,sms_phone,status,bounce,listid,signup_at,signup_ip,signup_source,optin_at,optin_ip,unsubscribed_at,unsubscribed_ip,tags,smart_tags";

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task CsvHoldsEveryColumnOfEachContactInTheAccountsZone(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var account = await AddDetailedAccountAsync(host);

        using var response = await account.Client.GetAsync("/export");
        var bytes = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal("attachment; filename=\"contacts-anna-20261127.csv\"", response.Content.Headers.ContentDisposition?.ToString());
        Assert.Equal((byte)'e', bytes[0]); // no byte order mark
        Assert.Equal(account.Csv, Encoding.UTF8.GetString(bytes));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task NdjsonHoldsOneObjectPerLineWithTagsAsLists(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var account = await AddDetailedAccountAsync(host);

        using var response = await account.Client.GetAsync("/export?format=ndjson");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/export");
        request.Headers.Accept.ParseAdd("application/x-ndjson");
        using var accepted = await account.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-ndjson", response.Content.Headers.ContentType?.ToString());
        Assert.Equal("attachment; filename=\"contacts-anna-20261127.ndjson\"", response.Content.Headers.ContentDisposition?.ToString());
        Assert.Equal(account.Ndjson, await response.Content.ReadAsStringAsync());
        Assert.Equal(account.Ndjson, await accepted.Content.ReadAsStringAsync());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task EveryStatusIsExportedByDefaultAndTheFiltersChooseContacts(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var single = await DatabaseSetup.AddSingleOptInProcessAsync(host, "anna");
        var kunde = await CreateTagAsync(client, "Kunde");
        await AddIdAsync(client, "pending@example.com");
        await AddAsync(client, new { email = "subscribed@example.com", listid = single, tagid = kunde });
        var bounced = Text(await AddAsync(client, new { email = "bounced@example.com", listid = single }), "id");
        await DatabaseSetup.SetBounceAsync(host, bounced, BounceStatus.Hard);
        await AddAsync(client, new { email = "gone@example.com", tagid = kunde });
        await UnsubscribeAsync(client, "gone@example.com");
        var smart = await DatabaseSetup.AddSmartTagAsync(host, "anna", "Smart");
        await DatabaseSetup.AssignSmartTagAsync(host, bounced, smart);

        Assert.Equal(["pending", "subscribed", "bounced", "gone"], await EmailsAsync(client, ""));
        Assert.Equal(["subscribed", "bounced"], await EmailsAsync(client, "?status=subscribed"));
        Assert.Equal(["subscribed"], await EmailsAsync(client, "?status=subscribed&bounceStatus=nobounce"));
        Assert.Equal(["pending", "gone"], await EmailsAsync(client, "?status=pending,unsubscribed"));
        Assert.Equal(["bounced"], await EmailsAsync(client, "?bounceStatus=hardbounce&format=ndjson"));
        Assert.Equal(["subscribed", "gone"], await EmailsAsync(client, $"?tagid={kunde}"));
        Assert.Equal(["gone"], await EmailsAsync(client, $"?tagid={kunde}&status=unsubscribed"));
        Assert.Equal(["bounced"], await EmailsAsync(client, $"?tagid={smart}"));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnotherAccountsContactsAndTagsAreNeverExported(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var anna = await host.NewAccountClientAsync("anna");
        using var bert = await host.NewAccountClientAsync("bert");
        var berts = await CreateTagAsync(bert, "Kunde");
        await AddAsync(bert, new { email = "bert@example.com", tagid = berts });
        await AddIdAsync(anna, "anna@example.com");
        await CreateTagAsync(anna, "Kunde");

        Assert.Equal(["anna"], await EmailsAsync(anna, ""));
        Assert.Equal(["bert"], await EmailsAsync(bert, ""));
        await WireAssert.RefusedAsync(await anna.GetAsync($"/export?tagid={berts}"), 403);
        await WireAssert.RefusedAsync(await anna.GetAsync("/export?tagid=424242&format=ndjson"), 403);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ParametersThatNameNothingAreRefusedWith400SayingWhatToSend(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");

        Assert.Contains("csv (the default) or ndjson", await MessageAsync(client, "?format=xml"), StringComparison.Ordinal);
        Assert.Contains(", (the default), ; or tab", await MessageAsync(client, "?delimiter=|"), StringComparison.Ordinal);
        Assert.Contains("one character", await MessageAsync(client, "?tagSeparator=ab"), StringComparison.Ordinal);
        Assert.Contains("one character", await MessageAsync(client, "?tagSeparator=x"), StringComparison.Ordinal);
        Assert.Contains("without a filter, every status", await MessageAsync(client, "?status=gone"), StringComparison.Ordinal);
        Assert.Contains("without a filter, every status", await MessageAsync(client, "?bounceStatus=bounced"), StringComparison.Ordinal);
        Assert.Contains("\"tagid\" must be a whole number", await MessageAsync(client, "?tagid=abc"), StringComparison.Ordinal);
        await WireAssert.MessageAsync(await host.Client.GetAsync("/export"), HttpStatusCode.Forbidden);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ATagNameWithTheTagSeparatorIsRefusedBeforeTheFileStarts(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var tag = await CreateTagAsync(client, "A|B");
        await AddAsync(client, new { email = "anna@example.com", tagid = tag });

        var message = await MessageAsync(client, "");
        Assert.Contains("\"A|B\"", message, StringComparison.Ordinal);
        Assert.Contains("choose another tagSeparator", message, StringComparison.Ordinal);

        var semicolons = await ExportTextAsync(client, "?tagSeparator=/&delimiter=;");
        Assert.StartsWith(Leading.Replace(',', ';') + ";fieldFirstName;", semicolons, StringComparison.Ordinal);
        Assert.Contains("\r\nanna@example.com;;Opt-In Pending;Not Bounced;", semicolons, StringComparison.Ordinal);
        Assert.Contains(";API;;;;;A|B;;", semicolons, StringComparison.Ordinal);
        var tabs = await ExportTextAsync(client, "?tagSeparator=/&delimiter=tab");
        Assert.StartsWith(Leading.Replace(',', '\t') + "\tfieldFirstName\t", tabs, StringComparison.Ordinal);
        Assert.Contains("\"tags\":[\"A|B\"]", await ExportTextAsync(client, "?format=ndjson"), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task TwentyThousandContactsStreamInIdOrder(string provider)
    {
        const int Count = 20_000;
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var kunde = await CreateTagAsync(client, "Kunde");
        await InsertContactsAsync(host, "anna", Count, kunde);

        using var response = await client.GetAsync("/export", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(response.Content.Headers.ContentLength); // streamed, not buffered first
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.StartsWith(Leading, await reader.ReadLineAsync());
        var seen = 0;
        while (await reader.ReadLineAsync() is { } line)
        {
            var expected = seen % 7 == 0 ? $"c{seen:D6}@example.com,,Subscribed,Not Bounced," : $"c{seen:D6}@example.com,,Opt-In Pending,Not Bounced,";
            Assert.StartsWith(expected, line, StringComparison.Ordinal);
            Assert.EndsWith(seen % 3 == 0 ? $",Kunde,,First {seen}{new string(',', 15)}" : new string(',', 17), line, StringComparison.Ordinal);
            seen++;
        }
        Assert.Equal(Count, seen);
        Assert.Equal(Enumerable.Range(0, Count).Where(i => i % 3 == 0).Select(i => $"c{i:D6}"), await EmailsAsync(client, $"?tagid={kunde}&format=ndjson"));
    }

    /// <summary>
    /// An account in New York with a custom field, a contact with values that need quoting, manual tags, a
    /// SmartTag and consent times, who then unsubscribed; and a pending one. Answers a client and the
    /// files its export must be.
    /// </summary>
    internal static async Task<DetailedAccount> AddDetailedAccountAsync(TagflowHost host)
    {
        var client = await DatabaseSetup.NewAccountClientInZoneAsync(host, "anna", "America/New_York");
        var single = await DatabaseSetup.AddSingleOptInProcessAsync(host, "anna");
        var predefined = await PredefinedListIdAsync(client);
        var size = await CreateFieldAsync(client, "Shoe size", "number");
        var note = await CreateFieldAsync(client, "Note", "paragraph");
        var kunde = await CreateTagAsync(client, "Kunde");
        var vip = await CreateTagAsync(client, "VIP");
        await AddAsync(client, new
        {
            email = "anna@example.com",
            listid = single,
            tagid = vip,
            fields = new Dictionary<string, string> { ["fieldFirstName"] = "Anna", ["fieldLastName"] = "Müller, \"Jr.\"", [size] = "39", [note] = "=1+1\nzweite Zeile" },
        });
        await TagAsync(client, "anna@example.com", kunde);
        host.Clock.Advance(TimeSpan.FromMinutes(90));
        await UnsubscribeAsync(client, "anna@example.com");
        await AddIdAsync(client, "bert@example.com");

        var emptyStandard = new string(',', 14);
        var csv = $"{Leading},{StandardKeys},{size},{note}\r\n"
            + $"anna@example.com,,Unsubscribed,Not Bounced,{single},2026-11-27T07:00:00-05:00,127.0.0.1,API,2026-11-27T07:00:00-05:00,127.0.0.1,"
            + $"2026-11-27T08:30:00-05:00,127.0.0.1,Kunde|VIP,Opt-in confirmed: Single,Anna,\"Müller, \"\"Jr.\"\"\"{emptyStandard},39,\"=1+1\nzweite Zeile\"\r\n"
            + $"bert@example.com,,Opt-In Pending,Not Bounced,{predefined},2026-11-27T08:30:00-05:00,127.0.0.1,API,,,,,,{new string(',', 18)}\r\n";
        var emptyFields = string.Concat(StandardKeys.Split(',').Skip(2).Select(k => $",\"{k}\":\"\""));
        var ndjson = $"{{\"email\":\"anna@example.com\",\"sms_phone\":\"\",\"status\":\"Unsubscribed\",\"bounce\":\"Not Bounced\",\"listid\":\"{single}\","
            + "\"signup_at\":\"2026-11-27T07:00:00-05:00\",\"signup_ip\":\"127.0.0.1\",\"signup_source\":\"API\",\"optin_at\":\"2026-11-27T07:00:00-05:00\","
            + "\"optin_ip\":\"127.0.0.1\",\"unsubscribed_at\":\"2026-11-27T08:30:00-05:00\",\"unsubscribed_ip\":\"127.0.0.1\",\"tags\":[\"Kunde\",\"VIP\"],"
            + "\"smart_tags\":[\"Opt-in confirmed: Single\"],\"fieldFirstName\":\"Anna\",\"fieldLastName\":\"Müller, \\\"Jr.\\\"\""
            + $"{emptyFields},\"{size}\":\"39\",\"{note}\":\"=1+1\\nzweite Zeile\"}}\n"
            + $"{{\"email\":\"bert@example.com\",\"sms_phone\":\"\",\"status\":\"Opt-In Pending\",\"bounce\":\"Not Bounced\",\"listid\":\"{predefined}\","
            + "\"signup_at\":\"2026-11-27T08:30:00-05:00\",\"signup_ip\":\"127.0.0.1\",\"signup_source\":\"API\",\"optin_at\":\"\",\"optin_ip\":\"\","
            + "\"unsubscribed_at\":\"\",\"unsubscribed_ip\":\"\",\"tags\":[],\"smart_tags\":[],\"fieldFirstName\":\"\",\"fieldLastName\":\"\""
            + $"{emptyFields},\"{size}\":\"\",\"{note}\":\"\"}}\n";
        return new DetailedAccount(client, csv, ndjson);
    }

    internal sealed record DetailedAccount(HttpClient Client, string Csv, string Ndjson) : IDisposable
    {
        public void Dispose() => Client.Dispose();
    }

    /// <summary>The local parts of the exported addresses, in the file's order (CSV or NDJSON alike).</summary>
    private static async Task<string[]> EmailsAsync(HttpClient client, string query)
    {
        var text = await ExportTextAsync(client, query);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return query.Contains("ndjson", StringComparison.Ordinal)
            ? [.. lines.Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("email").GetString()!.Split('@')[0])]
            : [.. lines.Skip(1).Select(l => l.Split('@')[0])];
    }

    private static async Task<string> ExportTextAsync(HttpClient client, string query)
    {
        using var response = await client.GetAsync("/export" + query);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
        return text;
    }

    private static async Task<string> MessageAsync(HttpClient client, string query) =>
        await WireAssert.MessageAsync(await client.GetAsync("/export" + query), HttpStatusCode.BadRequest);

    /// <summary>
    /// Contacts written straight to the database by one statement each, quickly: c000000@example.com on,
    /// every 7th subscribed, every 3rd tagged and with a first name.
    /// </summary>
    private static Task InsertContactsAsync(TagflowHost host, string username, int count, long tagId) => host.WithServicesAsync(async sp =>
    {
        var db = sp.GetRequiredService<TagflowDb>();
        var accountId = db.Accounts.Single(a => a.Username == username).Id;
        var listId = db.OptInProcesses.Single(p => p.AccountId == accountId).Id;
        var now = host.Clock.GetUtcNow().UtcDateTime;
        var (numbers, padded) = host.Database.Provider == Providers.Sqlite
            ? ("WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < {0}) SELECT", "substr('00000' || i, -6)")
            : ("SELECT", "lpad(i::text, 6, '0')");
        var from = host.Database.Provider == Providers.Sqlite ? "n" : "generate_series(0, {0} - 1) AS n(i)";
        // The SQL is the test's own text; the values go as parameters.
        var contacts = $$"""
            INSERT INTO "Contacts" ("AccountId", "Email", "NormalizedEmail", "ListId", "Status", "Bounce", "SignupAt", "SignupIp", "SignupSource", "OptInIp", "UnsubscribedIp", "CreatedAt", "UpdatedAt")
            {{numbers}} {1}, 'c' || {{padded}} || '@example.com', 'c' || {{padded}} || '@example.com', {2},
                CASE WHEN i % 7 = 0 THEN 'Subscribed' ELSE 'Pending' END, 'None', {3}, '', 'API', '', '', {3}, {3}
            FROM {{from}} ORDER BY i
            """;
        const string Every3rd = "FROM \"Contacts\" WHERE \"AccountId\" = {0} AND CAST(substr(\"Email\", 2, 6) AS INTEGER) % 3 = 0";
        const string Fields = "INSERT INTO \"ContactFields\" (\"ContactId\", \"Key\", \"Value\") SELECT \"Id\", 'fieldFirstName', 'First ' || CAST(substr(\"Email\", 2, 6) AS INTEGER) " + Every3rd;
        const string Tags = "INSERT INTO \"ContactTags\" (\"ContactId\", \"TagId\", \"TaggedAt\") SELECT \"Id\", {1}, {2} " + Every3rd;
        await db.Database.ExecuteSqlRawAsync(contacts, count, accountId, listId, now);
        await db.Database.ExecuteSqlRawAsync(Fields, accountId);
        return await db.Database.ExecuteSqlRawAsync(Tags, accountId, tagId, now);
    });
}
