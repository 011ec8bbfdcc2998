using Tagflow.Tests.Contacts;
using Tagflow.Tests.Infrastructure;
using static Tagflow.Tests.Contacts.ContactCalls;

namespace Tagflow.Tests.Cli;

/// <summary><c>tagflow export</c>: the file GET /export serves, written to a file or stdout, and a summary on stderr.</summary>
[Collection(AdminCli.Collection)]
public sealed class ExportCommandTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ExportWritesTheFileTheApiServesAndASummaryOnStderr(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var account = await ExportTests.AddDetailedAccountAsync(host);
        var file = Path.Combine(host.Database.Directory, "anna.csv");

        var csv = await AdminCli.RunAsync(host.Database, "export", "--account", "anna", "--output", file);
        var ndjson = await AdminCli.RunAsync(host.Database, "export", "--account", "ANNA", "--format", "ndjson");
        var tagged = await AdminCli.RunAsync(host.Database, "export", "--account", "anna", "--tag", "kunde", "--status", "unsubscribed", "--output", "-");

        Assert.Equal((0, "", $"Exported 2 contacts to {file}.\n"), (csv.ExitCode, csv.Output, csv.Error));
        Assert.Equal(account.Csv, await File.ReadAllTextAsync(file));
        Assert.Equal((byte)'e', (await File.ReadAllBytesAsync(file))[0]);
        Assert.Equal((0, account.Ndjson, "Exported 2 contacts to stdout.\n"), (ndjson.ExitCode, ndjson.Output, ndjson.Error));
        Assert.Equal((0, "Exported 1 contact to stdout.\n"), (tagged.ExitCode, tagged.Error));
        Assert.Equal(account.Csv.Split("\r\n")[..2], tagged.Output.Split("\r\n")[..2]);
        Assert.Equal("", tagged.Output.Split("\r\n")[2]);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnExportThatCannotBeWrittenFailsOnStderrAndLeavesNoFile(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        var tag = await CreateTagAsync(client, "A|B");
        await AddAsync(client, new { email = "anna@example.com", tagid = tag });
        var file = Path.Combine(host.Database.Directory, "anna.csv");

        var cases = new (string[] Args, string Says)[]
        {
            (["--account", "nobody"], "No account named 'nobody'"),
            (["--account", "anna", "--tag", "Gone"], "has no tag 'Gone'"),
            (["--account", "anna", "--format", "xml"], "csv (the default) or ndjson"),
            (["--account", "anna", "--delimiter", "|"], ", (the default), ; or tab"),
            (["--account", "anna", "--status", "gone"], "every status and bounce state"),
            (["--account", "anna"], "The tag \"A|B\" contains the tag separator |"),
        };
        foreach (var (args, says) in cases)
        {
            var failed = await AdminCli.RunAsync(host.Database, ["export", .. args, "--output", file]);
            Assert.True(failed.ExitCode != 0, $"{string.Join(' ', args)} exited 0");
            Assert.Equal("", failed.Output);
            Assert.Contains(says, failed.Error, StringComparison.Ordinal);
            Assert.False(File.Exists(file), $"{string.Join(' ', args)} left a file");
        }

        var byId = await AdminCli.RunAsync(host.Database, "export", "--account", "anna", "--tag", Id(tag), "--tag-separator", "/", "--delimiter", "tab");
        Assert.Equal((0, "Exported 1 contact to stdout.\n"), (byId.ExitCode, byId.Error));
        Assert.Contains("\tAPI\t\t\t\t\tA|B\t\t", byId.Output, StringComparison.Ordinal);
    }
}
