using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tagflow.Data;
using Tagflow.Tests.Infrastructure;

namespace Tagflow.Tests.Cli;

/// <summary><c>tagflow import FILE --account USER</c>: the import of POST /import, run in the command, with its summary and report.</summary>
[Collection(AdminCli.Collection)]
public sealed class ImportCommandTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ImportsAFileAndWritesTheRefusedRowsBesideIt(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        Assert.Equal(0, (await AdminCli.RunAsync(db, "accounts", "add", "anna", "--password", "correct horse")).ExitCode);
        var file = Path.Combine(db.Directory, "list.ndjson");
        await File.WriteAllTextAsync(file, """
            {"email":"anna@example.com","status":"subscribed","tags":["VIP"]}
            {"email":"nobody"}
            {"email":"bert@example.com","fieldFirstName":"Bert"}
            """);

        var result = await AdminCli.RunAsync(db, "import", file, "--account", "anna");

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Equal("Import 1 of list.ndjson: done; 3 rows read, 2 created, 0 updated, 0 unchanged, 0 skipped, 1 refused. "
            + $"The refused rows, with their line and the reason, are in {file}.refused.csv.\n", result.Output);
        Assert.Equal(["line,column,error,message", "2,email,5,Invalid email address."], await File.ReadAllLinesAsync(file + ".refused.csv"));
        await using var host = await TagflowHost.StartOnAsync(db);
        var (contacts, tagged) = await host.WithServicesAsync(async sp =>
        {
            var tagflow = sp.GetRequiredService<TagflowDb>();
            return (await tagflow.Contacts.OrderBy(c => c.Id).Select(c => c.Email + " " + c.Status).ToListAsync(), await tagflow.ContactTags.CountAsync());
        });
        Assert.Equal(["anna@example.com Subscribed", "bert@example.com Pending"], contacts);
        Assert.Equal(2, tagged); // VIP and the opt-in SmartTag
        // The user's own file stays where it is.
        Assert.True(File.Exists(file));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AFileThatCannotBeImportedIsRefusedInOneSentence(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        Assert.Equal(0, (await AdminCli.RunAsync(db, "accounts", "add", "anna", "--password", "correct horse")).ExitCode);
        var file = Path.Combine(db.Directory, "list.csv");
        await File.WriteAllTextAsync(file, "name,colour\nAnna,blue\n");

        var result = await AdminCli.RunAsync(db, "import", file, "--account", "anna");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.Output);
        Assert.StartsWith("tagflow: The header names no column Tagflow knows: \"name\", \"colour\".", result.Error);
        Assert.Equal(1, (await AdminCli.RunAsync(db, "import", Path.Combine(db.Directory, "missing.csv"), "--account", "anna")).ExitCode);
        Assert.Equal(1, (await AdminCli.RunAsync(db, "import", file, "--account", "nobody")).ExitCode);
    }
}
