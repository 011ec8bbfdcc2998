using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using SQLitePCL;

namespace Tagflow.Data;

/// <summary>
/// Finds which of many keys an account's rows hold, the fastest way each database has: on SQLite one
/// prepared statement stepped per key (an index seek each, no SQL text per key), on PostgreSQL one
/// query with the keys as an array.
/// </summary>
internal static class BulkLookup
{
    /// <summary>The id of the row of <paramref name="table"/> whose <paramref name="column"/> is each key that one holds, among the account's rows.</summary>
    public static async Task<Dictionary<string, long>> IdsAsync(TagflowDb db, string table, string column, long accountId, IReadOnlyCollection<string> keys,
        CancellationToken cancellationToken)
    {
        var found = new Dictionary<string, long>(StringComparer.Ordinal);
        if (keys.Count == 0) return found;
        if (db is not SqliteTagflowDb)
        {
            var query = $"SELECT \"{column}\" AS \"Key\", \"Id\" FROM \"{table}\" WHERE \"AccountId\" = {{0}} AND \"{column}\" = ANY({{1}})";
            var matches = await db.Database.SqlQueryRaw<KeyAndId>(query, accountId, keys.ToArray()).ToListAsync(cancellationToken);
            foreach (var match in matches) found[match.Key] = match.Id;
            return found;
        }

        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            var handle = ((SqliteConnection)db.Database.GetDbConnection()).Handle!;
            BulkInsert.Check(handle, raw.sqlite3_prepare_v2(handle, $"SELECT \"Id\" FROM \"{table}\" WHERE \"AccountId\" = ?1 AND \"{column}\" = ?2", out var statement));
            using (statement)
            {
                BulkInsert.Check(handle, raw.sqlite3_bind_int64(statement, 1, accountId));
                foreach (var key in keys)
                {
                    BulkInsert.Check(handle, raw.sqlite3_bind_text16(statement, 2, key.AsSpan()));
                    var step = raw.sqlite3_step(statement);
                    if (step == raw.SQLITE_ROW) found[key] = raw.sqlite3_column_int64(statement, 0);
                    else if (step != raw.SQLITE_DONE) BulkInsert.Check(handle, step);
                    raw.sqlite3_reset(statement);
                }
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
        return found;
    }

    private sealed record KeyAndId(string Key, long Id);
}
