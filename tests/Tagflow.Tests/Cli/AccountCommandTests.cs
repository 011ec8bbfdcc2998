using Tagflow.Tests.Infrastructure;

namespace Tagflow.Tests.Cli;

/// <summary><c>tagflow accounts add</c>: the id on stdout, or an error on stderr and a non-zero exit.</summary>
[Collection(AdminCli.Collection)]
public sealed class AccountCommandTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AddingAnAccountPrintsOnlyItsId(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);

        var added = await AdminCli.RunAsync(db, "accounts", "add", "anna", "--password", "correct horse", "--plan", "premium");

        Assert.Equal(0, added.ExitCode);
        Assert.Matches(@"\A[0-9]+\n\z", added.Output);
        Assert.Equal("", added.Error);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AddingAnExistingAccountFailsOnStderr(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        Assert.Equal(0, (await AdminCli.RunAsync(db, "accounts", "add", "anna", "--password", "correct horse")).ExitCode);

        var again = await AdminCli.RunAsync(db, "accounts", "add", "anna", "--password", "other horse");

        Assert.NotEqual(0, again.ExitCode);
        Assert.Equal("", again.Output);
        Assert.Contains("anna", again.Error, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task InvalidAccountOptionsFailWithoutCreatingTheAccount(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        string[][] invalid =
        [
            ["--password", "correct horse", "--plan", "gold"],
            ["--password", "short"],
            ["--password", "correct horse", "--timezone", "Mars/Olympus_Mons"],
        ];
        foreach (var options in invalid)
        {
            var result = await AdminCli.RunAsync(db, ["accounts", "add", "anna", .. options]);
            Assert.True(result.ExitCode != 0, $"{string.Join(' ', options)} exited 0: {result.Output}");
            Assert.False(string.IsNullOrWhiteSpace(result.Error), $"{string.Join(' ', options)}: nothing on stderr");
        }

        var valid = await AdminCli.RunAsync(db, "accounts", "add", "anna", "--password", "correct horse", "--plan", "deluxe", "--timezone", "Europe/Vienna");
        Assert.True(valid.ExitCode == 0, valid.Error);
    }

    /// <summary>A script that captures stdout must never take usage text for a created value.</summary>
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AUsageErrorPrintsNothingOnStdout(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);

        var unknownPlan = await AdminCli.RunAsync(db, "accounts", "add", "anna", "--password", "correct horse", "--plan", "gold");
        var noPassword = await AdminCli.RunAsync(db, "accounts", "add", "anna");

        Assert.NotEqual(0, unknownPlan.ExitCode);
        Assert.Contains("gold", unknownPlan.Error, StringComparison.Ordinal);
        Assert.Equal("", unknownPlan.Output);
        Assert.NotEqual(0, noPassword.ExitCode);
        Assert.Contains("--password", noPassword.Error, StringComparison.Ordinal);
        Assert.Equal("", noPassword.Output);
    }
}
