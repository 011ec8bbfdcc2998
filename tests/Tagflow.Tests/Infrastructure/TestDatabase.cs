using System.Data.Common;
using Npgsql;
using Tagflow.Data;

namespace Tagflow.Tests.Infrastructure;

/// <summary>A fresh, empty database of one provider, owned by one test and removed afterwards.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly string? _directory;
    private readonly string? _postgresName;

    private TestDatabase(string provider, string dbArgument, string? directory, string? postgresName)
    {
        Provider = provider;
        DbArgument = dbArgument;
        _directory = directory;
        _postgresName = postgresName;
    }

    public string Provider { get; }

    /// <summary>What a user passes as <c>--db</c>.</summary>
    public string DbArgument { get; }

    /// <summary>A directory owned by this test (the SQLite file lives here; the key file too).</summary>
    public string Directory => _directory!;

    internal DatabaseTarget Target => DatabaseTarget.Parse(DbArgument);

    /// <summary>Whether an open connection (the server's, say) is to this database.</summary>
    public bool IsOpenOn(DbConnection connection) =>
        _postgresName is { } name ? connection.Database == name : Path.GetFullPath(connection.DataSource) == Path.GetFullPath(DbArgument);

    public static async Task<TestDatabase> CreateAsync(string provider)
    {
        var directory = Path.Combine(Path.GetTempPath(), "tagflow-tests", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        if (provider == Providers.Sqlite)
            return new TestDatabase(provider, Path.Combine(directory, "tagflow.db"), directory, null);

        var admin = Providers.PostgresAdminConnection
            ?? throw new InvalidOperationException("TAGFLOW_TEST_POSTGRES is not set.");
        var name = "tagflow_test_" + Guid.NewGuid().ToString("N");
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync();
        }
        var builder = new NpgsqlConnectionStringBuilder(admin) { Database = name };
        return new TestDatabase(provider, builder.ConnectionString, directory, name);
    }

    public async ValueTask DisposeAsync()
    {
        if (_postgresName is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(Providers.PostgresAdminConnection);
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_postgresName}\" WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            System.IO.Directory.Delete(_directory!, recursive: true);
        }
        catch (IOException)
        {
            // a file still open on some platform: the temp folder is cleaned by the OS
        }
    }
}
