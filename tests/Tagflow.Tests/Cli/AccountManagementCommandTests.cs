using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tagflow.Data;
using Tagflow.Tests.Infrastructure;

namespace Tagflow.Tests.Cli;

/// <summary><c>tagflow accounts list|show|password|plan|timezone</c>, on the database of a running server.</summary>
[Collection(AdminCli.Collection)]
public sealed class AccountManagementCommandTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ListingAccountsPrintsOneLinePerAccount(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        Assert.Equal(new CliResult(0, "", ""), await AdminCli.RunAsync(db, "accounts", "list"));
        var anna = (await AdminCli.RunAsync(db, "accounts", "add", "anna", "--password", "correct horse", "--email", "anna@example.com")).Output.TrimEnd('\n');
        var bert = (await AdminCli.RunAsync(db, "accounts", "add", "Bert", "--password", "correct horse", "--plan", "deluxe", "--timezone", "America/New_York"))
            .Output.TrimEnd('\n');

        var listed = await AdminCli.RunAsync(db, "accounts", "list");

        Assert.Equal(new CliResult(0, $"{anna}\tanna\tpremium\tEurope/Berlin\tanna@example.com\n{bert}\tBert\tdeluxe\tAmerica/New_York\t\n", ""), listed);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ShowingAnAccountPrintsItsDetailsButNeitherItsPasswordHashNorAKey(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        var anna = await host.AddPartnerAsync("anna");
        await host.LoginAsync("anna");
        using var client = anna.ClientFor(host);
        await Contacts.ContactCalls.AddIdAsync(client, "carla@example.com");

        var shown = await AdminCli.RunAsync(host.Database, "accounts", "show", "ANNA");

        Assert.Equal((0, ""), (shown.ExitCode, shown.Error));
        var details = shown.Output.TrimEnd('\n').Split('\n').Select(l => l.Split('\t')).ToDictionary(l => l[0], l => Assert.Single(l[1..]));
        Assert.Equal(["id", "username", "email", "plan", "timezone", "firstname", "lastname", "created", "contacts", "developers", "sessions"], details.Keys);
        Assert.Equal(("anna", "anna@example.com", "premium", "Europe/Berlin"), (details["username"], details["email"], details["plan"], details["timezone"]));
        Assert.Matches(@"\A\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\z", details["created"]);
        Assert.Equal(("1", anna.Developer, "1"), (details["contacts"], details["developers"], details["sessions"]));
        var hash = await host.WithServicesAsync(sp => sp.GetRequiredService<TagflowDb>().Accounts.Select(a => a.PasswordHash).SingleAsync());
        foreach (var secret in new[] { hash, anna.DeveloperKey, anna.CustomerKey, TagflowHost.Password })
            Assert.DoesNotContain(secret, shown.Output, StringComparison.Ordinal);

        Assert.Equal(new CliResult(1, "", "tagflow: No account named 'nobody'.\n"), await AdminCli.RunAsync(host.Database, "accounts", "show", "nobody"));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ANewPasswordEndsTheAccountsSessionsAndReplacesTheOldOne(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        await host.AddAccountAsync("anna");
        await host.AddAccountAsync("bert");
        using var annaSession = host.SessionClient(await host.LoginAsync("anna"));
        using var bertSession = host.SessionClient(await host.LoginAsync("bert"));
        await WireAssert.OkAsync(await annaSession.GetAsync("/account"));

        var tooShort = await AdminCli.RunAsync(host.Database, "accounts", "password", "anna", "--password", "short");
        Assert.Equal(new CliResult(1, "", "tagflow: The password must have at least 8 characters.\n"), tooShort);
        await WireAssert.OkAsync(await annaSession.GetAsync("/account"));

        Assert.Equal(new CliResult(0, "", ""), await AdminCli.RunAsync(host.Database, "accounts", "password", "anna", "--password", "new long secret"));

        await WireAssert.MessageAsync(await annaSession.GetAsync("/account"), HttpStatusCode.Forbidden);
        await WireAssert.OkAsync(await bertSession.GetAsync("/account")); // another account's sessions go on
        await WireAssert.MessageAsync(await LoginAsync(host, "anna", TagflowHost.Password), HttpStatusCode.Unauthorized);
        await WireAssert.OkAsync(await LoginAsync(host, "anna", "new long secret"));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ANewPasswordLiftsALockout(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        await host.AddAccountAsync("anna");
        for (var attempt = 0; attempt < 5; attempt++)
            await WireAssert.MessageAsync(await LoginAsync(host, "anna", "a guess"), HttpStatusCode.Unauthorized);
        await WireAssert.MessageAsync(await LoginAsync(host, "anna", TagflowHost.Password), (HttpStatusCode)429);

        Assert.Equal(new CliResult(0, "", ""), await AdminCli.RunAsync(host.Database, "accounts", "password", "anna", "--password", "new long secret"));

        await WireAssert.OkAsync(await LoginAsync(host, "anna", "new long secret"));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AChangedPlanAppliesFromTheNextRequest(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        await WireAssert.OkAsync(await client.GetAsync("/tag"));

        Assert.Equal(new CliResult(0, "", ""), await AdminCli.RunAsync(host.Database, "accounts", "plan", "anna", "standard"));
        Assert.Equal(Tagflow.Wire.WireResults.ApiAccessDenied, await WireAssert.MessageAsync(await client.GetAsync("/tag"), HttpStatusCode.Forbidden));

        var gold = await AdminCli.RunAsync(host.Database, "accounts", "plan", "anna", "gold");
        Assert.Equal((1, ""), (gold.ExitCode, gold.Output));
        Assert.Contains("gold", gold.Error, StringComparison.Ordinal);

        Assert.Equal(new CliResult(0, "", ""), await AdminCli.RunAsync(host.Database, "accounts", "plan", "anna", "enterprise"));
        var account = await WireAssert.OkAsync(await client.GetAsync("/account"));
        Assert.Equal(("enterprise", "40"), (account.GetProperty("plan").GetString(), account.GetProperty("tier").GetString()));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ATimeZoneMustBeAnIanaName(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");

        Assert.Equal(new CliResult(0, "", ""), await AdminCli.RunAsync(host.Database, "accounts", "timezone", "anna", "America/New_York"));
        Assert.Equal("America/New_York", (await WireAssert.OkAsync(await client.GetAsync("/account"))).GetProperty("timezone").GetString());

        foreach (var zone in new[] { "Mars/Olympus_Mons", "W. Europe Standard Time", "" })
        {
            var refused = await AdminCli.RunAsync(host.Database, "accounts", "timezone", "anna", zone);
            Assert.Equal(new CliResult(1, "", $"tagflow: Unknown time zone '{zone}': use an IANA name such as Europe/Berlin.\n"), refused);
        }
        Assert.Equal("America/New_York", (await WireAssert.OkAsync(await client.GetAsync("/account"))).GetProperty("timezone").GetString());
    }

    private static Task<HttpResponseMessage> LoginAsync(TagflowHost host, string username, string password) =>
        host.Client.PostAsJsonAsync("/account/login", new { username, password });
}
