using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.DependencyInjection;
using Tagflow.Data;
using Tagflow.Tests.Infrastructure;

namespace Tagflow.Tests.Cli;

/// <summary>One stored row: its table, and each column's value as text.</summary>
internal sealed record StoredRow(string Table, IReadOnlyDictionary<string, string> Values)
{
    public override string ToString() => $"{Table}({string.Join(", ", Values.Select(v => $"{v.Key}={v.Value}"))})";
}

/// <summary>
/// Every row of every table of the model, read with plain SQL, and which account each belongs to:
/// its own <c>AccountId</c>, else the owner of the row a foreign key of it points to, else (failed
/// logins) the account of its username. A table added to the model is covered without a change here.
/// </summary>
internal sealed class StoredRows
{
    private readonly Dictionary<string, List<StoredRow>> _tables;
    private readonly Dictionary<string, IEntityType> _types;

    private StoredRows(Dictionary<string, List<StoredRow>> tables, Dictionary<string, IEntityType> types) => (_tables, _types) = (tables, types);

    public IEnumerable<string> Tables => _tables.Keys;

    public IReadOnlyList<StoredRow> this[string table] => _tables[table];

    public static async Task<StoredRows> ReadAsync(TestDatabase database)
    {
        await using var services = new ServiceCollection().AddLogging().AddTagflowCore(TagflowHost.Settings(database)).BuildServiceProvider();
        await using var scope = services.CreateAsyncScope();
        return await ReadAsync(scope.ServiceProvider.GetRequiredService<TagflowDb>());
    }

    /// <summary>As <see cref="ReadAsync(TestDatabase)"/>, through a running server's own context.</summary>
    public static async Task<StoredRows> ReadAsync(TagflowDb db)
    {
        var connection = db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open) await connection.OpenAsync();
        var tables = new Dictionary<string, List<StoredRow>>();
        var types = new Dictionary<string, IEntityType>();
        foreach (var type in db.Model.GetEntityTypes())
        {
            var table = type.GetTableName()!;
            types[table] = type;
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT * FROM \"{table}\"";
            await using var reader = await command.ExecuteReaderAsync();
            var rows = new List<StoredRow>();
            while (await reader.ReadAsync())
            {
                var values = new Dictionary<string, string>();
                for (var i = 0; i < reader.FieldCount; i++)
                    values[reader.GetName(i)] = reader.IsDBNull(i) ? "null" : Convert.ToString(reader.GetValue(i) is byte[] bytes ? Convert.ToHexString(bytes) : reader.GetValue(i), CultureInfo.InvariantCulture)!;
                rows.Add(new StoredRow(table, values));
            }
            tables[table] = rows;
        }
        return new StoredRows(tables, types);
    }

    /// <summary>The account a row belongs to; null for a row of no account (developers, server settings, the mail queue).</summary>
    public string? Owner(StoredRow row)
    {
        if (row.Table == "Accounts") return row.Values["Id"];
        if (row.Values.TryGetValue("AccountId", out var accountId)) return accountId;
        if (row.Table == "LoginThrottles")
            return _tables["Accounts"].SingleOrDefault(a => a.Values["NormalizedUsername"] == row.Values["NormalizedUsername"])?.Values["Id"];
        foreach (var key in _types[row.Table].GetForeignKeys())
        {
            var principalTable = key.PrincipalEntityType.GetTableName()!;
            var column = key.Properties.Single().GetColumnName();
            var principalColumn = key.PrincipalKey.Properties.Single().GetColumnName();
            var principal = _tables[principalTable].SingleOrDefault(p => p.Values[principalColumn] == row.Values[column]);
            if (principal is not null && Owner(principal) is { } owner) return owner;
        }
        return null;
    }

    /// <summary>Whether rows of the table belong to accounts (whether or not it holds any now).</summary>
    public bool BelongsToAccounts(string table) =>
        table is "Accounts" or "LoginThrottles" || _types[table].FindProperty("AccountId") is not null
        || _types[table].GetForeignKeys().Any(k => BelongsToAccounts(k.PrincipalEntityType.GetTableName()!));
}
