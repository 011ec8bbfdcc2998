using System.Net;
using Tagflow.Tests.Infrastructure;

namespace Tagflow.Tests.Cli;

/// <summary><c>tagflow developers list|remove</c>: names and dates only, and a removed developer's keys stop at once.</summary>
[Collection(AdminCli.Collection)]
public sealed class DeveloperCommandTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task DevelopersAreListedByNameWithTheirCreationButNeverAKey(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        Assert.Equal(new CliResult(0, "", ""), await AdminCli.RunAsync(db, "developers", "list"));
        var shopKey = (await AdminCli.RunAsync(db, "developers", "add", "Shop connector")).Output.TrimEnd('\n');
        var crmKey = (await AdminCli.RunAsync(db, "developers", "add", "crm")).Output.TrimEnd('\n');

        var listed = await AdminCli.RunAsync(db, "developers", "list");

        Assert.Equal((0, ""), (listed.ExitCode, listed.Error));
        Assert.Matches(@"\AShop connector\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\ncrm\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n\z", listed.Output);
        Assert.DoesNotContain(shopKey, listed.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(crmKey, listed.Output, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task RemovingADeveloperStopsItsCustomerKeysAtOnce(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        var anna = await host.AddPartnerAsync("anna");
        var bert = await host.AddPartnerAsync("bert");
        using var annaClient = anna.ClientFor(host);
        using var bertClient = bert.ClientFor(host);
        await WireAssert.OkAsync(await annaClient.GetAsync("/tag"));

        Assert.Equal(new CliResult(0, "", ""), await AdminCli.RunAsync(host.Database, "developers", "remove", anna.Developer));

        await WireAssert.MessageAsync(await annaClient.GetAsync("/tag"), HttpStatusCode.Forbidden);
        await WireAssert.OkAsync(await bertClient.GetAsync("/tag")); // another developer's key goes on working
        Assert.DoesNotContain(anna.Developer, (await AdminCli.RunAsync(host.Database, "developers", "list")).Output, StringComparison.Ordinal);
        Assert.Equal(new CliResult(1, "", $"tagflow: No developer named '{anna.Developer}'.\n"),
            await AdminCli.RunAsync(host.Database, "developers", "remove", anna.Developer));
        // The account stays, and a developer of that name can be registered anew; the old key stays dead.
        Assert.Equal(0, (await AdminCli.RunAsync(host.Database, "developers", "add", anna.Developer)).ExitCode);
        await WireAssert.MessageAsync(await annaClient.GetAsync("/tag"), HttpStatusCode.Forbidden);
    }
}
