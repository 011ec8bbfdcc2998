using System.CommandLine;
using System.Globalization;
using Tagflow.Bench;
using Tagflow.Bench.Crash;

// Figures read the same whatever the machine's locale: 1,234.5 in the README and on the terminal.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

var server = new Option<string>("--server") { Description = "The published tagflow executable.", Required = true };
var data = new Option<string>("--data") { Description = "An empty directory for the databases and the server log (on a real disk, not tmpfs).", Required = true };
var readme = new Option<string?>("--readme") { Description = "README whose results block to replace; only a run with the documented settings writes it." };
var command = new Option<string>("--command") { Description = "The command line to print in the results.", DefaultValueFactory = _ => "bench/run" };
var revision = new Option<string>("--revision") { Description = "The source revision measured.", DefaultValueFactory = _ => "unknown" };
var clients = new Option<int>("--clients") { Description = "Concurrent keep-alive HTTP clients.", DefaultValueFactory = _ => BenchSettings.Documented.Clients };
var seconds = new Option<int>("--seconds") { Description = "Measured seconds of add-or-update.", DefaultValueFactory = _ => (int)BenchSettings.Documented.AddOrUpdate.TotalSeconds };
var searchSeconds = new Option<int>("--search-seconds") { Description = "Measured seconds of search.", DefaultValueFactory = _ => (int)BenchSettings.Documented.Search.TotalSeconds };
var baselineSeconds = new Option<int>("--baseline-seconds") { Description = "Measured seconds of SQLite upserts.", DefaultValueFactory = _ => (int)BenchSettings.Documented.Baseline.TotalSeconds };
var contacts = new Option<int>("--contacts") { Description = "Contacts in the account for search, GET /subscriber and the memory figure.", DefaultValueFactory = _ => BenchSettings.Documented.Contacts };
var campaignContacts = new Option<int>("--campaign-contacts") { Description = "Contacts tagged to start the campaign with an email step.", DefaultValueFactory = _ => BenchSettings.Documented.CampaignContacts };
var webhookContacts = new Option<int>("--webhook-contacts") { Description = "Contacts tagged to call the webhook, once paced and once more in a burst.", DefaultValueFactory = _ => BenchSettings.Documented.WebhookContacts };
var webhookRate = new Option<int>("--webhook-rate") { Description = "Tag calls per second of the paced webhook run.", DefaultValueFactory = _ => BenchSettings.Documented.WebhookRate };
var importContacts = new Option<int>("--import-contacts") { Description = "Contacts in the CSV file imported on a fresh database, for the import rate, the hot path and the admin app's contacts page at that size.", DefaultValueFactory = _ => BenchSettings.Documented.ImportContacts };
var smallImportContacts = new Option<int>("--small-import-contacts") { Description = "Contacts imported on another fresh database, the size the hot path is compared with.", DefaultValueFactory = _ => BenchSettings.Documented.SmallImportContacts };
var hotPathSeconds = new Option<int>("--hot-path-seconds") { Description = "Measured seconds of each hot-path call (search, add-or-update, tag) on the imported accounts.", DefaultValueFactory = _ => (int)BenchSettings.Documented.HotPath.TotalSeconds };
var contactsOnly = new Option<bool>("--contacts-only") { Description = "Measure only the contact API's figures (baseline, add-or-update, fill, search, the list), not the automations or the import: for a quick look at the write path." };
var contactsDb = new Option<string?>("--contacts-db") { Description = "The database of the contact API's figures: a PostgreSQL connection string (Host=…;Database=…, a database that does not exist yet) to measure PostgreSQL instead of a fresh SQLite file." };
var crashTrials = new Option<int>("--crash-trials") { Description = "Run the crash suite instead of the figures: this many trials of kill -9 under load, restart and checks (bench/crash)." };
var crashSeed = new Option<int?>("--crash-seed") { Description = "The crash suite's first seed (the next trials take the next ones); a failed trial prints its seed to replay it with --crash-trials 1." };
foreach (var option in new[] { clients, contacts, campaignContacts, webhookContacts, webhookRate, importContacts, smallImportContacts, hotPathSeconds })
    option.Validators.Add(result => { if (result.GetValueOrDefault<int>() < 1) result.AddError($"{option.Name} must be at least 1."); });

var root = new RootCommand("Measures Tagflow against a raw SQLite baseline, then its campaigns and webhooks, then its contact import, and writes the figures to bench/README.md; "
    + "or, with --crash-trials, runs the crash suite. Run it through bench/run or bench/crash.")
{
    server, data, readme, command, revision, clients, seconds, searchSeconds, baselineSeconds, contacts, campaignContacts, webhookContacts, webhookRate,
    importContacts, smallImportContacts, hotPathSeconds, contactsOnly, contactsDb, crashTrials, crashSeed,
};
root.SetAction((parse, cancellationToken) => parse.GetValue(crashTrials) > 0
    ? CrashSuite.RunAsync(new CrashSettings(
        ServerPath: parse.GetValue(server)!,
        DataDirectory: parse.GetValue(data)!,
        Command: parse.GetValue(command)!,
        Revision: parse.GetValue(revision)!,
        Trials: parse.GetValue(crashTrials),
        FirstSeed: parse.GetValue(crashSeed) ?? Random.Shared.Next(1, 1_000_000),
        Clients: parse.GetValue(clients)), cancellationToken)
    : Benchmark.RunAsync(new BenchSettings(
    ServerPath: parse.GetValue(server)!,
    DataDirectory: parse.GetValue(data)!,
    Readme: parse.GetValue(readme),
    Command: parse.GetValue(command)!,
    Revision: parse.GetValue(revision)!,
    Clients: parse.GetValue(clients),
    AddOrUpdate: TimeSpan.FromSeconds(parse.GetValue(seconds)),
    Search: TimeSpan.FromSeconds(parse.GetValue(searchSeconds)),
    Baseline: TimeSpan.FromSeconds(parse.GetValue(baselineSeconds)),
    Contacts: parse.GetValue(contacts),
    CampaignContacts: parse.GetValue(campaignContacts),
    WebhookContacts: parse.GetValue(webhookContacts),
    WebhookRate: parse.GetValue(webhookRate),
    ImportContacts: parse.GetValue(importContacts),
    SmallImportContacts: parse.GetValue(smallImportContacts),
    HotPath: TimeSpan.FromSeconds(parse.GetValue(hotPathSeconds)),
    ContactsOnly: parse.GetValue(contactsOnly),
    ContactsDatabase: parse.GetValue(contactsDb)), cancellationToken));
return await root.Parse(args).InvokeAsync();
