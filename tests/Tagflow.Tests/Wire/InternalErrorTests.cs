using System.Net;
using Microsoft.Data.Sqlite;
using Npgsql;
using Tagflow.Tests.Infrastructure;

namespace Tagflow.Tests.Wire;

/// <summary>A 500 answers a list of one string and never shows internals (WIRE.md, "Errors").</summary>
public sealed class InternalErrorTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AnInternalErrorShowsNoInternals(string provider)
    {
        await using var host = await TagflowHost.StartAsync(provider);
        using var client = await host.NewAccountClientAsync("anna");
        await DropTagsTableBehindTheServersBackAsync(host.Database);

        var message = await WireAssert.MessageAsync(await client.GetAsync("/tag"), HttpStatusCode.InternalServerError);

        Assert.False(string.IsNullOrWhiteSpace(message));
        foreach (var secret in new[] { "Tags", "SQLite", "Sqlite", "Npgsql", "relation", "Exception" })
            Assert.DoesNotContain(secret, message, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"\bat [\w.`<>]+\(", message); // a stack frame: "at Tagflow.Tags.TagsApi.ListAsync("
    }

    private static async Task DropTagsTableBehindTheServersBackAsync(TestDatabase database)
    {
        if (database.Provider == Providers.Sqlite)
        {
            await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database.DbArgument, Pooling = false }.ToString());
            await connection.OpenAsync();
            await using var drop = connection.CreateCommand();
            drop.CommandText = "PRAGMA busy_timeout=30000; DROP TABLE \"Tags\";";
            await drop.ExecuteNonQueryAsync();
        }
        else
        {
            await using var connection = new NpgsqlConnection(database.DbArgument);
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand("DROP TABLE \"Tags\" CASCADE", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }
}
