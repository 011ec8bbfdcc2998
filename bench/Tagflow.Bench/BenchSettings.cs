namespace Tagflow.Bench;

internal sealed record BenchSettings(
    string ServerPath,
    string DataDirectory,
    string? Readme,
    string Command,
    string Revision,
    int Clients,
    TimeSpan AddOrUpdate,
    TimeSpan Search,
    TimeSpan Baseline,
    int Contacts,
    int CampaignContacts,
    int WebhookContacts,
    int WebhookRate,
    int ImportContacts,
    int SmallImportContacts,
    TimeSpan HotPath,
    bool ContactsOnly = false,
    string? ContactsDatabase = null)
{
    /// <summary>The settings of the issues' figures (issues 3, 6 and 16); only they may replace the README's.</summary>
    public static readonly BenchSettings Documented = new(
        ServerPath: "", DataDirectory: "", Readme: null, Command: "", Revision: "",
        Clients: 32,
        AddOrUpdate: TimeSpan.FromSeconds(20),
        Search: TimeSpan.FromSeconds(15),
        Baseline: TimeSpan.FromSeconds(5),
        Contacts: 100_000,
        CampaignContacts: 10_000,
        WebhookContacts: 2_000,
        WebhookRate: 100,
        ImportContacts: 1_000_000,
        SmallImportContacts: 10_000,
        HotPath: TimeSpan.FromSeconds(10));

    /// <summary>Filling the account stops with an error after this long rather than run for ever.</summary>
    public static readonly TimeSpan FillLimit = TimeSpan.FromMinutes(30);

    /// <summary>An import not done after this long stops the run; so does one whose rate says it would not be.</summary>
    public static readonly TimeSpan ImportLimit = TimeSpan.FromMinutes(15);

    /// <summary>Waiting for emails or webhook calls ends when none has arrived for this long.</summary>
    public static readonly TimeSpan DeliveryStall = TimeSpan.FromSeconds(60);

    public bool IsDocumented =>
        Clients == Documented.Clients && AddOrUpdate == Documented.AddOrUpdate && Search == Documented.Search &&
        Baseline == Documented.Baseline && Contacts == Documented.Contacts && CampaignContacts == Documented.CampaignContacts &&
        WebhookContacts == Documented.WebhookContacts && WebhookRate == Documented.WebhookRate &&
        ImportContacts == Documented.ImportContacts && SmallImportContacts == Documented.SmallImportContacts && HotPath == Documented.HotPath &&
        !ContactsOnly && ContactsDatabase is null;
}
