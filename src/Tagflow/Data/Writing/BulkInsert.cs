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
            await db.SendAheadNowAsync(cancellationToken); // a savepoint the COPY's rows must come after
            await CopyAsync(postgres, table, rows, cancellationToken);
            return;
        }
        InsertEach((SqliteConnection)connection, table, rows);
    }

    /// <summary>Rows per statement on SQLite: one statement of many rows costs SQLite one step, not one per row.</summary>
    private const int RowsPerStatement = 32;

    /// <summary>
    /// Prepared statements of <see cref="RowsPerStatement"/> rows (and one of a single row for the
    /// rest), stepped with their values bound by position through SQLite's own API: no SQL text per
    /// row, and none of the by-name parameter binding whose cost grows with the square of a
    /// statement's parameters. A statement keeps its values between steps, so a value equal to the
    /// one its parameter already holds (the account, a time, a status: most of a bulk write) is not
    /// bound again. Runs inside the connection's open transaction.
    /// </summary>
    private static void InsertEach(SqliteConnection connection, BulkTable table, IReadOnlyList<object?[]> rows)
    {
        var db = connection.Handle!;
        var width = table.Columns.Length;
        var many = rows.Count >= RowsPerStatement ? Statement.Prepare(db, table, RowsPerStatement) : null;
        var one = rows.Count % RowsPerStatement == 0 ? null : Statement.Prepare(db, table, 1);
        try
        {
            var next = 0;
            for (; many is not null && next + RowsPerStatement <= rows.Count; next += RowsPerStatement)
            {
                for (var r = 0; r < RowsPerStatement; r++) many.Bind(rows[next + r], r * width);
                many.Step();
            }
            for (; next < rows.Count; next++)
            {
                one!.Bind(rows[next], 0);
                one.Step();
            }
        }
        finally
        {
            many?.Dispose();
            one?.Dispose();
        }
    }

    /// <summary>A prepared INSERT of some rows, with what each of its parameters holds.</summary>
    internal sealed class Statement(sqlite3 db, sqlite3_stmt statement, int parameters) : IDisposable
    {
        /// <summary>What a parameter holds before its first binding: equal to no value, NULL included.</summary>
        private static readonly object Unbound = new();

        private readonly object?[] _bound = Enumerable.Repeat(Unbound, parameters).ToArray();

        public static Statement Prepare(sqlite3 db, BulkTable table, int rows)
        {
            var columns = string.Join(", ", table.Columns.Select(c => $"\"{c.Name}\""));
            var row = $"({string.Join(", ", table.Columns.Select(_ => "?"))})";
            var sql = $"INSERT INTO \"{table.Name}\" ({columns}) VALUES {string.Join(", ", Enumerable.Repeat(row, rows))}";
            Check(db, raw.sqlite3_prepare_v2(db, sql, out var statement));
            return new Statement(db, statement, rows * table.Columns.Length);
        }

        /// <summary>Binds a row's values to the parameters from <paramref name="offset"/> on.</summary>
        public void Bind(object?[] row, int offset)
        {
            for (var c = 0; c < row.Length; c++)
            {
                var p = offset + c;
                var value = row[c];
                if (Equals(_bound[p], value)) continue;
                var rc = value switch
                {
                    null => raw.sqlite3_bind_null(statement, p + 1),
                    long n => raw.sqlite3_bind_int64(statement, p + 1, n),
                    int n => raw.sqlite3_bind_int64(statement, p + 1, n),
                    bool b => raw.sqlite3_bind_int64(statement, p + 1, b ? 1 : 0),
                    double d => raw.sqlite3_bind_double(statement, p + 1, d),
                    byte[] bytes => raw.sqlite3_bind_blob(statement, p + 1, bytes),
                    string text => raw.sqlite3_bind_text16(statement, p + 1, text.AsSpan()),
                    DateTime t => BindTime(p + 1, t),
                    var other => throw new ArgumentException($"No SQLite binding for {other.GetType()}."),
                };
                Check(db, rc);
                _bound[p] = value;
            }
        }

        /// <summary>As EF Core and Microsoft.Data.Sqlite store a DateTime: text that sorts as it compares.</summary>
        private int BindTime(int parameter, DateTime time)
        {
            Span<char> text = stackalloc char[32];
            time.TryFormat(text, out var length, @"yyyy\-MM\-dd HH\:mm\:ss.FFFFFFF", CultureInfo.InvariantCulture);
            return raw.sqlite3_bind_text16(statement, parameter, text[..length]);
        }

        /// <summary>Steps the statement and resets it, also when it fails (a statement left mid-step would hold up the transaction's end).</summary>
        public void Step()
        {
            try
            {
                var step = raw.sqlite3_step(statement);
                if (step != raw.SQLITE_DONE) Check(db, step);
            }
            finally
            {
                raw.sqlite3_reset(statement);
            }
        }

        public void Dispose() => statement.Dispose();
    }

    /// <summary>Throws SQLite's error, as Microsoft.Data.Sqlite would, for a result code that is one.</summary>
    internal static void Check(sqlite3 db, int rc)
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
