using Tagflow.Tests.Infrastructure;

namespace Tagflow.Tests.Cli;

/// <summary>
/// Developer keys derive from the key file, so a database only ever runs with the file it was set
/// up with; anything else is refused with a message instead of minting keys no server accepts.
/// </summary>
[Collection(AdminCli.Collection)]
public sealed class KeyFileTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnotherKeyFileIsRefusedAndChangesNothing(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        Assert.Equal(0, (await AdminCli.RunAsync(db, "developers", "add", "crm")).ExitCode);

        var other = Path.Combine(db.Directory, "other.key");
        await File.WriteAllTextAsync(other, Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
        var refused = await AdminCli.RunRawAsync(["developers", "add", "shop", "--db", db.DbArgument, "--key-file", other]);

        Assert.NotEqual(0, refused.ExitCode);
        Assert.Equal("", refused.Output);
        Assert.Contains("not the one this database was set up with", refused.Error, StringComparison.Ordinal);
        Assert.Equal(0, (await AdminCli.RunAsync(db, "developers", "add", "shop")).ExitCode);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AMissingKeyFileIsRefusedNotRecreated(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        Assert.Equal(0, (await AdminCli.RunAsync(db, "developers", "add", "crm")).ExitCode);
        File.Move(AdminCli.KeyFile(db), AdminCli.KeyFile(db) + ".moved");

        var refused = await AdminCli.RunAsync(db, "keys", "grant", "anna", "crm");

        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("is missing", refused.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(AdminCli.KeyFile(db)));
    }

    [Theory]
    [InlineData("Foo=bar;Baz=1")]
    [InlineData("postgres://u:p@[::1:5432/x")]
    public async Task AnUnreadableDbArgumentIsAMessageNotAStackTrace(string db)
    {
        var result = await AdminCli.RunRawAsync(["migrate", "--db", db]);

        Assert.NotEqual(0, result.ExitCode);
        Assert.StartsWith("tagflow: --db is neither", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", result.Error, StringComparison.Ordinal);
    }
}
