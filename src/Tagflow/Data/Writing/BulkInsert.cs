using System.Data.Common;
using System.Text;
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
/// PostgreSQL's binary COPY, and on SQLite prepared multi-row INSERTs. Values are the columns'
/// CLR values (long, string, bool, DateTime in UTC; null for NULL), as EF Core stores them.
/// </summary>
internal static class BulkInsert
{
    /// <summary>SQLite's statements take at most this many rows, and at most <see cref="MaxParameters"/> values.</summary>
    private const int MaxRows = 200;
    private const int MaxParameters = 200;

    public static async Task WriteAsync(TagflowDb db, BulkTable table, IReadOnlyList<object?[]> rows, CancellationToken cancellationToken)
    {
        if (rows.Count == 0) return;
        var connection = db.Database.GetDbConnection();
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        if (connection is NpgsqlConnection postgres)
        {
            await CopyAsync(postgres, table, rows, cancellationToken);
            return;
        }
        var perStatement = Math.Min(MaxRows, MaxParameters / table.Columns.Length);
        DbCommand? full = null;
        try
        {
            for (var start = 0; start < rows.Count; start += perStatement)
            {
                var count = Math.Min(perStatement, rows.Count - start);
                DbCommand command;
                if (count == perStatement)
                {
                    full ??= Prepare(connection, transaction, table, perStatement);
                    command = full;
                }
                else command = Prepare(connection, transaction, table, count);
                var p = 0;
                for (var r = start; r < start + count; r++)
                    foreach (var value in rows[r]) command.Parameters[p++].Value = value ?? DBNull.Value;
                await command.ExecuteNonQueryAsync(cancellationToken);
                if (command != full) await command.DisposeAsync();
            }
        }
        finally
        {
            if (full is not null) await full.DisposeAsync();
        }
    }

    private static DbCommand Prepare(DbConnection connection, DbTransaction? transaction, BulkTable table, int rows)
    {
        var sql = new StringBuilder($"INSERT INTO \"{table.Name}\" ({string.Join(", ", table.Columns.Select(c => $"\"{c.Name}\""))}) VALUES ");
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        var p = 0;
        for (var r = 0; r < rows; r++)
        {
            sql.Append(r == 0 ? "(" : ", (");
            for (var c = 0; c < table.Columns.Length; c++)
            {
                var name = "@p" + p++;
                sql.Append(c == 0 ? name : ", " + name);
                var parameter = command.CreateParameter();
                parameter.ParameterName = name;
                command.Parameters.Add(parameter);
            }
            sql.Append(')');
        }
        command.CommandText = sql.ToString();
        return command;
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
