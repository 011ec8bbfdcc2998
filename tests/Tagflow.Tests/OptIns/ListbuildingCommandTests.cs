using System.Globalization;
using System.Net.Http.Json;
using Tagflow.Tests.Cli;
using Tagflow.Tests.Infrastructure;
using static Tagflow.Tests.Contacts.ContactCalls;

namespace Tagflow.Tests.OptIns;

/// <summary><c>tagflow listbuilding add|list|remove</c> on the database of a running server.</summary>
[Collection(AdminCli.Collection)]
public sealed class ListbuildingCommandTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AKeyMadeOnTheCommandLineSignsInAtOnceAndStopsWhenRemoved(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await using var host = await TagflowHost.StartOnAsync(db);
        using var client = (await host.AddPartnerAsync("anna")).ClientFor(host);
        var list = await ProcessManagementTests.CreateAsync(client, new { name = "Shop", usesingleoptin = true, text = "Danke!" });
        var tag = await CreateTagAsync(client, "Buyer");

        var added = await AdminCli.RunAsync(db, "listbuilding", "add", "anna", "Checkout",
            "--list", list.ToString(CultureInfo.InvariantCulture), "--tag", tag.ToString(CultureInfo.InvariantCulture));
        Assert.Equal((0, ""), (added.ExitCode, added.Error));
        var apiKey = added.Output.Trim();
        Assert.Matches("^[0-9a-f]{32}$", apiKey);

        using var form = host.NewClient();
        await WireAssert.OkAsync(await form.PostAsJsonAsync("/subscriber/signin", new { apikey = apiKey, email = "ann@example.com" }));
        Assert.Equal([Id(tag)], Map(await GetAsync(client, await SearchAsync(client, "ann@example.com")), "manual_tags").Keys);

        var listed = await AdminCli.RunAsync(db, "listbuilding", "list", "anna");
        var line = Assert.Single(listed.Output.Trim().Split('\n'));
        Assert.Contains(apiKey[..6], line, StringComparison.Ordinal);
        Assert.DoesNotContain(apiKey, line, StringComparison.Ordinal);
        Assert.EndsWith("Checkout", line, StringComparison.Ordinal);

        var id = line.Split('\t')[0];
        Assert.Contains("\tenabled\t", line, StringComparison.Ordinal);

        // Disabled from the command line: its calls are refused as an unknown key's, until it is enabled again.
        Assert.Equal(new CliResult(0, "", ""), await AdminCli.RunAsync(db, "listbuilding", "disable", "anna", id));
        Assert.Contains("\tdisabled\t", (await AdminCli.RunAsync(db, "listbuilding", "list", "anna")).Output, StringComparison.Ordinal);
        await WireAssert.RefusedAsync(await form.PostAsJsonAsync("/subscriber/signin", new { apikey = apiKey, email = "cleo@example.com" }), 100);
        Assert.Equal(new CliResult(0, "", ""), await AdminCli.RunAsync(db, "listbuilding", "enable", "anna", id));
        await WireAssert.OkAsync(await form.PostAsJsonAsync("/subscriber/signin", new { apikey = apiKey, email = "cleo@example.com" }));
        var unknown = await AdminCli.RunAsync(db, "listbuilding", "disable", "anna", "999999");
        Assert.Equal((1, "tagflow: The account has no listbuilding key 999999.\n"), (unknown.ExitCode, unknown.Error));

        Assert.Equal((0, "", ""), ((await AdminCli.RunAsync(db, "listbuilding", "remove", "anna", id)) is var r ? (r.ExitCode, r.Output, r.Error) : default));
        await WireAssert.RefusedAsync(await form.PostAsJsonAsync("/subscriber/signin", new { apikey = apiKey, email = "bob@example.com" }), 100);

        var refused = await AdminCli.RunAsync(db, "listbuilding", "add", "anna", "Other", "--list", "999999");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("no opt-in process 999999", refused.Error, StringComparison.Ordinal);
    }
}
