using System.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Tagflow.Data;

/// <summary>
/// A read-only transaction over which several queries see one moment of the database, so that figures
/// read one after another agree with each other (an email the queue dropped is either still waiting or
/// recorded as failed, never both). PostgreSQL: REPEATABLE READ, READ ONLY. SQLite: a deferred
/// transaction, whose first read fixes the snapshot of the WAL file and which takes no write lock.
/// Disposing it ends the transaction; nothing is written either way.
/// </summary>
internal sealed class ReadSnapshot : IAsyncDisposable
{
    private readonly TagflowDb _db;
    private readonly IDbContextTransaction _transaction;
    private readonly bool _opened;

    private ReadSnapshot(TagflowDb db, IDbContextTransaction transaction, bool opened) =>
        (_db, _transaction, _opened) = (db, transaction, opened);

    public static async Task<ReadSnapshot> BeginAsync(TagflowDb db, CancellationToken cancellationToken)
    {
        if (db is not SqliteTagflowDb)
        {
            var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
            await db.Database.ExecuteSqlRawAsync("SET TRANSACTION READ ONLY", cancellationToken);
            return new ReadSnapshot(db, transaction, opened: false);
        }
        var connection = (SqliteConnection)db.Database.GetDbConnection();
        var opened = connection.State != ConnectionState.Open;
        if (opened) await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            return new ReadSnapshot(db, await db.Database.UseTransactionAsync(connection.BeginTransaction(deferred: true), cancellationToken)
                ?? throw new InvalidOperationException("The snapshot's transaction was not taken."), opened);
        }
        catch
        {
            if (opened) await db.Database.CloseConnectionAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _transaction.RollbackAsync(CancellationToken.None);
        }
        finally
        {
            await _transaction.DisposeAsync();
            if (_opened) await _db.Database.CloseConnectionAsync();
        }
    }
}
