using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Tagflow.Contacts;
using Tagflow.Data;
using Tagflow.Tests.Infrastructure;
using static Tagflow.Tests.Automations.AutomationCalls;
using static Tagflow.Tests.Automations.WebhookCalls;
using static Tagflow.Tests.Contacts.ContactCalls;

namespace Tagflow.Tests.Cli;

/// <summary><c>tagflow accounts remove</c>: the account and everything of it go, and nothing of another account's.</summary>
[Collection(AdminCli.Collection)]
public sealed class AccountRemovalCommandTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task RemovingAnAccountDeletesEveryRowOfItAndNoneOfAnothers(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await TagflowHost.StartAsync(provider, Fast);
        var anna = await FillAsync(host, receiver, "anna");
        var bert = await FillAsync(host, receiver, "bert");
        var before = await SettledAsync(host.Database);
        var annaId = before["Accounts"].Single(a => a.Values["Username"] == "anna").Values["Id"];

        var removed = await AdminCli.RunAsync(host.Database, "accounts", "remove", "anna", "--yes");

        Assert.Equal(new CliResult(0, "", ""), removed);
        var after = await StoredRows.ReadAsync(host.Database);
        foreach (var table in before.Tables.Where(t => t != "OutboxMails")) // the mail queue empties itself meanwhile
        {
            var owned = before.BelongsToAccounts(table);
            var annas = before[table].Where(r => before.Owner(r) == annaId).Select(r => r.ToString()).ToHashSet();
            var kept = before[table].Where(r => before.Owner(r) != annaId).Select(r => r.ToString()).Order(StringComparer.Ordinal);
            // Each of the account's tables held some of anna's rows: filling them above is what makes this test cover them.
            Assert.True(!owned || annas.Count > 0, $"{table}: no row of anna's to remove; fill it in FillAsync");
            Assert.Equal(kept, after[table].Select(r => r.ToString()).Order(StringComparer.Ordinal));
        }
        await WireAssert.MessageAsync(await anna.ClientFor(host).GetAsync("/account"), HttpStatusCode.Forbidden);
        using var bertClient = bert.ClientFor(host);
        Assert.NotEqual("", await SearchAsync(bertClient, "carla.bert@example.com"));
        Assert.Equal("bert", (await WireAssert.OkAsync(await bertClient.GetAsync("/account"))).GetProperty("username").GetString());
        Assert.Equal(new CliResult(1, "", "tagflow: No account named 'anna'.\n"), await AdminCli.RunAsync(host.Database, "accounts", "remove", "anna", "--yes"));
    }

    /// <summary>An uploaded file waits on disk until its import has run; removing the account deletes it too.</summary>
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task RemovingAnAccountDeletesTheUploadsOfItsUnfinishedImports(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        var accountId = (await host.AddAccountAsync("anna")).Id;
        var upload = Path.Combine(host.Database.Directory, "upload.csv");
        var kept = Path.Combine(host.Database.Directory, "kept.csv");
        await File.WriteAllTextAsync(upload, "email\ncarla@example.com\n");
        await File.WriteAllTextAsync(kept, "email\ndora@example.com\n");
        await host.WithServicesAsync(async sp =>
        {
            var db = sp.GetRequiredService<TagflowDb>();
            // As imports that another instance has claimed and is running: this server's importer leaves them alone.
            ImportJob Running(string path, bool ownsFile) => new()
            {
                AccountId = accountId, State = ImportState.Running, Format = "csv", Options = new ImportOptions().ToJson(), FilePath = path, OwnsFile = ownsFile,
                CreatedAt = DateTime.UtcNow, StartedAt = DateTime.UtcNow, HeartbeatAt = DateTime.UtcNow.AddHours(1),
            };
            db.ImportJobs.AddRange(Running(upload, ownsFile: true), Running(kept, ownsFile: false)); // the second, a file of the operator's (tagflow import)
            return await db.SaveChangesAsync();
        });

        Assert.Equal(new CliResult(0, "", ""), await AdminCli.RunAsync(host.Database, "accounts", "remove", "anna", "--yes"));

        Assert.False(File.Exists(upload), "the uploaded file of the removed account's import is deleted");
        Assert.True(File.Exists(kept), "a file the import was only given to read stays");
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task RemovingAnAccountWithoutYesIsRefusedAndChangesNothing(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        await AddIdAsync(client, "carla@example.com");
        var before = await StoredRows.ReadAsync(host.Database);

        var refused = await AdminCli.RunAsync(host.Database, "accounts", "remove", "anna");

        Assert.Equal(new CliResult(1, "", "tagflow: Removing 'anna' deletes it with all its contacts, fields, tags, processes, campaigns, "
            + "webhooks, events, keys and sessions, and cannot be undone: add --yes to remove it.\n"), refused);
        var after = await StoredRows.ReadAsync(host.Database);
        foreach (var table in before.Tables.Where(t => t != "OutboxMails"))
            Assert.Equal(before[table].Select(r => r.ToString()), after[table].Select(r => r.ToString()));
        await WireAssert.OkAsync(await client.GetAsync("/account"));
    }

    /// <summary>
    /// The rows once the automation engine has read every event: it writes nothing more after that,
    /// so what another account has cannot change while the test compares it.
    /// </summary>
    private static async Task<StoredRows> SettledAsync(TestDatabase database)
    {
        StoredRows rows = null!;
        await EventuallyAsync(async () =>
        {
            rows = await StoredRows.ReadAsync(database);
            return rows["AutomationCursors"].All(c => c.Values["LastEventId"] == rows["Events"]
                .Where(e => e.Values["AccountId"] == c.Values["AccountId"]).Max(e => long.Parse(e.Values["Id"], CultureInfo.InvariantCulture))
                .ToString(CultureInfo.InvariantCulture));
        }, "the automation engine has read every event");
        return rows;
    }

    /// <summary>
    /// An account with a row in every table an account has rows in: keys, a session and a failed
    /// login, a field, tags, processes, a listbuilding key, a blocklist entry, a campaign that has
    /// sent its email, a webhook that has been delivered, contacts with their events and tokens, an undelivered email and a bounce.
    /// </summary>
    private static async Task<PartnerCredentials> FillAsync(TagflowHost host, WebhookReceiver receiver, string username)
    {
        var partner = await host.AddPartnerAsync(username);
        using var client = partner.ClientFor(host);
        await WireAssert.MessageAsync(await host.Client.PostAsJsonAsync("/account/login", new { username, password = "a wrong guess" }), HttpStatusCode.Unauthorized);
        await host.LoginAsync(username);
        var shoeSize = await CreateFieldAsync(client, "Shoe size", "number");
        var buyer = await CreateTagAsync(client, "Buyer");
        using (var keyed = new HttpRequestMessage(HttpMethod.Post, "/tag") { Content = JsonContent.Create(new { name = "Keyed" }) })
        {
            keyed.Headers.Add("Idempotency-Key", $"key-{username}");
            await WireAssert.OkAsync(await client.SendAsync(keyed));
        }
        var list = await SingleOptInListAsync(client);
        await WireAssert.OkAsync(await client.PostAsJsonAsync("/listbuilding", new { name = "Blog form", listid = list, tagid = buyer }));
        await AssertTrueAsync(await client.PostAsJsonAsync("/blocklist", new { value = "spam@example.com" }));
        var campaign = Text(await CreateCampaignAsync(client, new { name = "Welcome", tagid = buyer, steps = new object[] { new { type = "email", subject = "Hi", text = "Welcome!" } } }), "id");
        var webhook = Text(await CreateWebhookAsync(client, new { name = "CRM", tagid = buyer, url = receiver.Url("/" + username) }), "id");

        var contact = await SubscribeAsync(client, $"carla.{username}@example.com", list, buyer, new() { [shoeSize] = "38" });
        await AddAsync(client, new { email = $"dora.{username}@example.com", listid = long.Parse(await PredefinedListIdAsync(client), CultureInfo.InvariantCulture) });
        await EventuallyAsync(async () => Map(await GetAsync(client, contact), "campaigns_finished").ContainsKey(campaign), "the campaign finishes");
        await DeliveryAfterAsync(client, webhook, attempts: 1);
        // An import whose one row is refused: a job and its report.
        await Contacts.ImportTests.ImportAsync(client, "email\nnot-an-address\n");
        // An email the relay refused (this server writes its mail to the outbox folder, where none is refused).
        await host.WithServicesAsync(async sp =>
        {
            var db = sp.GetRequiredService<TagflowDb>();
            var accountId = db.Accounts.Where(a => a.Username == username).Select(a => a.Id).Single();
            db.MailFailures.Add(new Tagflow.Delivery.MailFailure { AccountId = accountId, Recipient = $"carla.{username}@example.com", Subject = "Hi", Reason = "550", At = DateTime.UtcNow });
            // A bounce that came back for Carla's email.
            var carla = db.Contacts.Where(c => c.AccountId == accountId && c.Email == $"carla.{username}@example.com").Select(c => c.Id).Single();
            db.Bounces.Add(new Tagflow.Bounces.Bounce { AccountId = accountId, ContactId = carla, EmailId = "abcdefgh", Kind = Tagflow.Bounces.BounceKind.Soft, At = DateTime.UtcNow });
            // A campaign email skipped for her (as for a template that could not be filled).
            db.SkippedEmails.Add(new Tagflow.Automations.SkippedEmail
            {
                AccountId = accountId, ContactId = carla, CampaignId = long.Parse(campaign, CultureInfo.InvariantCulture), Step = 0,
                Reason = Tagflow.Automations.SkippedEmail.Reasons.Template, At = DateTime.UtcNow,
            });
            return await db.SaveChangesAsync();
        });
        return partner;
    }
}
