using System.Globalization;
using System.Text.Json;

namespace Tagflow.Bench;

/// <summary>The automation runs' figures, measured on a server of their own.</summary>
internal sealed record AutomationResults(PhaseResult Creates, CampaignResult Campaign, WebhookResult Paced, WebhookResult Burst, long ServerPeak, ServerLog ServerLog,
    LimitedCampaign Limited)
{
    public IEnumerable<CpuUse> Cpu => [Creates.Cpu, Campaign.Cpu, Paced.Cpu, Burst.Cpu, Limited.Campaign.Cpu];

    /// <summary>The runs of HTTP calls, for their first errors.</summary>
    public IEnumerable<PhaseResult> Phases => [Creates, Campaign.Tagging, Paced.Tagging, Burst.Tagging, Limited.Campaign.Tagging];
}

/// <summary>
/// The campaign again, sent at a sending limit (<c>--smtp-rate</c>, <c>--smtp-connections</c>):
/// <see cref="MostInOneSecond"/> is the most emails that reached the SMTP server within any one second.
/// </summary>
internal sealed record LimitedCampaign(int Rate, int Connections, CampaignResult Campaign, int MostInOneSecond, ServerLog ServerLog);

/// <summary>
/// Campaigns and webhooks (issue 6, "Speed"), after the contact figures: a second server on a fresh
/// database, started with <c>--smtp</c> pointing at <see cref="SmtpSink"/> and with
/// <c>--webhook-allow-private</c> so its webhook may call <see cref="WebhookReceiver"/>, both in this
/// process. Its contacts come through a single opt-in process, so they are subscribed at once and
/// get no confirmation email.
/// </summary>
internal static class AutomationBench
{
    private const string Needs = "the campaigns and webhooks of issue 6";

    internal sealed record Setup(long ListId, long StartTag, long TriggerTag, string CampaignId, string WebhookSecret);

    public static async Task<AutomationResults> MeasureAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        var database = Path.Combine(settings.DataDirectory, "automations.db");
        var logPath = Path.Combine(settings.DataDirectory, "automations.log");
        var credentials = await TagflowServer.CreateAccountAsync(settings.ServerPath, database, cancellationToken);
        await using var smtp = SmtpSink.Start();
        await using var receiver = await WebhookReceiver.StartAsync(cancellationToken);
        await using var server = await TagflowServer.StartAsync(settings.ServerPath, database, logPath, ["--smtp", smtp.Url, "--webhook-allow-private"], cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(settings.DataDirectory, "server.pid"), server.Pid.ToString(CultureInfo.InvariantCulture), cancellationToken);
        Console.WriteLine($"Tagflow (pid {server.Pid}) serves {server.BaseAddress} on a fresh database, email to {smtp.Url}, webhook to {receiver.Url}");

        using var load = new Load(server, credentials, settings.Clients);
        var setup = await SetUpAsync(load, receiver.Url, cancellationToken);
        // The paced and the burst webhook runs need contacts without the trigger tag each: adding it is what calls the webhook.
        var contacts = Math.Max(settings.CampaignContacts, 2 * settings.WebhookContacts);
        Console.WriteLine($"Creating {contacts:N0} contacts through a single opt-in process ({settings.Clients} clients) …");
        var creates = await CreateContactsAsync(load, setup.ListId, contacts, cancellationToken);
        Benchmark.Print(creates);
        if (smtp.Messages > 0)
            throw new BenchException($"{smtp.Messages:N0} emails reached the SMTP server before any contact was tagged: a single opt-in process should send none.");

        Console.WriteLine($"Campaign: tagging {settings.CampaignContacts:N0} contacts ({settings.Clients} clients), until every email reached the SMTP server …");
        var campaign = await Deliveries.CampaignAsync(load, server, smtp, setup.StartTag, settings.CampaignContacts, cancellationToken);
        Deliveries.Print(campaign);
        var finished = await FinishedAsync(load, setup.CampaignId, cancellationToken);
        if (finished != settings.CampaignContacts)
            Console.WriteLine($"  warning: GET /campaign/{setup.CampaignId} counts {finished} finished contacts, not {settings.CampaignContacts:N0}.");

        Console.WriteLine($"Webhook: tagging {settings.WebhookContacts:N0} contacts at {settings.WebhookRate} calls/s …");
        var paced = await Deliveries.WebhookAsync(load, server, receiver, setup.TriggerTag, setup.WebhookSecret, 0, settings.WebhookContacts, settings.WebhookRate, cancellationToken);
        Deliveries.Print(paced);
        Console.WriteLine($"Webhook: tagging {settings.WebhookContacts:N0} more contacts at once ({settings.Clients} clients) …");
        var burst = await Deliveries.WebhookAsync(load, server, receiver, setup.TriggerTag, setup.WebhookSecret, settings.WebhookContacts, settings.WebhookContacts, null, cancellationToken);
        Deliveries.Print(burst);

        var peak = server.Memory().Peak;
        await server.DisposeAsync();
        var limited = await LimitedCampaignAsync(settings, database, credentials, cancellationToken);
        return new AutomationResults(creates, campaign, paced, burst, peak, ServerLog.Read(logPath), limited);
    }

    /// <summary>A relay's limit in the benchmark: emails a second, and connections at once.</summary>
    public const int LimitedRate = 100, LimitedConnections = 4;

    /// <summary>
    /// The same server again on the same database, now with a sending limit, a new campaign with the
    /// same email on a new start tag, and the same contacts tagged with it: every email must arrive,
    /// once, and no second may see more than the limit.
    /// </summary>
    private static async Task<LimitedCampaign> LimitedCampaignAsync(BenchSettings settings, string database, Credentials credentials, CancellationToken cancellationToken)
    {
        var logPath = Path.Combine(settings.DataDirectory, "automations-limited.log");
        await using var smtp = SmtpSink.Start();
        string[] limits = ["--smtp", smtp.Url, "--smtp-rate", $"{LimitedRate}/s", "--smtp-connections", $"{LimitedConnections}"];
        await using var server = await TagflowServer.StartAsync(settings.ServerPath, database, logPath, limits, cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(settings.DataDirectory, "server.pid"), server.Pid.ToString(CultureInfo.InvariantCulture), cancellationToken);
        Console.WriteLine($"Tagflow (pid {server.Pid}) serves {server.BaseAddress} on the same database, email to {smtp.Url} at {string.Join(' ', limits[2..])}");
        using var load = new Load(server, credentials, settings.Clients);
        var startTag = await PostAsync(load, "/tag", new { name = "Bench limited campaign start" }, d => d.RootElement[0].GetInt64(), cancellationToken);
        await PostAsync(load, "/campaign", Campaign("Bench welcome at a sending limit", startTag), d => d.RootElement.GetProperty("id").GetString(), cancellationToken);

        Console.WriteLine($"Campaign at {LimitedRate} emails/s over {LimitedConnections} connections: tagging {settings.CampaignContacts:N0} contacts, until every email reached the SMTP server …");
        var campaign = await Deliveries.CampaignAsync(load, server, smtp, startTag, settings.CampaignContacts, cancellationToken,
            phase: "campaign at a sending limit");
        Deliveries.Print(campaign);
        var most = MostWithin(smtp.FirstArrivals(), TimeSpan.FromSeconds(1));
        Console.WriteLine($"  the most emails within any one second: {most:N0} (the limit: {LimitedRate})");
        await server.DisposeAsync();
        return new LimitedCampaign(LimitedRate, LimitedConnections, campaign, most, ServerLog.Read(logPath));
    }

    /// <summary>The most of <paramref name="ticks"/> (<see cref="System.Diagnostics.Stopwatch"/> timestamps) that lie within any span shorter than <paramref name="window"/>.</summary>
    private static int MostWithin(IReadOnlyList<long> ticks, TimeSpan window)
    {
        var sorted = ticks.Order().ToArray();
        var (most, first) = (0, 0);
        for (var last = 0; last < sorted.Length; last++)
        {
            while (System.Diagnostics.Stopwatch.GetElapsedTime(sorted[first], sorted[last]) >= window) first++;
            most = Math.Max(most, last - first + 1);
        }
        return most;
    }

    private static object Campaign(string name, long startTag) => new
    {
        name,
        tagid = startTag,
        sendername = "Tagflow bench",
        senderaddress = "news@bench.example",
        steps = new object[]
        {
            new { type = "email", subject = CampaignEmail.Subject, text = CampaignEmail.Text(), html = CampaignEmail.Html() },
        },
    };

    /// <summary>The opt-in process, the two tags, a campaign with one email step and a webhook, each checked as it is made.</summary>
    public static async Task<Setup> SetUpAsync(Load load, string receiverUrl, CancellationToken cancellationToken)
    {
        var list = await PostAsync(load, "/list", new { name = "Bench single opt-in", usesingleoptin = true },
            d => long.Parse(d.RootElement.GetProperty("listid").GetString()!, System.Globalization.CultureInfo.InvariantCulture), cancellationToken);
        var startTag = await PostAsync(load, "/tag", new { name = "Bench campaign start" }, d => d.RootElement[0].GetInt64(), cancellationToken);
        var triggerTag = await PostAsync(load, "/tag", new { name = "Bench webhook trigger" }, d => d.RootElement[0].GetInt64(), cancellationToken);
        var campaign = await PostAsync(load, "/campaign", Campaign("Bench welcome", startTag), d => d.RootElement.GetProperty("id").GetString(), cancellationToken);
        var secret = await PostAsync(load, "/webhook", new
        {
            name = "Bench receiver",
            tagid = triggerTag,
            url = receiverUrl,
            method = "POST",
            format = "json",
            parameters = new object[] { new { name = "first", field = "fieldFirstName" }, new { name = "source", value = "tagflow-bench" } },
        }, d => d.RootElement.GetProperty("secret").GetString(), cancellationToken);
        if (!secret.StartsWith("whsec_", StringComparison.Ordinal))
            throw new BenchException($"POST /webhook answered the secret \"{Load.Shorten(secret)}\", which is not a whsec_… secret.");
        return new Setup(list, startTag, triggerTag, campaign, secret);
    }

    /// <summary>The first contact on its own, checked to be subscribed; then the rest with every client.</summary>
    private static async Task<PhaseResult> CreateContactsAsync(Load load, long listId, int contacts, CancellationToken cancellationToken)
    {
        var status = await PostAsync(load, "/subscriber", Contact(0, listId), d => d.RootElement.GetProperty("status").GetString(), cancellationToken);
        if (status != "Subscribed")
            throw new BenchException($"A contact added through a single opt-in process is \"{status}\", not \"Subscribed\": no campaign would start for it.");
        var next = 0;
        Call? Create(int worker)
        {
            var index = Interlocked.Increment(ref next);
            return index < contacts ? new Call(HttpMethod.Post, "/subscriber", Workloads.Json(Contact(index, listId))) : null;
        }
        var creates = await load.RunAsync("single opt-in creates", Create, BenchSettings.FillLimit, cancellationToken);
        if (creates.Errors > 0)
            throw new BenchException($"{creates.Errors:N0} of {creates.Completed:N0} contacts were not created, so the automation figures would be short of them. First: {creates.FirstErrors[0]}");
        return creates;
    }

    private static object Contact(int index, long listId) => new
    {
        email = Addresses.OfAutomation(index),
        listid = listId,
        fields = new { fieldFirstName = Addresses.FirstName(index) },
    };

    private static async Task<int> FinishedAsync(Load load, string campaignId, CancellationToken cancellationToken)
    {
        var body = await Benchmark.ExpectAsync(load, new Call(HttpMethod.Get, $"/campaign/{campaignId}", null), Needs, cancellationToken);
        var finished = Benchmark.Parse(body, $"GET /campaign/{campaignId}", d => d.RootElement.GetProperty("finished").ToString());
        return int.TryParse(finished, CultureInfo.InvariantCulture, out var count) ? count : -1;
    }

    public static Task<T> PostAsync<T>(Load load, string path, object body, Func<JsonDocument, T?> read, CancellationToken cancellationToken) =>
        Benchmark.PostAsync(load, path, body, Needs, read, cancellationToken);
}
