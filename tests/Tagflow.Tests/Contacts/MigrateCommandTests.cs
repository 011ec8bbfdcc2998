using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using Tagflow.Accounts;
using Tagflow.Tests.Cli;
using Tagflow.Tests.Infrastructure;
using Tagflow.Tests.OptIns;
using static Tagflow.Tests.Automations.AutomationCalls;
using static Tagflow.Tests.Contacts.ContactCalls;

namespace Tagflow.Tests.Contacts;

/// <summary>
/// <c>tagflow migrate --from</c>: a whole account read from another server through its API (here a
/// second Tagflow server) comes into an account of this one with its fields, processes, tags and
/// every contact as the source shows it; run again, it changes nothing.
/// </summary>
[Collection(AdminCli.Collection)]
public sealed class MigrateCommandTests
{
    /// <summary>A confirmation email's HTML that reads the field <paramref name="key"/> in Liquid's every way.</summary>
    private static string LiquidHtml(string key) =>
        $"<p>{{% if {key} %}}Größe {{{{ {key} | plus: 0 }}}}{{% else %}}?{{% endif %}} <a href=\"{{{{confirm_url}}}}\">OK</a></p>";

    private const string Everyone = "?status=pending,subscribed,unsubscribed&bounceStatus=nobounce,softbounce,hardbounce,spambounce";
    private static readonly string[] TimeKeys = ["date", "optin", "unsubscription", "sms_date", "sms_unsubscription"];

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnAccountComesAcrossWithEveryContactAsTheSourceShowsItAndASecondRunChangesNothing(string provider)
    {
        await using var source = await TagflowHost.StartAsync(provider);
        await using var target = await TagflowHost.StartAsync(provider);
        var anna = await source.AddPartnerAsync("anna");
        await source.WithServicesAsync(async sp =>
        {
            await sp.GetRequiredService<AccountAdmin>().SetTimeZoneAsync("anna", "America/New_York", CancellationToken.None);
            return 0;
        });
        using var from = anna.ClientFor(source);
        var shoeSize = await CreateFieldAsync(from, "Shoe size", "number");
        var notes = await CreateFieldAsync(from, "Notes", "paragraph");
        var price = await CreateFieldAsync(from, "Price", "decimal");
        var visit = await CreateFieldAsync(from, "Last visit", "datetime");
        var homepage = await CreateFieldAsync(from, "Homepage", "url");
        var newsletter = await ProcessManagementTests.CreateAsync(from, new
        {
            name = "Newsletter",
            thankyouurl = "https://example.com/thanks",
            subject = "Bitte bestätigen",
            text = $"Hallo {{{{fieldFirstName}}}} (Größe {{{{{shoeSize}}}}}): {{{{confirm_url}}}}",
            html = LiquidHtml(shoeSize),
        });
        var shop = await SingleOptInListAsync(from, "Shop");
        var vip = await Tags.TagApiTests.CreateAsync(from, new { name = "VIP", text = "very important" });
        var kunde = await CreateTagAsync(from, "Kunde");

        await SubscribeAsync(from, "anna@example.com", shop, vip, new()
        {
            ["fieldFirstName"] = "Anna", [shoeSize] = "38", [notes] = "two\nlines", [price] = "19.99", [homepage] = "https://anna.example/",
        });
        await TagAsync(from, "anna@example.com", kunde);
        source.Clock.Advance(TimeSpan.FromHours(1));
        await AddAsync(from, new { email = "bert@example.com", listid = newsletter, fields = new Dictionary<string, string> { ["fieldFirstName"] = "Bert", [visit] = "1700000000" } });
        source.Clock.Advance(TimeSpan.FromHours(2));
        using (var browser = source.NewClient())
        {
            var email = MimeMessage.Load(Assert.Single(await Outbox.FilesAsync(Path.Combine(source.Database.Directory, "outbox"), 1)));
            Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync(DoubleOptInTests.Link(email))).StatusCode);
        }
        await TagAsync(from, "bert@example.com", kunde);
        await SubscribeAsync(from, "carl@example.com", shop);
        source.Clock.Advance(TimeSpan.FromDays(3));
        await UnsubscribeAsync(from, "carl@example.com");
        await AddAsync(from, new { email = "dora@example.com", smsnumber = "+4917012345678", fields = new Dictionary<string, string> { ["fieldCity"] = "Köln" } });
        await ImportTests.ImportAsync(from, $$"""
            {"email":"emil@example.com","status":"Subscribed","bounce":"Soft Bounce","listid":"{{newsletter}}","signup_at":"2023-03-26T01:30:00+01:00","signup_ip":"192.0.2.1","optin_at":"2023-03-26T03:30:00+02:00","optin_ip":"2001:db8::7","tags":["VIP"],"Price":"5"}
            {"email":"fritz@example.com","status":"Unsubscribed","bounce":"Hard Bounce","signup_at":"2022-10-30T02:30:00+01:00","signup_ip":"192.0.2.2","optin_at":"1667093400","unsubscribed_at":"2024-01-01T00:00:00Z","unsubscribed_ip":"198.51.100.9"}
            """, contentType: "application/x-ndjson");

        var bertsAccount = await target.AddPartnerAsync("bert");
        using var to = bertsAccount.ClientFor(target);

        var first = await AdminCli.RunAsync(target.Database, Migrate(source, anna, Keys(anna)));

        Assert.True(first.ExitCode == 0, first.Error);
        Assert.DoesNotContain("warning", first.Error, StringComparison.Ordinal);
        Assert.Contains("the source's times were read in America/New_York.", first.Output, StringComparison.Ordinal);
        Assert.Contains("Data fields: 5 created, 0 reused. Opt-in processes: 2 created, 0 reused (the predefined one is this account's own). Tags: 2 created, 0 reused.", first.Output, StringComparison.Ordinal);
        Assert.Contains("Contacts: 6 read; import 1: done; 6 rows read, 6 created, 0 updated, 0 unchanged, 0 skipped, 0 refused.", first.Output, StringComparison.Ordinal);

        // Fields by name with their types, processes with their settings and email, tags with their text.
        var fieldKeys = await SameNamesAsync(from, to, "/field");
        foreach (var key in new[] { shoeSize, notes, price, visit, homepage })
            Assert.Equal(Text(await WireAssert.OkAsync(await from.GetAsync($"/field/{key[5..]}")), "type"), Text(await WireAssert.OkAsync(await to.GetAsync($"/field/{fieldKeys[key][5..]}")), "type"));
        var listIds = await SameNamesAsync(from, to, "/list");
        foreach (var (sourceList, targetList) in listIds)
        {
            var (s, t) = (await WireAssert.OkAsync(await from.GetAsync($"/list/{sourceList}")), await WireAssert.OkAsync(await to.GetAsync($"/list/{targetList}")));
            Assert.Equal(s.GetRawText().Replace($"\"{sourceList}\"", "ID", StringComparison.Ordinal), t.GetRawText().Replace($"\"{targetList}\"", "ID", StringComparison.Ordinal));
        }
        var confirmation = await WireAssert.OkAsync(await to.GetAsync($"/list/{listIds[Id(newsletter)]}/email"));
        Assert.Equal($"Hallo {{{{fieldFirstName}}}} (Größe {{{{{fieldKeys[shoeSize]}}}}}): {{{{confirm_url}}}}", Text(confirmation, "text"));
        Assert.Equal(LiquidHtml(fieldKeys[shoeSize]), Text(confirmation, "html")); // the key, wherever Liquid reads it
        var tagIds = await SameNamesAsync(from, to, "/tag");
        Assert.Equal("very important", Text(await WireAssert.OkAsync(await to.GetAsync($"/tag/{tagIds[Id(vip)]}")), "text"));

        var ids = await ListAsync(from, Everyone);
        Assert.Equal(6, ids.Length);
        foreach (var id in ids) await AssertSameAsync(from, to, await GetAsync(from, id), fieldKeys, listIds);
        // The file of the contacts goes once they are imported (the command's import directory: beside the SQLite file, or the working directory's).
        var imports = TagflowSettings.DefaultImports(target.Database.Target);
        Assert.Empty(Directory.Exists(imports) ? Directory.EnumerateFiles(imports, "*.ndjson*") : []);

        // A second run, with a session login whose password comes from the environment, finds everything there.
        var events = await EventsAsync(to);
        Environment.SetEnvironmentVariable("TAGFLOW_MIGRATE_PASSWORD", TagflowHost.Password);
        CliResult second;
        try
        {
            second = await AdminCli.RunAsync(target.Database, Migrate(source, anna));
        }
        finally
        {
            Environment.SetEnvironmentVariable("TAGFLOW_MIGRATE_PASSWORD", null);
        }
        Assert.True(second.ExitCode == 0, second.Error);
        Assert.Contains("Data fields: 0 created, 5 reused. Opt-in processes: 0 created, 2 reused (the predefined one is this account's own). Tags: 0 created, 2 reused.", second.Output, StringComparison.Ordinal);
        Assert.Contains("Contacts: 6 read; import 2: done; 6 rows read, 0 created, 0 updated, 6 unchanged, 0 skipped, 0 refused.", second.Output, StringComparison.Ordinal);
        Assert.Equal(events, await EventsAsync(to));

        // What a stopped migration left out comes with the next run.
        await WireAssert.OkAsync(await to.DeleteAsync($"/subscriber/{await SearchAsync(to, "bert@example.com")}"));
        var third = await AdminCli.RunAsync(target.Database, Migrate(source, anna, Keys(anna)));
        Assert.Contains("6 rows read, 1 created, 0 updated, 5 unchanged", third.Output, StringComparison.Ordinal);
        foreach (var id in ids) await AssertSameAsync(from, to, await GetAsync(from, id), fieldKeys, listIds);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task WrongCredentialsAreOneLineOfErrorAndChangeNothing(string provider)
    {
        await using var source = await TagflowHost.StartAsync(provider);
        await using var target = await TagflowHost.StartAsync(provider);
        var anna = await source.AddPartnerAsync("anna");
        using var from = anna.ClientFor(source);
        await CreateFieldAsync(from, "Shoe size", "number");
        await CreateTagAsync(from, "VIP");
        await AddIdAsync(from, "anna@example.com");
        using var to = await target.NewAccountClientAsync("bert");
        var before = await StateAsync(to);

        var wrongKey = await AdminCli.RunAsync(target.Database, Migrate(source, anna, "--developer-key", anna.DeveloperKey, "--customer-key", "0123456789abcdef"));
        var wrongPassword = await AdminCli.RunAsync(target.Database, Migrate(source, anna, "--password", "wrong"));
        var none = await AdminCli.RunAsync(target.Database, Migrate(source, anna));

        foreach (var run in new[] { wrongKey, wrongPassword })
        {
            Assert.Equal((1, ""), (run.ExitCode, run.Output));
            Assert.Matches($"^tagflow: {source.BaseAddress} refused the credentials of \"anna\" \\(.+\\): check --user and the password or keys. Nothing was changed.\n$", run.Error);
        }
        Assert.Equal(new CliResult(1, "", "tagflow: Give the source's --password, or its --developer-key and --customer-key "
            + "(or TAGFLOW_MIGRATE_PASSWORD, or TAGFLOW_MIGRATE_DEVELOPER_KEY and TAGFLOW_MIGRATE_CUSTOMER_KEY).\n"), none);
        Assert.Equal(before, await StateAsync(to));
        Assert.Equal(new CliResult(1, "", "tagflow: --user belongs to a migration from another server: give --from too.\n"),
            await AdminCli.RunAsync(target.Database, "migrate", "--user", "anna"));
        Assert.Equal(new CliResult(0, "", ""), await AdminCli.RunAsync(target.Database, "migrate"));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AFieldOfTheSameNameIsReusedAndAValueThatDoesNotFitItsTypeStaysBehindWithAWarning(string provider)
    {
        await using var source = await TagflowHost.StartAsync(provider);
        await using var target = await TagflowHost.StartAsync(provider);
        var anna = await source.AddPartnerAsync("anna");
        using var from = anna.ClientFor(source);
        var sourceNotes = await CreateFieldAsync(from, "Notes", "paragraph");
        var list = await SingleOptInListAsync(from);
        await SubscribeAsync(from, "one@example.com", list, fields: new() { [sourceNotes] = "one line", ["fieldFirstName"] = "One" });
        await SubscribeAsync(from, "two@example.com", list, fields: new() { [sourceNotes] = "two\nlines", ["fieldFirstName"] = "Two" });
        using var to = await target.NewAccountClientAsync("bert");
        var notes = await CreateFieldAsync(to, "notes", "line");

        var run = await AdminCli.RunAsync(target.Database, Migrate(source, anna, Keys(anna)));

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains("tagflow: warning: The data field \"Notes\" is paragraph in the source and line here: its values go in where they fit line.\n", run.Error, StringComparison.Ordinal);
        Assert.Contains("tagflow: warning: 1 value of the data field \"notes\" does not fit its type here and stayed behind.\n", run.Error, StringComparison.Ordinal);
        Assert.Contains("Data fields: 0 created, 1 reused.", run.Output, StringComparison.Ordinal);
        var one = await GetAsync(to, await SearchAsync(to, "one@example.com"));
        var two = await GetAsync(to, await SearchAsync(to, "two@example.com"));
        Assert.Equal(("one line", "One", "", "Two"), (Text(one, notes), Text(one, "fieldFirstName"), Text(two, notes), Text(two, "fieldFirstName")));
    }

    /// <summary><c>tagflow migrate</c> of anna's account at the source into bert's account, with these credentials.</summary>
    private static string[] Migrate(TagflowHost source, PartnerCredentials anna, params string[] credentials) =>
        ["migrate", "--from", source.BaseAddress.ToString(), "--user", anna.Username, "--account", "bert", .. credentials];

    private static string[] Keys(PartnerCredentials anna) => ["--developer-key", anna.DeveloperKey, "--customer-key", anna.CustomerKey];

    /// <summary>
    /// The target's contact with the source contact's address shows what the source shows, key by key:
    /// field keys, process and tag ids translated, times as the same instants in each account's zone,
    /// tags by name (their tagging times are the migration's).
    /// </summary>
    private static async Task AssertSameAsync(HttpClient from, HttpClient to, JsonElement s, Dictionary<string, string> fieldKeys, Dictionary<string, string> listIds)
    {
        var t = await GetAsync(to, await SearchAsync(to, Text(s, "email")));
        var (sourceZone, targetZone) = (await ZoneAsync(from), await ZoneAsync(to));
        var who = Text(s, "email");
        // The import gives a contact with opt-in proof its opt-in SmartTag, as the source did; others get none.
        var optedIn = Text(s, "optin").Length > 0;
        Assert.Equal(s.EnumerateObject().Count(), t.EnumerateObject().Count());
        foreach (var property in s.EnumerateObject())
        {
            var key = property.Name;
            switch (key)
            {
                case "id":
                    break;
                case "listid":
                    Assert.Equal(listIds[Text(s, key)], Text(t, key));
                    break;
                case "tags":
                    Assert.Equal(await NamesAsync(from, optedIn ? TagIds(s) : [.. Map(s, "manual_tags").Keys]), await NamesAsync(to, TagIds(t)));
                    break;
                case "manual_tags":
                    Assert.Equal(await NamesAsync(from, Map(s, key).Keys), await NamesAsync(to, Map(t, key).Keys));
                    break;
                case "smart_tags":
                    Assert.Equal(optedIn ? await NamesAsync(from, Map(s, key).Keys) : [], await NamesAsync(to, Map(t, key).Keys));
                    break;
                case var time when TimeKeys.Contains(time):
                    Assert.True(Instant(Text(s, key), sourceZone) == Instant(Text(t, key), targetZone), $"{who} {key}: {Text(s, key)} ({sourceZone.Id}) and {Text(t, key)} ({targetZone.Id})");
                    break;
                case var field when fieldKeys.TryGetValue(field, out var targetKey):
                    Assert.True(Text(s, key) == Text(t, targetKey), $"{who} {key}: {Text(s, key)} and {targetKey}: {Text(t, targetKey)}");
                    break;
                default:
                    Assert.True(property.Value.GetRawText() == t.GetProperty(key).GetRawText(), $"{who} {key}: {property.Value.GetRawText()} and {t.GetProperty(key).GetRawText()}");
                    break;
            }
        }
    }

    /// <summary>The ids of one kind (fields, processes, tags) of both accounts that have the same name: source id → target id.</summary>
    private static async Task<Dictionary<string, string>> SameNamesAsync(HttpClient from, HttpClient to, string path)
    {
        var (s, t) = (await from.GetFromJsonAsync<Dictionary<string, string>>(path), await to.GetFromJsonAsync<Dictionary<string, string>>(path));
        Assert.Equal(s!.Values.Order(), t!.Values.Order());
        return s.ToDictionary(e => e.Key, e => t.Single(o => o.Value == e.Value).Key);
    }

    private static async Task<string[]> NamesAsync(HttpClient client, IEnumerable<string> tagIds)
    {
        var names = new List<string>();
        foreach (var id in tagIds) names.Add(Text(await WireAssert.OkAsync(await client.GetAsync($"/tag/{id}")), "name"));
        return [.. names.Order(StringComparer.Ordinal)];
    }

    private static async Task<TimeZoneInfo> ZoneAsync(HttpClient client) =>
        TimeZoneInfo.FindSystemTimeZoneById(Text(await WireAssert.OkAsync(await client.GetAsync("/account")), "timezone"));

    private static DateTime? Instant(string text, TimeZoneInfo zone) => text.Length == 0
        ? null
        : TimeZoneInfo.ConvertTimeToUtc(DateTime.ParseExact(text, "dd.MM.yyyy HH:mm:ss", CultureInfo.InvariantCulture), zone);

    /// <summary>What a migration could change in an account, as its API shows it.</summary>
    private static async Task<string> StateAsync(HttpClient client)
    {
        var parts = new List<string>();
        foreach (var path in new[] { "/field", "/list", "/tag", "/subscriber" + Everyone, "/import", "/events?after=0&limit=1000" })
            parts.Add((await WireAssert.OkAsync(await client.GetAsync(path))).GetRawText());
        return string.Join('\n', parts);
    }
}
