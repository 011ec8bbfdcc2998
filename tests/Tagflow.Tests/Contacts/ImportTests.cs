using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tagflow.Contacts;
using Tagflow.Data;
using Tagflow.Tests.Infrastructure;
using static Tagflow.Tests.Automations.AutomationCalls;
using static Tagflow.Tests.Contacts.ContactCalls;

namespace Tagflow.Tests.Contacts;

/// <summary>
/// POST /import: a contact file comes in with its status, consent, fields and tags by the API's
/// rules, sends no email, reports each refused row, and changes nothing more when run again.
/// </summary>
public sealed class ImportTests
{
    private const string Consent = "\uFEFF"
        + "email;First name;fieldLastName;Shoe size;status;signup_at;signup_ip;optin_at;optin_ip;unsubscribed_at;unsubscribed_ip;tags;signup_source;sms_phone\r\n"
        + "anna@example.com;Anna;Berg;38;Subscribed;2024-01-31 09:55:00;192.0.2.1;2024-01-31 10:00:00;192.0.2.7;;;VIP|Kunde;Shop;\r\n"
        + "bert@example.com;Bert;;;Opt-In Pending;;;;;;;Kunde;;+49 170 1234567\r\n"
        + "carl@example.com;Carl;;;Unsubscribed;2023-05-01T09:00:00+02:00;;2023-05-01T09:05:00Z;;01.06.2023 12:00:00;198.51.100.4;;;\r\n";

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ImportKeepsStatusConsentFieldsAndTagsAndSendsNoEmail(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var shoeSize = await CreateFieldAsync(client, "Shoe size", "number");
        var kunde = await CreateTagAsync(client, "Kunde");

        var job = await ImportAsync(client, Consent);

        Assert.Equal(("done", 3, 3, 0), (Text(job, "state"), Count(job, "rows_read"), Count(job, "created"), Count(job, "refused")));
        var anna = await GetAsync(client, await SearchAsync(client, "anna@example.com"));
        Assert.Equal(
            ("Subscribed", "31.01.2024 09:55:00", "192.0.2.1", "31.01.2024 10:00:00", "192.0.2.7", "", "Anna", "Berg", "38"),
            (Text(anna, "status"), Text(anna, "date"), Text(anna, "ip"), Text(anna, "optin"), Text(anna, "optin_ip"), Text(anna, "unsubscription"),
                Text(anna, "fieldFirstName"), Text(anna, "fieldLastName"), Text(anna, shoeSize)));
        var tags = await client.GetFromJsonAsync<Dictionary<string, string>>("/tag");
        var vip = tags!.Single(t => t.Value == "VIP").Key;
        Assert.Equal([Id(kunde), vip], Map(anna, "manual_tags").Keys.Order());
        Assert.Equal(["Opt-in confirmed: Predefined double opt-in"], (await SmartTagsAsync(client, Text(anna, "id"))).Keys);

        var bert = await GetAsync(client, await SearchAsync(client, "bert@example.com"));
        Assert.Equal(("Opt-In Pending", "", "00491701234567"), (Text(bert, "status"), Text(bert, "optin"), Text(bert, "sms_phone")));
        Assert.Equal([Id(kunde)], Map(bert, "manual_tags").Keys);

        var carl = await GetAsync(client, await SearchAsync(client, "carl@example.com"));
        Assert.Equal(("Unsubscribed", "01.05.2023 09:00:00", "01.05.2023 11:05:00", "01.06.2023 12:00:00", "198.51.100.4"),
            (Text(carl, "status"), Text(carl, "date"), Text(carl, "optin"), Text(carl, "unsubscription"), Text(carl, "unsubscription_ip")));
        // Carl confirmed before he unsubscribed: the opt-in's SmartTag goes with its proof.
        Assert.Equal(Map(anna, "smart_tags").Keys, Map(carl, "smart_tags").Keys);

        Assert.False(Directory.Exists(Path.Combine(host.Database.Directory, "outbox")) && Directory.EnumerateFiles(Path.Combine(host.Database.Directory, "outbox")).Any(),
            "an import sends no confirmation email");
        var (a, b, c) = (Text(anna, "id"), Text(bert, "id"), Text(carl, "id"));
        var optIn = (await SmartTagsAsync(client, a)).Values.Single();
        Assert.Equal(
        [
            new("contact.created", a), new("tag.added", a, vip), new("tag.added", a, Id(kunde)), new("tag.added", a, optIn),
            new("contact.created", b), new("tag.added", b, Id(kunde)),
            new("contact.created", c), new("tag.added", c, optIn),
        ], await EventsAsync(client));
        // The uploaded copy is gone once imported.
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(host.Database.Directory, "imports")));
    }

    /// <summary>
    /// An account's export, imported into the same set-up on another server (its processes and
    /// fields made in the same order, so that their ids are the same), exports exactly the same file:
    /// statuses, consent times and addresses, sign-up sources, values, tags and SmartTags all came across.
    /// </summary>
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnExportedFileImportsBackUnchanged(string provider)
    {
        await using var source = await TagflowHost.StartAsync(provider);
        using var account = await ExportTests.AddDetailedAccountAsync(source);
        var exported = await (await account.Client.GetAsync("/export")).Content.ReadAsStringAsync();
        Assert.Equal(account.Csv, exported);

        await using var target = await TagflowHost.StartAsync(provider);
        using var client = await DatabaseSetup.NewAccountClientInZoneAsync(target, "anna", "America/New_York");
        await DatabaseSetup.AddSingleOptInProcessAsync(target, "anna");
        await CreateFieldAsync(client, "Shoe size", "number");
        await CreateFieldAsync(client, "Note", "paragraph");
        var job = await ImportAsync(client, exported);

        Assert.Equal((2, 2, 0), (Count(job, "rows_read"), Count(job, "created"), Count(job, "refused")));
        Assert.Equal(exported, await (await client.GetAsync("/export")).Content.ReadAsStringAsync());
        Assert.Equal(0, Count(await ImportAsync(client, exported), "updated"));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnImportedPendingContactGetsItsConfirmationEmailOnlyOnRequest(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        await ImportAsync(client, "email,status\npat@example.com,Opt-In Pending\n");
        var outbox = Path.Combine(host.Database.Directory, "outbox");
        Assert.False(Directory.Exists(outbox) && Directory.EnumerateFiles(outbox).Any());

        await AssertTrueAsync(await client.PostAsJsonAsync("/subscriber/resend", new { email = "pat@example.com" }));

        var mail = Assert.Single(await Outbox.FilesAsync(outbox, 1));
        Assert.Contains("pat@example.com", await File.ReadAllTextAsync(mail), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task EveryRefusedRowIsReportedWithItsLineColumnAndErrorAndTheGoodRowsLand(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        await AssertTrueAsync(await client.PostAsJsonAsync("/blocklist", new { value = "blocked.de" }));
        await AddIdAsync(client, "old@example.com");
        await UnsubscribeAsync(client, "old@example.com");
        await AddAsync(client, new { email = "other@example.com", smsnumber = "+4915112345678" });
        var before = (await EventsAsync(client)).Length;

        var job = await ImportAsync(client, """
            email,sms_phone,fieldBirthday,listid,optin_at,status
            good@example.com,,,,,
            not-an-address,,,,,
            x@example.com,12,,,,
            y@example.com,,not a date,,,
            ,,,,,
            z@example.com,,,999,,
            w@example.com,,,,yesterday,
            spam@blocked.de,,,,,
            v@example.com,,,,,maybe
            old@example.com,,,,,subscribed
            taken@example.com,+4915112345678,,,,
            """);

        Assert.Equal(("done", 11, 1, 10), (Text(job, "state"), Count(job, "rows_read"), Count(job, "created"), Count(job, "refused")));
        var report = await ReportAsync(client, job);
        Assert.Equal("line,column,error,message", report[0]);
        Assert.Equal(
        [
            "3,email,5", "4,sms_phone,11", "5,fieldBirthday,8", "6,,32", "7,listid,402", "8,optin_at,8", "9,email,30", "10,status,8", "11,status,4", "12,sms_phone,9",
        ], report.Skip(1).Select(line => string.Join(',', line.Split(',').Take(3))));
        Assert.Contains("Invalid email address.", report[1], StringComparison.Ordinal);
        Assert.Contains("The email address is blocked.", report[7], StringComparison.Ordinal);

        // Only the good row changed anything.
        Assert.Equal(["contact.created"], (await EventsAsync(client)).Skip(before).Select(e => e.Type));
        Assert.Equal("Unsubscribed", Text(await GetAsync(client, await SearchAsync(client, "old@example.com")), "status"));
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsJsonAsync("/subscriber/search", new { email = "taken@example.com" })).StatusCode);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ImportingTheSameFileAgainChangesNothing(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        await CreateFieldAsync(client, "Shoe size", "number");
        await ImportAsync(client, Consent);
        var events = await EventsAsync(client);
        var anna = await GetAsync(client, await SearchAsync(client, "anna@example.com"));
        host.Clock.Advance(TimeSpan.FromHours(1));

        var again = await ImportAsync(client, Consent);

        Assert.Equal((3, 0, 0, 3, 0), (Count(again, "rows_read"), Count(again, "created"), Count(again, "updated"), Count(again, "unchanged"), Count(again, "refused")));
        Assert.Equal(events, await EventsAsync(client));
        Assert.Equal(anna.GetRawText(), (await GetAsync(client, Text(anna, "id"))).GetRawText());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ExistingAddressesAreUpdatedOrSkippedAsTheImportSays(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var id = Text(await AddAsync(client, new { email = "anna@example.com", fields = new Dictionary<string, string> { ["fieldFirstName"] = "Anna" } }), "id");
        Assert.Equal("Opt-In Pending", Text(await GetAsync(client, id), "status"));
        var before = (await EventsAsync(client)).Length;
        const string File = "email,fieldFirstName,tags,status,optin_at,optin_ip\nanna@example.com,Annabelle,VIP,subscribed,2024-03-01 08:00:00,203.0.113.9\n";

        var skipped = await ImportAsync(client, File, "?existing=skip");
        Assert.Equal((1, 0, 0), (Count(skipped, "skipped"), Count(skipped, "updated"), Count(skipped, "created")));
        Assert.Equal(before, (await EventsAsync(client)).Length);

        var updated = await ImportAsync(client, File);
        Assert.Equal(1, Count(updated, "updated"));
        var anna = await GetAsync(client, id);
        Assert.Equal(("Subscribed", "01.03.2024 08:00:00", "203.0.113.9", "Annabelle"),
            (Text(anna, "status"), Text(anna, "optin"), Text(anna, "optin_ip"), Text(anna, "fieldFirstName")));
        var vip = (await client.GetFromJsonAsync<Dictionary<string, string>>("/tag"))!.Single(t => t.Value == "VIP").Key;
        var optIn = (await SmartTagsAsync(client, id)).Values.Single();
        Assert.Equal(
            [new("contact.updated", id, Fields: "fieldFirstName"), new("tag.added", id, vip), new("contact.subscribed", id), new ContactEventView("tag.added", id, optIn)],
            (await EventsAsync(client)).Skip(before));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task NdjsonTakesListsOfTagsAndReportsLinesItCannotRead(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var shoeSize = await CreateFieldAsync(client, "Shoe size", "number");

        var job = await ImportAsync(client, """
            {"email":"anna@example.com","fieldFirstName":"Anna","tags":["VIP","Kunde, Köln"],"Shoe size":38,"status":"subscribed"}
            not json
            {"email":"bert@example.com","colour":"blue"}

            {"sms_phone":"+4917012345678","fieldCity":null}
            """, contentType: "application/x-ndjson");

        Assert.Equal((4, 2, 2), (Count(job, "rows_read"), Count(job, "created"), Count(job, "refused")));
        Assert.Equal(["2,,8", "3,colour,8"], (await ReportAsync(client, job)).Skip(1).Select(line => string.Join(',', line.Split(',').Take(3))));
        var anna = await GetAsync(client, await SearchAsync(client, "anna@example.com"));
        Assert.Equal(("Subscribed", "Anna", "38"), (Text(anna, "status"), Text(anna, "fieldFirstName"), Text(anna, shoeSize)));
        var names = (await client.GetFromJsonAsync<Dictionary<string, string>>("/tag"))!;
        Assert.Equal(["Kunde, Köln", "VIP"], Map(anna, "manual_tags").Keys.Select(t => names[t]).Order());
        Assert.Equal(2, (await ListAllAsync(client)).Length);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AFileThatCannotBeImportedIsRefusedAtOnceAndNothingIsQueued(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");

        var unknown = await WireAssert.MessageAsync(await client.PostAsync("/import", Csv("email,colour\nanna@example.com,blue\n")), HttpStatusCode.BadRequest);
        Assert.Contains("\"colour\"", unknown, StringComparison.Ordinal);
        Assert.Contains("ignoreUnknownColumns", unknown, StringComparison.Ordinal);
        Assert.Contains("neither an email nor an sms_phone", await WireAssert.MessageAsync(await client.PostAsync("/import", Csv("fieldFirstName\nAnna\n")), HttpStatusCode.BadRequest), StringComparison.Ordinal);
        Assert.Contains("same value", await WireAssert.MessageAsync(await client.PostAsync("/import", Csv("email,fieldFirstName,First name\na@example.com,A,B\n")), HttpStatusCode.BadRequest), StringComparison.Ordinal);
        Assert.Contains("existing", await WireAssert.MessageAsync(await client.PostAsync("/import?existing=maybe", Csv("email\na@example.com\n")), HttpStatusCode.BadRequest), StringComparison.Ordinal);
        // The export's rule for a tag separator: a quote is the CSV's own.
        Assert.Contains("no letter, digit, space, quote", await WireAssert.MessageAsync(await client.PostAsync("/import?tagSeparator=%22", Csv("email\na@example.com\n")), HttpStatusCode.BadRequest), StringComparison.Ordinal);
        Assert.Contains("999", await WireAssert.MessageAsync(await client.PostAsync("/import?listid=999", Csv("email\na@example.com\n")), HttpStatusCode.BadRequest), StringComparison.Ordinal);
        Assert.Equal(0, (await WireAssert.OkAsync(await client.GetAsync("/import"))).GetArrayLength());
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(host.Database.Directory, "imports")));

        var ignoring = await ImportAsync(client, "email,colour\nanna@example.com,blue\n", "?ignoreUnknownColumns=true");
        Assert.Equal(1, Count(ignoring, "created"));
    }

    /// <summary>
    /// A file sent as a browser's form sends it (or <c>curl -F file=@list.jsonl</c>) imports as the
    /// body would: its name kept, NDJSON known by it, options taken from the form's other fields.
    /// A form without a file, or with two, is refused with nothing queued.
    /// </summary>
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AFileSentAsAFormImportsAsTheBodyWould(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        static MultipartFormDataContent Form(string fileName, string file, params (string Name, string Value)[] fields)
        {
            var form = new MultipartFormDataContent();
            foreach (var (name, value) in fields) form.Add(new StringContent(value), name);
            form.Add(new ByteArrayContent(Encoding.UTF8.GetBytes(file)) { Headers = { ContentType = new("application/octet-stream") } }, "file", fileName);
            return form;
        }

        var first = await ImportAsync(client, Form("list.jsonl", """
            {"email":"anna@example.com","fieldFirstName":"Anna","tags":["VIP"]}
            {"email":"bert@example.com","fieldFirstName":"Bert"}
            """));
        Assert.Equal(("list.jsonl", "ndjson", 2L), (Text(first, "file"), Text(first, "format"), Count(first, "created")));
        Assert.Equal("Anna", Text(await GetAsync(client, await SearchAsync(client, "anna@example.com")), "fieldFirstName"));

        var skipped = await ImportAsync(client, Form("Kontakte.csv", "email;fieldFirstName\r\nanna@example.com;Anne\r\ncarl@example.com;Carl\r\n", ("existing", "skip"), ("delimiter", ";")));
        Assert.Equal(("Kontakte.csv", 1L, 1L), (Text(skipped, "file"), Count(skipped, "created"), Count(skipped, "skipped")));
        Assert.Equal("Anna", Text(await GetAsync(client, await SearchAsync(client, "anna@example.com")), "fieldFirstName"));

        var noFile = new MultipartFormDataContent { { new StringContent("skip"), "existing" } };
        Assert.Contains("no file", await WireAssert.MessageAsync(await client.PostAsync("/import", noFile), HttpStatusCode.BadRequest), StringComparison.Ordinal);
        var twoFiles = Form("a.csv", "email\na@example.com\n");
        twoFiles.Add(new StringContent("email\nb@example.com\n"), "file", "b.csv");
        Assert.Contains("one file", await WireAssert.MessageAsync(await client.PostAsync("/import", twoFiles), HttpStatusCode.BadRequest), StringComparison.Ordinal);
        Assert.Contains("existing", await WireAssert.MessageAsync(await client.PostAsync("/import", Form("c.csv", "email\nc@example.com\n", ("existing", "maybe"))), HttpStatusCode.BadRequest), StringComparison.Ordinal);
        Assert.Equal(2, (await WireAssert.OkAsync(await client.GetAsync("/import"))).GetArrayLength());
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(host.Database.Directory, "imports")));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnotherAccountsImportIsNotFound(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var anna = await host.NewAccountClientAsync("anna");
        using var bert = await host.NewAccountClientAsync("bert");
        var job = await ImportAsync(anna, "email\nnot-an-address\n");

        Assert.Equal(HttpStatusCode.NotFound, (await bert.GetAsync($"/import/{Text(job, "id")}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await bert.GetAsync($"/import/{Text(job, "id")}/report")).StatusCode);
        Assert.Equal(0, (await WireAssert.OkAsync(await bert.GetAsync("/import"))).GetArrayLength());
        Assert.Equal(1, (await WireAssert.OkAsync(await anna.GetAsync("/import"))).GetArrayLength());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ImportedTagsStartCampaignsUnlessTheImportSaysNot(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider, Fast);
        using var client = await host.NewAccountClientAsync("anna");
        var list = await SingleOptInListAsync(client);
        var buyer = await CreateTagAsync(client, "Buyer");
        var campaign = Text(await CreateCampaignAsync(client, new { name = "Welcome", tagid = buyer, steps = new object[] { new { type = "wait", seconds = 3600 } } }), "id");

        await ImportAsync(client, $"email,tags,listid\nquiet@example.com,Buyer,{list}\n", "?automations=false");
        await ImportAsync(client, $"email,tags,listid\nloud@example.com,Buyer,{list}\n");

        var loud = await SearchAsync(client, "loud@example.com");
        await EventuallyAsync(async () => Map(await GetAsync(client, loud), "campaigns_started").ContainsKey(campaign), "the imported contact enters the campaign");
        var quiet = await GetAsync(client, await SearchAsync(client, "quiet@example.com"));
        Assert.Equal("Subscribed", Text(quiet, "status"));
        Assert.Empty(Map(quiet, "campaigns_started"));
        Assert.Contains(new ContactEventView("tag.added", Text(quiet, "id"), Id(buyer)), await EventsAsync(client));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnImportStoppedPartWayResumesAfterItsLastCommittedRow(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var file = Path.Combine(database.Directory, "contacts.csv");
        var lines = Enumerable.Range(0, 5_000).Select(i => $"c{i}@example.com,Name{i},T{i % 3}").ToList();
        await File.WriteAllTextAsync(file, "email,fieldFirstName,tags\n" + string.Join('\n', lines) + "\n");
        long jobId;
        await using (var first = await TagflowHost.StartOnAsync(database))
        {
            var accountId = (await first.AddAccountAsync("anna")).Id;
            // As a stop after line 2,001 leaves it: those rows committed with the job's counters, the job running with no importer.
            var half = Path.Combine(database.Directory, "half.csv");
            await File.WriteAllTextAsync(half, "email,fieldFirstName,tags\n" + string.Join('\n', lines.Take(2_000)) + "\n");
            jobId = await first.WithServicesAsync(async sp =>
            {
                var imports = sp.GetRequiredService<ContactImports>();
                var halfJob = await imports.CreateAsync(accountId, half, ownsFile: false, "half.csv", new ImportOptions(), CancellationToken.None);
                Assert.True(await imports.ClaimAsync(halfJob.Id, CancellationToken.None));
                await imports.RunAsync(halfJob.Id, null, CancellationToken.None);
                var job = await imports.CreateAsync(accountId, file, ownsFile: false, "contacts.csv", new ImportOptions(), CancellationToken.None);
                var db = sp.GetRequiredService<TagflowDb>();
                await db.ImportJobs.Where(j => j.Id == job.Id).ExecuteUpdateAsync(s => s
                    .SetProperty(j => j.State, ImportState.Running).SetProperty(j => j.LinesDone, 2_001).SetProperty(j => j.RowsRead, 2_000).SetProperty(j => j.Created, 2_000));
                await db.ImportRefusals.ExecuteDeleteAsync();
                return job.Id;
            });
        }

        await using var again = await TagflowHost.StartOnAsync(database);
        using var client = await again.NewAccountClientAsync("bert"); // a second account, for a client; anna's import is read through the services
        JsonElement done = default;
        await EventuallyAsync(async () => Text(done = await WithJobAsync(again, jobId), "state") == "done", "the import resumes and ends");

        Assert.Equal((5_000, 5_000, 0, 0), (Count(done, "rows_read"), Count(done, "created"), Count(done, "unchanged"), Count(done, "refused")));
        var (contacts, created, tagged) = await again.WithServicesAsync(async sp =>
        {
            var db = sp.GetRequiredService<TagflowDb>();
            return (await db.Contacts.CountAsync(), await db.Events.CountAsync(e => e.Type == "contact.created"), await db.Events.CountAsync(e => e.Type == "tag.added"));
        });
        Assert.Equal((5_000, 5_000, 5_000), (contacts, created, tagged));
    }

    /// <summary>
    /// A tag the file names, deleted by its owner while the import runs (here right after the first
    /// batch), is made again for the rows after that: the import goes on to its end, and no contact
    /// is left with a tag that no longer exists.
    /// </summary>
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ATagDeletedWhileTheImportRunsIsMadeAgainForTheRowsAfter(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        var accountId = (await host.AddAccountAsync("anna")).Id;

        var (done, batches) = await RunAfterEachBatchAsync(host, accountId, i => $"c{i}@example.com,Kunde|VIP", "email,tags", async (other, _) =>
        {
            var db = other.GetRequiredService<TagflowDb>();
            var kunde = await db.Tags.Where(t => t.AccountId == accountId && t.Name == "Kunde").Select(t => t.Id).SingleAsync();
            Assert.Null(await other.GetRequiredService<Tagflow.Tags.TagAdmin>().RemoveAsync(accountId, kunde, CancellationToken.None));
        });

        Assert.Equal(3, batches);
        Assert.Equal((ImportState.Done, 5_000L, 5_000L, 0L), (done.State, done.RowsRead, done.Created, done.Refused));
        var (kundeHolds, vipHolds, orphans) = await host.WithServicesAsync(async sp =>
        {
            var db = sp.GetRequiredService<TagflowDb>();
            int Holds(string name) => db.ContactTags.Count(ct => db.Tags.Any(t => t.Id == ct.TagId && t.Name == name));
            return (Holds("Kunde"), Holds("VIP"), await db.ContactTags.CountAsync(ct => !db.Tags.Any(t => t.Id == ct.TagId)));
        });
        Assert.Equal((5_000 - ContactImports.BatchSize, 5_000, 0), (kundeHolds, vipHolds, orphans));
    }

    /// <summary>
    /// An importer that stalled past its lease, and whose job another importer then took over, finds
    /// the other's heartbeat at its next batch and stops there: it writes no more rows and does not
    /// end the job, which the other goes on with from the last committed batch.
    /// </summary>
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnImporterWhoseJobWasTakenOverWritesNothingMore(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        var accountId = (await host.AddAccountAsync("anna")).Id;
        var takenOver = new DateTime(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc);

        // As another instance's claim once this importer's lease ran out: a heartbeat of its own.
        var (job, batches) = await RunAfterEachBatchAsync(host, accountId, i => $"c{i}@example.com", "email", (other, jobId) =>
            other.GetRequiredService<TagflowDb>().ImportJobs.Where(j => j.Id == jobId).ExecuteUpdateAsync(s => s.SetProperty(j => j.HeartbeatAt, takenOver)));

        Assert.Equal(1, batches);
        Assert.Equal((ImportState.Running, takenOver, 2_000L, 2_000L, (DateTime?)null), (job.State, job.HeartbeatAt, job.RowsRead, job.Created, job.FinishedAt));
        Assert.Equal(2_000, await host.WithServicesAsync(sp => sp.GetRequiredService<TagflowDb>().Contacts.CountAsync()));
    }

    /// <summary>
    /// Imports 5,000 rows (<paramref name="row"/> of each index, under <paramref name="header"/>)
    /// through the server's importer, running <paramref name="afterFirstBatch"/> with services of
    /// their own once the first batch has committed; answers the ended (or let go) job and how many
    /// batches committed.
    /// </summary>
    private static Task<(ImportJob Job, int Batches)> RunAfterEachBatchAsync(TagflowHost host, long accountId, Func<int, string> row, string header,
        Func<IServiceProvider, long, Task> afterFirstBatch) => host.WithServicesAsync(async sp =>
    {
        var file = Path.Combine(host.Database.Directory, "contacts.csv");
        await File.WriteAllTextAsync(file, header + "\n" + string.Join('\n', Enumerable.Range(0, 5_000).Select(row)) + "\n");
        var imports = sp.GetRequiredService<ContactImports>();
        var job = await imports.CreateAsync(accountId, file, ownsFile: false, "contacts.csv", new ImportOptions(), CancellationToken.None);
        Assert.True(await imports.ClaimAsync(job.Id, CancellationToken.None));
        var batches = 0;
        await imports.RunAsync(job.Id, new AfterBatch(progress =>
        {
            if (progress.State != ImportState.Running || ++batches > 1) return;
            host.WithServicesAsync(async other =>
            {
                await afterFirstBatch(other, job.Id);
                return 0;
            }).GetAwaiter().GetResult();
        }), CancellationToken.None);
        return (await sp.GetRequiredService<TagflowDb>().ImportJobs.AsNoTracking().SingleAsync(j => j.Id == job.Id), batches);
    });

    /// <summary>Calls back with the job after each committed batch (and once more when it has ended).</summary>
    private sealed class AfterBatch(Action<ImportJob> action) : IProgress<ImportJob>
    {
        public void Report(ImportJob value) => action(value);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AServerStoppedDuringAnImportFinishesItAfterItsRestartWithEveryRowOnce(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var rows = Enumerable.Range(0, 20_000).Select(i => $"r{i}@example.com,First{i},{i % 90 + 10},A{i % 4}|B{i % 7}");
        var body = "email,fieldFirstName,fieldZip,tags\n" + string.Join('\n', rows) + "\n";
        string jobId;
        await using (var first = await TagflowHost.StartOnAsync(database))
        {
            using var client = await first.NewAccountClientAsync("anna");
            using var response = await client.PostAsync("/import", Csv(body));
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            jobId = Text(await response.Content.ReadFromJsonAsync<JsonElement>(), "id");
            await EventuallyAsync(async () => Count(await WireAssert.OkAsync(await client.GetAsync($"/import/{jobId}")), "rows_read") > 0, "the import begins");
        } // stopped, most likely part way

        await using var again = await TagflowHost.StartOnAsync(database);
        JsonElement done = default;
        await EventuallyAsync(async () => Text(done = await WithJobAsync(again, long.Parse(jobId)), "state") == "done", "the import ends");
        Assert.Equal((20_000, 20_000, 0), (Count(done, "rows_read"), Count(done, "created"), Count(done, "refused")));
        var (contacts, created, tagged, values) = await again.WithServicesAsync(async sp =>
        {
            var db = sp.GetRequiredService<TagflowDb>();
            return (await db.Contacts.CountAsync(), await db.Events.CountAsync(e => e.Type == "contact.created"),
                await db.ContactTags.CountAsync(), await db.ContactFields.CountAsync());
        });
        Assert.Equal((20_000, 20_000, 40_000, 40_000), (contacts, created, tagged, values));
    }

    /// <summary>The import's job as GET /import/{id} shows it, read through the server's services (for a test without the account's client).</summary>
    private static Task<JsonElement> WithJobAsync(TagflowHost host, long id) => host.WithServicesAsync(async sp =>
    {
        var job = await sp.GetRequiredService<TagflowDb>().ImportJobs.AsNoTracking().SingleAsync(j => j.Id == id);
        return JsonSerializer.SerializeToElement(ImportApi.View(job));
    });

    private static StringContent Csv(string text) => new(text, Encoding.UTF8, "text/csv");

    /// <summary>POSTs the file, expects 202 and its job, and waits until the job has ended; answers the ended job.</summary>
    internal static Task<JsonElement> ImportAsync(HttpClient client, string file, string query = "", string contentType = "text/csv") =>
        ImportAsync(client, new StringContent(file, Encoding.UTF8, contentType), query);

    /// <summary>As <see cref="ImportAsync(HttpClient, string, string, string)"/>, with the body given (a form, say).</summary>
    internal static async Task<JsonElement> ImportAsync(HttpClient client, HttpContent body, string query = "")
    {
        using var response = await client.PostAsync("/import" + query, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"Expected 202, got {(int)response.StatusCode}: {text}");
        var id = Text(JsonDocument.Parse(text).RootElement, "id");
        Assert.Equal($"/import/{id}", response.Headers.Location?.ToString());
        JsonElement job = default;
        await EventuallyAsync(async () => Text(job = await WireAssert.OkAsync(await client.GetAsync($"/import/{id}")), "state") is "done" or "failed", "the import ends");
        Assert.Equal("", Text(job, "error"));
        return job;
    }

    internal static long Count(JsonElement job, string key) => job.GetProperty(key).GetInt64();

    /// <summary>The lines of the import's report.</summary>
    internal static async Task<string[]> ReportAsync(HttpClient client, JsonElement job)
    {
        using var response = await client.GetAsync($"/import/{Text(job, "id")}/report");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/csv", response.Content.Headers.ContentType?.ToString());
        return (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}
