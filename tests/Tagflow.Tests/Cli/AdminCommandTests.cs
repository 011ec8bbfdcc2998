using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tagflow.Data;
using Tagflow.Tests.Infrastructure;

namespace Tagflow.Tests.Cli;

/// <summary>The admin commands print only the created value on stdout, errors on stderr, and exit non-zero on error.</summary>
[Collection(AdminCli.Collection)]
public sealed class AdminCommandTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AddingADeveloperPrintsItsKeyOnce(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);

        var added = await AdminCli.RunAsync(db, "developers", "add", "crm");
        var again = await AdminCli.RunAsync(db, "developers", "add", "crm");

        Assert.Equal(0, added.ExitCode);
        Assert.Matches(@"\A[0-9a-f]{64}\n\z", added.Output);
        Assert.Equal("", added.Error);
        Assert.NotEqual(0, again.ExitCode);
        Assert.Equal("", again.Output);
        Assert.Contains("crm", again.Error, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AGrantedKeyWorksOnARunningServerUntilRevoked(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        Assert.Equal(0, (await AdminCli.RunAsync(db, "accounts", "add", "anna", "--password", "correct horse")).ExitCode);
        var developerKey = (await AdminCli.RunAsync(db, "developers", "add", "crm")).Output.Trim();
        var grant = await AdminCli.RunAsync(db, "keys", "grant", "anna", "crm");
        Assert.True(grant.ExitCode == 0, grant.Error);
        Assert.Equal("", grant.Error);
        var customerKey = grant.Output.TrimEnd('\n');
        Assert.Matches(@"\A\S+\z", customerKey);

        await using var host = await TagflowHost.StartOnAsync(db);
        using var client = host.PartnerClient("anna", developerKey, customerKey);
        await WireAssert.OkAsync(await client.GetAsync("/tag"));

        var revoke = await AdminCli.RunAsync(db, "keys", "revoke", "anna", "crm");
        Assert.Equal((0, "", ""), (revoke.ExitCode, revoke.Output, revoke.Error));
        await WireAssert.MessageAsync(await client.GetAsync("/tag"), HttpStatusCode.Forbidden);

        foreach (var args in new[] { new[] { "keys", "revoke", "anna", "crm" }, ["keys", "grant", "nobody", "crm"], ["keys", "grant", "anna", "nodev"] })
        {
            var failed = await AdminCli.RunAsync(db, args);
            Assert.True(failed.ExitCode != 0, $"{string.Join(' ', args)} exited 0");
            Assert.Equal("", failed.Output);
            Assert.False(string.IsNullOrWhiteSpace(failed.Error), $"{string.Join(' ', args)}: nothing on stderr");
        }
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task MigrateCreatesTheSchemaAndCanRunAgain(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);

        var first = await AdminCli.RunAsync(db, "migrate");
        var second = await AdminCli.RunAsync(db, "migrate");

        Assert.Equal((0, "", ""), (first.ExitCode, first.Output, first.Error));
        Assert.Equal((0, "", ""), (second.ExitCode, second.Output, second.Error));
        await using var services = new ServiceCollection().AddLogging().AddTagflowCore(TagflowHost.Settings(db)).BuildServiceProvider();
        await using var scope = services.CreateAsyncScope();
        var context = scope.ServiceProvider.GetRequiredService<TagflowDb>();
        Assert.NotEmpty(await context.Database.GetAppliedMigrationsAsync());
        Assert.Empty(await context.Database.GetPendingMigrationsAsync());
    }
}
