using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Tagflow.Data;

/// <summary>
/// Opens the transaction of a change to an account's contacts. Inside it, the account's changes are
/// serialised: on SQLite by one in-process writer gate (SQLite has one writer anyway, and waiting
/// here is far cheaper than its busy-retry sleeps), on PostgreSQL by a transaction-scoped advisory
/// lock on the account, which every instance sharing the database honours. That makes a
/// find-then-insert safe against a concurrent request for the same address, and makes event ids
/// commit in order, so a reader of the event feed never skips an event that commits late.
/// </summary>
internal sealed class Writes(TagflowDb db, SqliteWriteGate gate)
{
    /// <summary>Tagflow's class id for its advisory locks ("tf").</summary>
    private const int AdvisoryLockClass = 0x7466;

    public async Task<WriteScope> BeginAsync(long accountId, CancellationToken cancellationToken)
    {
        var sqlite = db is SqliteTagflowDb;
        if (sqlite) await gate.Semaphore.WaitAsync(cancellationToken);
        try
        {
            var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            if (!sqlite)
                await db.Database.ExecuteSqlAsync(
                    $"SELECT pg_advisory_xact_lock({AdvisoryLockClass}, {unchecked((int)accountId)})", cancellationToken);
            return new WriteScope(db, transaction, sqlite ? gate.Semaphore : null);
        }
        catch
        {
            if (sqlite) gate.Semaphore.Release();
            throw;
        }
    }
}

/// <summary>One open change: save, then commit; disposing without committing rolls it back.</summary>
internal sealed class WriteScope(TagflowDb db, IDbContextTransaction transaction, SemaphoreSlim? gate) : IAsyncDisposable
{
    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await transaction.DisposeAsync();
        gate?.Release();
    }
}

/// <summary>The one writer gate of an SQLite database in this process.</summary>
internal sealed class SqliteWriteGate
{
    public SemaphoreSlim Semaphore { get; } = new(1, 1);
}
