using System.Net;
using System.Net.Http.Json;
using Npgsql;
using Tagflow.Tests.Infrastructure;

namespace Tagflow.Tests.Cli;

[Collection(AdminCli.Collection)]
public sealed class DatabaseArgumentTests
{
    /// <summary>PostgreSQL only, so it runs when TAGFLOW_TEST_POSTGRES is set (always in CI).</summary>
    [Fact]
    public async Task APostgresUrlNamesTheSameDatabaseAsItsConnectionString()
    {
        if (Providers.PostgresAdminConnection is null) return;
        await using var db = await TestDatabase.CreateAsync(Providers.Postgres);
        var b = new NpgsqlConnectionStringBuilder(db.DbArgument);
        var url = $"postgres://{Uri.EscapeDataString(b.Username!)}:{Uri.EscapeDataString(b.Password ?? "")}@{b.Host}:{b.Port}/{Uri.EscapeDataString(b.Database!)}";

        var added = await AdminCli.RunRawAsync(["accounts", "add", "anna", "--password", "correct horse", "--db", url, "--key-file", AdminCli.KeyFile(db)]);
        Assert.True(added.ExitCode == 0, added.Error);

        await using var host = await TagflowHost.StartOnAsync(db);
        using var login = await host.Client.PostAsJsonAsync("/account/login", new { username = "anna", password = "correct horse" });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var account = await WireAssert.OkAsync(login);
        Assert.Equal(added.Output.Trim(), account.GetProperty("account").GetProperty("uid").GetString());
    }
}
