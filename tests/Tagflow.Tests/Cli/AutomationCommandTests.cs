using System.Globalization;
using System.Net;
using System.Text.Json;
using Tagflow.Tests.Infrastructure;
using static Tagflow.Tests.Automations.AutomationCalls;
using static Tagflow.Tests.Contacts.ContactCalls;

namespace Tagflow.Tests.Cli;

/// <summary><c>tagflow campaigns …</c> and <c>tagflow webhooks …</c> on the database of a running server.</summary>
[Collection(AdminCli.Collection)]
public sealed class AutomationCommandTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ACampaignAddedFromAFileIsListedAndShownAsTheApiAnswersIt(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await using var host = await TagflowHost.StartOnAsync(db);
        using var client = await host.NewAccountClientAsync("anna");
        var start = await CreateTagAsync(client, "Buyer");
        var done = await CreateTagAsync(client, "Onboarded");
        // Written as API clients send it: an id as a string, another as a number.
        var file = await WriteAsync(db, "campaign.json", $$"""
            {"name":"Welcome","tagid":"{{start}}","sendername":"Shop","steps":[
              {"type":"email","subject":"Hi","text":"Welcome!"},
              {"type":"wait","seconds":86400},
              {"type":"tag","tagid":{{done}}}]}
            """);

        var added = await AdminCli.RunAsync(db, "campaigns", "add", "anna", "--file", file);
        Assert.Equal((0, ""), (added.ExitCode, added.Error));
        var id = added.Output.TrimEnd('\n');
        Assert.Matches(@"\A[0-9]+\z", id);

        var listed = await AdminCli.RunAsync(db, "campaigns", "list", "anna");
        Assert.Equal((0, $"{id}\ttag {start}\t3 steps\t0 running\t0 finished\t0 stopped\tactive\tWelcome\n", ""), (listed.ExitCode, listed.Output, listed.Error));

        // Paused and resumed from the command line, as POST /campaign/{id}/pause and /resume do; an unknown id is refused.
        Assert.Equal(new CliResult(0, "", ""), await AdminCli.RunAsync(db, "campaigns", "pause", "anna", id));
        Assert.Contains("\tpaused\tWelcome\n", (await AdminCli.RunAsync(db, "campaigns", "list", "anna")).Output, StringComparison.Ordinal);
        Assert.Equal("1", (await WireAssert.OkAsync(await client.GetAsync($"/campaign/{id}"))).GetProperty("paused").GetString());
        Assert.Equal(new CliResult(0, "", ""), await AdminCli.RunAsync(db, "campaigns", "resume", "anna", id));
        Assert.Equal("0", (await WireAssert.OkAsync(await client.GetAsync($"/campaign/{id}"))).GetProperty("paused").GetString());
        Assert.NotEqual(0, (await AdminCli.RunAsync(db, "campaigns", "pause", "anna", "424242")).ExitCode);

        var shown = await AdminCli.RunAsync(db, "campaigns", "show", "anna", id);
        Assert.Equal((0, ""), (shown.ExitCode, shown.Error));
        var json = JsonSerializer.Deserialize<JsonElement>(shown.Output);
        Assert.Equal("Welcome", json.GetProperty("name").GetString());
        var api = await WireAssert.OkAsync(await client.GetAsync($"/campaign/{id}"));
        Assert.True(JsonElement.DeepEquals(api, json), $"GET /campaign/{id}: {api}\nshow: {shown.Output}");
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ACampaignWithAnUnknownTagIsRefusedWithError403AndNothingIsStored(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await using var host = await TagflowHost.StartOnAsync(db);
        using var client = await host.NewAccountClientAsync("anna");
        var file = await WriteAsync(db, "campaign.json", """{"name":"Welcome","tagid":424242,"steps":[{"type":"wait","seconds":60}]}""");

        var refused = await AdminCli.RunAsync(db, "campaigns", "add", "anna", "--file", file);

        Assert.NotEqual(0, refused.ExitCode);
        Assert.Equal("", refused.Output);
        Assert.Equal("tagflow: error 403: There is no tag 424242 in the account.\n", refused.Error);
        Assert.Equal((0, "", ""), Parts(await AdminCli.RunAsync(db, "campaigns", "list", "anna")));
        Assert.Equal(0, (await WireAssert.OkAsync(await client.GetAsync("/campaign"))).GetArrayLength());
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ABodyThatCannotBeUsedIsRefusedWithWhatIsWrong(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        Assert.Equal(0, (await AdminCli.RunAsync(db, "accounts", "add", "anna", "--password", "correct horse")).ExitCode);

        foreach (var (command, body, expected) in new[]
        {
            ("campaigns", """{"name":"Welcome",""", "is not a usable JSON body"),
            ("campaigns", """{"name":"Welcome","tagid":"soon","steps":[]}""", "at \"tagid\": expected a whole number"),
            ("campaigns", """{"tagid":1,"steps":[]}""", "The key \"name\" is required"),
            ("webhooks", """{"name":"Hook","url":"http://127.0.0.1/hook"}""", "The key \"url\" points to a private"),
        })
        {
            var result = await AdminCli.RunAsync(db, command, "add", "anna", "--file", await WriteAsync(db, "body.json", body));
            Assert.NotEqual(0, result.ExitCode);
            Assert.Equal("", result.Output);
            Assert.Contains(expected, result.Error, StringComparison.Ordinal);
        }
        var missing = await AdminCli.RunAsync(db, "campaigns", "add", "anna", "--file", Path.Combine(db.Directory, "missing.json"));
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("Cannot read", missing.Error, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task RemovingACampaignDeletesItAndRemovingItAgainSaysThereIsNone(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await using var host = await TagflowHost.StartOnAsync(db);
        using var client = await host.NewAccountClientAsync("anna");
        var start = await CreateTagAsync(client, "Buyer");
        var file = await WriteAsync(db, "campaign.json", $$"""{"name":"Welcome","tagid":{{start}},"steps":[{"type":"wait","seconds":60}]}""");
        var id = (await AdminCli.RunAsync(db, "campaigns", "add", "anna", "--file", file)).Output.TrimEnd('\n');

        Assert.Equal((0, "", ""), Parts(await AdminCli.RunAsync(db, "campaigns", "remove", "anna", id)));

        await WireAssert.MessageAsync(await client.GetAsync($"/campaign/{id}"), HttpStatusCode.NotFound);
        Assert.Equal((0, "", ""), Parts(await AdminCli.RunAsync(db, "campaigns", "list", "anna")));
        var again = await AdminCli.RunAsync(db, "campaigns", "remove", "anna", id);
        Assert.Equal((1, "", $"tagflow: The account has no campaign {id}.\n"), Parts(again));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AddingAWebhookPrintsItsIdAndTheSigningSecretThatShowPrintsAgain(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await using var host = await TagflowHost.StartOnAsync(db);
        using var client = await host.NewAccountClientAsync("anna");
        var trigger = await CreateTagAsync(client, "Buyer");
        var file = await WriteAsync(db, "webhook.json",
            $$"""{"name":"CRM","tagid":{{trigger}},"url":"https://crm.example.com/hook","parameters":[{"name":"source","value":"shop"}]}""");

        var added = await AdminCli.RunAsync(db, "webhooks", "add", "anna", "--file", file);

        Assert.Equal(0, added.ExitCode);
        var lines = added.Output.Split('\n');
        Assert.Equal(3, lines.Length);
        var (id, secret) = (lines[0], lines[1]);
        Assert.Matches(@"\A[0-9]+\z", id);
        Assert.Matches(@"\Awhsec_[A-Za-z0-9+/]{43}=\z", secret);
        Assert.Contains("signing secret", added.Error, StringComparison.Ordinal);
        Assert.Contains("webhook-signature", added.Error, StringComparison.Ordinal);

        var shown = await AdminCli.RunAsync(db, "webhooks", "show", "anna", id);
        Assert.Equal((0, ""), (shown.ExitCode, shown.Error));
        Assert.Equal(secret, JsonSerializer.Deserialize<JsonElement>(shown.Output).GetProperty("secret").GetString());
        // The server signs with the secret it answers here, so the receiver can verify with the one printed.
        Assert.Equal(secret, (await WireAssert.OkAsync(await client.GetAsync($"/webhook/{id}"))).GetProperty("secret").GetString());

        var listed = await AdminCli.RunAsync(db, "webhooks", "list", "anna");
        Assert.Equal((0, $"{id}\tenabled\ttag {trigger}\tPOST https://crm.example.com/hook\tCRM\n", ""), Parts(listed));
        Assert.DoesNotContain(secret, listed.Output, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AWebhookBodyCanComeFromStandardInput(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        Assert.Equal(0, (await AdminCli.RunAsync(db, "accounts", "add", "anna", "--password", "correct horse")).ExitCode);
        var stdin = Console.In;
        CliResult added;
        try
        {
            Console.SetIn(new StringReader("""{"name":"From a pipe","url":"https://crm.example.com/hook","method":"get"}"""));
            added = await AdminCli.RunAsync(db, "webhooks", "add", "anna", "--file", "-");
        }
        finally
        {
            Console.SetIn(stdin);
        }

        Assert.Equal(0, added.ExitCode);
        var id = added.Output.Split('\n')[0];
        Assert.Equal($"{id}\tenabled\ttag -\tGET https://crm.example.com/hook\tFrom a pipe\n", (await AdminCli.RunAsync(db, "webhooks", "list", "anna")).Output);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AWebhookWithoutDeliveriesListsNoneAndAnUnknownOneIsAnError(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        Assert.Equal(0, (await AdminCli.RunAsync(db, "accounts", "add", "anna", "--password", "correct horse")).ExitCode);
        var file = await WriteAsync(db, "webhook.json", """{"name":"CRM","url":"https://crm.example.com/hook"}""");
        var id = (await AdminCli.RunAsync(db, "webhooks", "add", "anna", "--file", file)).Output.Split('\n')[0];

        Assert.Equal((0, "", ""), Parts(await AdminCli.RunAsync(db, "webhooks", "deliveries", "anna", id, "--limit", "5")));
        Assert.Equal((1, "", "tagflow: The account has no webhook 424242.\n"), Parts(await AdminCli.RunAsync(db, "webhooks", "deliveries", "anna", "424242")));
        Assert.NotEqual(0, (await AdminCli.RunAsync(db, "webhooks", "deliveries", "anna", id, "--limit", "0")).ExitCode);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task RetryingADeliveryThatDoesNotExistFailsAndSaysSo(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        Assert.Equal(0, (await AdminCli.RunAsync(db, "accounts", "add", "anna", "--password", "correct horse")).ExitCode);
        var file = await WriteAsync(db, "webhook.json", """{"name":"CRM","url":"https://crm.example.com/hook"}""");
        var id = (await AdminCli.RunAsync(db, "webhooks", "add", "anna", "--file", file)).Output.Split('\n')[0];

        var retried = await AdminCli.RunAsync(db, "webhooks", "retry", "anna", id, "424242");

        Assert.Equal((1, "", $"tagflow: The account has no webhook {id} with a delivery 424242.\n"), Parts(retried));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task DeliveriesPrintOneLinePerDeliveryWithItsAttempts(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider, Fast);
        using var client = await host.NewAccountClientAsync("anna");
        var list = await SingleOptInListAsync(client);
        var trigger = await CreateTagAsync(client, "Buyer");
        // Nothing listens on port 1: every attempt fails without an answer, and the delivery waits for its next.
        var webhook = await CreateWebhookAsync(client, new { name = "CRM", tagid = trigger, url = "http://127.0.0.1:1/hook" });
        var id = webhook.GetProperty("id").GetString()!;
        var contact = await SubscribeAsync(client, "bert@example.com", list, trigger);
        JsonElement delivery = default;
        await EventuallyAsync(async () =>
        {
            delivery = (await WireAssert.OkAsync(await client.GetAsync($"/webhook/{id}/deliveries"))).EnumerateArray().SingleOrDefault();
            return delivery.ValueKind == JsonValueKind.Object && delivery.GetProperty("attempts").GetArrayLength() > 0;
        }, "the first attempt");

        var printed = await AdminCli.RunAsync(host.Database, "webhooks", "deliveries", "anna", id);

        Assert.Equal((0, ""), (printed.ExitCode, printed.Error));
        var columns = Assert.Single(printed.Output.TrimEnd('\n').Split('\n')).Split('\t');
        var queued = host.Clock.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        Assert.Equal(new[] { delivery.GetProperty("id").GetString()!, "pending", delivery.GetProperty("webhook_id").GetString()!, $"contact {contact}", $"queued {queued}" }, columns[..5]);
        Assert.StartsWith("next ", columns[5], StringComparison.Ordinal);
        Assert.Matches($@"\A{queued} no answer [0-9]+ ms \S.*\z", columns[6]);

        // A pending delivery may be sent again at once too.
        Assert.Equal((0, "", ""), Parts(await AdminCli.RunAsync(host.Database, "webhooks", "retry", "anna", id, columns[0])));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task APrivateWebhookAddressIsAcceptedWithWebhookAllowPrivate(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        Assert.Equal(0, (await AdminCli.RunAsync(db, "accounts", "add", "anna", "--password", "correct horse")).ExitCode);
        var file = await WriteAsync(db, "webhook.json", """{"name":"Local","url":"http://127.0.0.1:8080/hook"}""");

        var refused = await AdminCli.RunAsync(db, "webhooks", "add", "anna", "--file", file);
        var allowed = await AdminCli.RunAsync(db, "webhooks", "add", "anna", "--file", file, "--webhook-allow-private");
        var refusedAgain = await AdminCli.RunAsync(db, "webhooks", "add", "anna", "--file", file, "--webhook-allow-private", "false");

        Assert.Equal((1, ""), (refused.ExitCode, refused.Output));
        Assert.Contains("The key \"url\" points to a private", refused.Error, StringComparison.Ordinal);
        Assert.Equal(0, allowed.ExitCode);
        var id = allowed.Output.Split('\n')[0];
        Assert.Equal($"{id}\tenabled\ttag -\tPOST http://127.0.0.1:8080/hook\tLocal\n", (await AdminCli.RunAsync(db, "webhooks", "list", "anna")).Output);
        Assert.Equal((1, ""), (refusedAgain.ExitCode, refusedAgain.Output));
    }

    private static (int, string, string) Parts(CliResult result) => (result.ExitCode, result.Output, result.Error);

    private static async Task<string> WriteAsync(TestDatabase db, string name, string content)
    {
        var path = Path.Combine(db.Directory, name);
        await File.WriteAllTextAsync(path, content);
        return path;
    }
}
