using System.Net.Http.Json;
using Tagflow.Tests.Cli;
using Tagflow.Tests.Fields;
using Tagflow.Tests.Infrastructure;

namespace Tagflow.Tests.Blocklist;

/// <summary><c>tagflow blocklist add|remove|list USERNAME VALUE</c>: values on stdout, errors on stderr, a non-zero exit on error.</summary>
[Collection(AdminCli.Collection)]
public sealed class BlocklistCommandTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AddRemoveAndListPrintExactlyTheBlockedValues(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        Assert.Equal(0, (await AdminCli.RunAsync(db, "accounts", "add", "anna", "--password", "correct horse")).ExitCode);

        Assert.Equal((0, "", ""), Outcome(await AdminCli.RunAsync(db, "blocklist", "list", "anna")));
        foreach (var value in new[] { "Spam@Example.COM", "Example.org", "bücher.de", "example.org" })
            Assert.Equal((0, "", ""), Outcome(await AdminCli.RunAsync(db, "blocklist", "add", "anna", value)));
        Assert.Equal((0, "example.org\nspam@example.com\nxn--bcher-kva.de\n", ""), Outcome(await AdminCli.RunAsync(db, "blocklist", "list", "anna")));

        Assert.Equal((0, "", ""), Outcome(await AdminCli.RunAsync(db, "blocklist", "remove", "anna", "SPAM@example.com")));
        Assert.Equal((0, "", ""), Outcome(await AdminCli.RunAsync(db, "blocklist", "remove", "anna", "bücher.de")));
        Assert.Equal((0, "example.org\n", ""), Outcome(await AdminCli.RunAsync(db, "blocklist", "list", "anna")));
    }

    /// <summary>
    /// "@example.com" is the domain form of a value (as in POST /blocklist), not a response file:
    /// an admin typing it must get the domain blocked and removed.
    /// </summary>
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task TheAtFormOfADomainIsAValueNotAResponseFile(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        Assert.Equal(0, (await AdminCli.RunAsync(db, "accounts", "add", "anna", "--password", "correct horse")).ExitCode);

        Assert.Equal((0, "", ""), Outcome(await AdminCli.RunAsync(db, "blocklist", "add", "anna", "@Example.net")));
        Assert.Equal((0, "example.net\n", ""), Outcome(await AdminCli.RunAsync(db, "blocklist", "list", "anna")));
        Assert.Equal((0, "", ""), Outcome(await AdminCli.RunAsync(db, "blocklist", "remove", "anna", "@example.net")));
        Assert.Equal((0, "", ""), Outcome(await AdminCli.RunAsync(db, "blocklist", "list", "anna")));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ErrorsGoToStderrWithANonZeroExitAndChangeNothing(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        Assert.Equal(0, (await AdminCli.RunAsync(db, "accounts", "add", "anna", "--password", "correct horse")).ExitCode);
        Assert.Equal(0, (await AdminCli.RunAsync(db, "blocklist", "add", "anna", "example.com")).ExitCode);
        (string[] Args, string Named)[] failing =
        [
            (["blocklist", "add", "nobody", "example.org"], "nobody"),
            (["blocklist", "remove", "nobody", "example.com"], "nobody"),
            (["blocklist", "list", "nobody"], "nobody"),
            (["blocklist", "add", "anna", "not a value"], "not a value"),
            (["blocklist", "add", "anna", "anna@"], "anna@"),
            (["blocklist", "remove", "anna", "example.org"], "example.org"),
            (["blocklist", "remove", "anna", "spam@example.com"], "spam@example.com"),
        ];

        foreach (var (args, named) in failing)
        {
            var result = await AdminCli.RunAsync(db, args);
            Assert.True(result.ExitCode != 0, $"{string.Join(' ', args)} exited 0");
            Assert.Equal("", result.Output);
            Assert.Contains(named, result.Error, StringComparison.Ordinal);
        }

        Assert.Equal((0, "example.com\n", ""), Outcome(await AdminCli.RunAsync(db, "blocklist", "list", "anna")));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task TheCommandAndTheApiShareTheBlocklistOfARunningServer(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await using var host = await TagflowHost.StartOnAsync(db);
        using var client = (await host.AddPartnerAsync("anna")).ClientFor(host);

        Assert.Equal((0, "", ""), Outcome(await AdminCli.RunAsync(db, "blocklist", "add", "anna", "example.com")));
        await WireAssert.RefusedAsync(await client.PostAsJsonAsync("/subscriber", new { email = "anna@example.com" }), 30);
        await BlocklistApiTests.AssertTrueAsync(await client.PostAsJsonAsync("/blocklist", new { value = "spam@example.org" }));
        Assert.Equal((0, "example.com\nspam@example.org\n", ""), Outcome(await AdminCli.RunAsync(db, "blocklist", "list", "anna")));

        Assert.Equal((0, "", ""), Outcome(await AdminCli.RunAsync(db, "blocklist", "remove", "anna", "example.com")));
        Assert.Equal(["spam@example.org"], await BlocklistApiTests.ListAsync(client));
        await Subscriber.AddAsync(client, new { email = "anna@example.com" });
    }

    private static (int ExitCode, string Output, string Error) Outcome(CliResult result) => (result.ExitCode, result.Output, result.Error);
}
