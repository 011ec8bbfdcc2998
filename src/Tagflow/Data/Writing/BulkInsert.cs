using System.Globalization;
using Microsoft.Data.Sqlite;
using SQLitePCL;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Tagflow.Data;

/// <summary>A column of a <see cref="BulkTable"/>: its name, and its type for PostgreSQL's binary COPY.</summary>
internal readonly record struct BulkColumn(string Name, NpgsqlDbType Type);

/// <summary>A table that many rows are written into at once, with the columns each row gives (in order).</summary>
internal sealed record BulkTable(string Name, params BulkColumn[] Columns);

/// <summary>
/// Writes many rows inside the open transaction of a change, the fastest way each database has:
/// PostgreSQL's binary COPY, and on SQLite one prepared INSERT stepped per row. Values are the columns'
/// CLR values (long, string, bool, DateTime in UTC; null for NULL), as EF Core stores them.
/// </summary>
internal static class BulkInsert
{
    public static async Task WriteAsync(TagflowDb db, BulkTable table, IReadOnlyList<object?[]> rows, CancellationToken cancellationToken)
    {
        if (rows.Count == 0) return;
        var connection = db.Database.GetDbConnection();
        if (connection is NpgsqlConnection postgres)
        {
            await CopyAsync(postgres, table, rows, cancellationToken);
            return;
        }
        InsertEach((SqliteConnection)connection, table, rows);
    }

    /// <summary>
    /// One prepared statement, stepped once per row with its values bound by position through
    /// SQLite's own API: no SQL text per row, and none of the by-name parameter binding whose cost
    /// grows with the square of a statement's parameters. Runs inside the connection's open transaction.
    /// </summary>
    private static void InsertEach(SqliteConnection connection, BulkTable table, IReadOnlyList<object?[]> rows)
    {
        var db = connection.Handle!;
        var sql = $"INSERT INTO \"{table.Name}\" ({string.Join(", ", table.Columns.Select(c => $"\"{c.Name}\""))}) VALUES ({string.Join(", ", table.Columns.Select(_ => "?"))})";
        Check(db, raw.sqlite3_prepare_v2(db, sql, out var statement));
        using (statement)
        {
            foreach (var row in rows)
            {
                for (var c = 0; c < row.Length; c++)
                {
                    var rc = row[c] switch
                    {
                        null => raw.sqlite3_bind_null(statement, c + 1),
                        long n => raw.sqlite3_bind_int64(statement, c + 1, n),
                        int n => raw.sqlite3_bind_int64(statement, c + 1, n),
                        bool b => raw.sqlite3_bind_int64(statement, c + 1, b ? 1 : 0),
                        string text => raw.sqlite3_bind_text(statement, c + 1, text),
                        // As EF Core and Microsoft.Data.Sqlite store a DateTime: text that sorts as it compares.
                        DateTime t => raw.sqlite3_bind_text(statement, c + 1, t.ToString(@"yyyy\-MM\-dd HH\:mm\:ss.FFFFFFF", CultureInfo.InvariantCulture)),
                        var other => throw new ArgumentException($"No SQLite binding for {other.GetType()}."),
                    };
                    Check(db, rc);
                }
                var step = raw.sqlite3_step(statement);
                if (step != raw.SQLITE_DONE) Check(db, step);
                raw.sqlite3_reset(statement);
            }
        }
    }

    private static void Check(sqlite3 db, int rc)
    {
        if (rc is not (raw.SQLITE_OK or raw.SQLITE_DONE or raw.SQLITE_ROW))
            throw new SqliteException(raw.sqlite3_errmsg(db).utf8_to_string(), rc, raw.sqlite3_extended_errcode(db));
    }

    private static async Task CopyAsync(NpgsqlConnection connection, BulkTable table, IReadOnlyList<object?[]> rows, CancellationToken cancellationToken)
    {
        var columns = string.Join(", ", table.Columns.Select(c => $"\"{c.Name}\""));
        await using var importer = await connection.BeginBinaryImportAsync($"COPY \"{table.Name}\" ({columns}) FROM STDIN (FORMAT BINARY)", cancellationToken);
        foreach (var row in rows)
        {
            await importer.StartRowAsync(cancellationToken);
            for (var c = 0; c < row.Length; c++)
            {
                if (row[c] is null) await importer.WriteNullAsync(cancellationToken);
                else await importer.WriteAsync(row[c], table.Columns[c].Type, cancellationToken);
            }
        }
        await importer.CompleteAsync(cancellationToken);
    }
}
