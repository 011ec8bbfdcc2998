using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tagflow.Data;
using Tagflow.Tests.Infrastructure;
using static Tagflow.Tests.Automations.AutomationCalls;
using static Tagflow.Tests.Contacts.ContactCalls;

namespace Tagflow.Tests.Cli;

/// <summary>
/// Names come from API clients; printed raw, an escape sequence in one would recolour or clear the
/// operator's terminal. Every command prints control characters escaped (<c>\u001b</c>).
/// </summary>
[Collection(AdminCli.Collection)]
public sealed class TerminalSafetyTests
{
    private const string Evil = "Evil\u001b[2J\u009b31m\u007f\rname";
    private const string Escaped = @"Evil\u001b[2J\u009b31m\u007f\u000dname";

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ControlCharactersInStoredNamesArePrintedEscaped(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        var anna = await host.AddPartnerAsync("anna");
        using var client = anna.ClientFor(host);
        // The API refuses control characters in names now; names stored before it did are still printed safely.
        var tag = await CreateTagAsync(client, "Placeholder");
        var list = await SingleOptInListAsync(client);
        var campaign = Text(await CreateCampaignAsync(client, new { name = "Placeholder", tagid = tag, steps = new object[] { new { type = "wait", seconds = 60 } } }), "id");
        var webhook = Text(await CreateWebhookAsync(client, new { name = "Placeholder", url = "https://crm.example.com/hook" }), "id");
        await WireAssert.OkAsync(await client.PostAsJsonAsync("/listbuilding", new { name = "Placeholder", listid = list }));
        await StoreNamesAsync(host, Evil);
        Assert.Equal(0, (await AdminCli.RunAsync(host.Database, "developers", "add", Evil)).ExitCode);
        Assert.Equal(0, (await AdminCli.RunAsync(host.Database, "accounts", "add", "bert", "--password", "correct horse", "--email", Evil)).ExitCode);

        string[][] commands =
        [
            ["tags", "list", "anna"],
            ["campaigns", "list", "anna"],
            ["campaigns", "show", "anna", campaign],
            ["webhooks", "list", "anna"],
            ["webhooks", "show", "anna", webhook],
            ["listbuilding", "list", "anna"],
            ["developers", "list"],
            ["accounts", "list"],
            ["accounts", "show", "bert"],
        ];
        foreach (var command in commands)
        {
            var printed = await AdminCli.RunAsync(host.Database, command);
            Assert.True(printed.ExitCode == 0, $"{string.Join(' ', command)}: {printed.Error}");
            AssertNoRawControlCharacter(printed, command);
            Assert.Contains(@"\u001b[2J", printed.Output, StringComparison.OrdinalIgnoreCase); // JSON writes \u001B
        }
        // A name in a tab-separated line is escaped whole: its carriage return and any tab cannot fake a line or a column.
        Assert.Contains($"\tmanual\t{Escaped}\n", (await AdminCli.RunAsync(host.Database, "tags", "list", "anna")).Output, StringComparison.Ordinal);

        // An error that repeats what it was given is escaped too.
        var unknown = await AdminCli.RunAsync(host.Database, "accounts", "show", Evil);
        Assert.Equal(1, unknown.ExitCode);
        AssertNoRawControlCharacter(unknown, ["accounts", "show"]);
        Assert.Contains(@"\u001b[2J", unknown.Error, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ATabInANameIsEscapedSoTheColumnsStayAsTheyAre(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var tag = await CreateTagAsync(client, "Placeholder");
        await StoreNamesAsync(host, "Left\tRight\nNext line");

        var listed = await AdminCli.RunAsync(host.Database, "tags", "list", "anna");

        Assert.Equal(new CliResult(0, $"{tag}\tmanual\tLeft\\u0009Right\\u000aNext line\n", ""), listed);
    }

    /// <summary>Gives every tag, campaign, webhook and listbuilding key this name, as data stored before the API refused control characters.</summary>
    private static Task StoreNamesAsync(TagflowHost host, string name) => host.WithServicesAsync(async sp =>
    {
        var db = sp.GetRequiredService<TagflowDb>();
        await db.Tags.Where(t => t.Name == "Placeholder").ExecuteUpdateAsync(u => u.SetProperty(t => t.Name, name).SetProperty(t => t.NormalizedName, name.ToLowerInvariant()));
        await db.Campaigns.ExecuteUpdateAsync(u => u.SetProperty(c => c.Name, name).SetProperty(c => c.NormalizedName, name.ToLowerInvariant()));
        await db.Webhooks.ExecuteUpdateAsync(u => u.SetProperty(w => w.Name, name));
        return await db.ListbuildingKeys.ExecuteUpdateAsync(u => u.SetProperty(k => k.Name, name));
    });

    private static void AssertNoRawControlCharacter(CliResult printed, string[] command)
    {
        foreach (var text in new[] { printed.Output, printed.Error })
        {
            var raw = text.FirstOrDefault(c => char.IsControl(c) && c is not ('\n' or '\t'));
            Assert.True(raw == default, $"{string.Join(' ', command)} printed U+{(int)raw:X4} raw: {text}");
        }
    }
}
