using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Tagflow.Data;

/// <summary>
/// What a change made inside <see cref="Writes.RunAsync"/> answers: its result, and whether what it
/// changed is kept (a refusal found inside the change keeps nothing).
/// </summary>
internal readonly record struct WriteOutcome<T>(T Result, bool Keep)
{
    public static WriteOutcome<T> Kept(T result) => new(result, true);
    public static WriteOutcome<T> Refused(T result) => new(result, false);
}

/// <summary>
/// Opens the transaction of a change to an account's contacts. Inside it, the account's changes are
/// serialised: on SQLite by one in-process writer gate (SQLite has one writer anyway, and waiting
/// here is far cheaper than its busy-retry sleeps), on PostgreSQL by a transaction-scoped advisory
/// lock on the account, which every instance sharing the database honours. That makes a
/// find-then-insert safe against a concurrent request for the same address, and makes event ids
/// commit in order, so a reader of the event feed never skips an event that commits late.
/// </summary>
internal sealed class Writes(TagflowDb db, SqliteWriteGate gate, GroupCommit groupCommit, IEnumerable<ICommitListener> listeners)
{
    /// <summary>Tagflow's class id for its advisory locks ("tf").</summary>
    private const int AdvisoryLockClass = 0x7466;

    public async Task<WriteScope> BeginAsync(long accountId, CancellationToken cancellationToken)
    {
        var sqlite = db is SqliteTagflowDb;
        if (sqlite) await gate.Semaphore.WaitAsync(cancellationToken);
        try
        {
            // The whole transaction stands or falls together: a savepoint around each save is work for nothing.
            db.Database.AutoSavepointsEnabled = false;
            db.TakeSaved(); // what the request saved before its write is no part of it
            var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            if (!sqlite) await LockAccountAsync(db, accountId, cancellationToken);
            db.WriteRowsAtOnce(); // until the scope is disposed
            return new WriteScope(db, transaction, sqlite ? gate.Semaphore : null, listeners);
        }
        catch
        {
            if (sqlite) gate.Semaphore.Release();
            throw;
        }
    }

    /// <summary>On PostgreSQL, in an open transaction: waits for, and then holds until it ends, the lock on the account's changes.</summary>
    public static Task LockAccountAsync(TagflowDb db, long accountId, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({AdvisoryLockClass}, {unchecked((int)accountId)})", cancellationToken);

    /// <summary>
    /// Runs one change to an account's contacts and commits it before answering, like
    /// <see cref="BeginAsync"/>; <paramref name="change"/> makes its changes on the context it is
    /// given, which is not the request's, and must not touch the request. The changes of the
    /// requests that arrive together share one transaction and one commit, each under its own
    /// savepoint (<see cref="GroupCommit"/>): one flush to disk, and on PostgreSQL one account lock,
    /// serves many requests.
    /// </summary>
    public async Task<T> RunAsync<T>(long accountId, Func<TagflowDb, CancellationToken, Task<WriteOutcome<T>>> change, CancellationToken cancellationToken)
    {
        // The change runs on the group commit's connection; this request's is not needed while it waits.
        await db.Database.CloseConnectionAsync();
        return await groupCommit.RunAsync(accountId, change, cancellationToken); // which tells the listeners once it commits
    }
}

/// <summary>
/// One open change: save, then commit, then tell the <see cref="ICommitListener"/>s what it saved;
/// disposing without committing rolls it back.
/// </summary>
internal sealed class WriteScope(TagflowDb db, IDbContextTransaction transaction, SemaphoreSlim? gate, IEnumerable<ICommitListener> listeners) : IAsyncDisposable
{
    /// <param name="written">Entity types written with SQL of the change's own (which the change tracker does not see), for the listeners.</param>
    public async Task CommitAsync(CancellationToken cancellationToken, IEnumerable<Type>? written = null)
    {
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        var saved = db.TakeSaved();
        new CommittedWrite(written is null ? saved : new HashSet<Type>([.. saved, .. written])).Tell(listeners);
    }

    public async ValueTask DisposeAsync()
    {
        db.ReleaseRows(); // before the transaction ends
        await transaction.DisposeAsync();
        gate?.Release();
    }
}

/// <summary>The one writer gate of an SQLite database in this process.</summary>
internal sealed class SqliteWriteGate
{
    public SemaphoreSlim Semaphore { get; } = new(1, 1);

    /// <summary>Holds the gate until disposed, for a write outside the group commit; on PostgreSQL holds nothing.</summary>
    public async Task<IDisposable> HoldAsync(TagflowDb db, CancellationToken cancellationToken)
    {
        if (db is not SqliteTagflowDb) return Held.Nothing;
        await Semaphore.WaitAsync(cancellationToken);
        return new Held(Semaphore);
    }

    private sealed class Held(SemaphoreSlim? semaphore) : IDisposable
    {
        public static readonly Held Nothing = new(null);

        public void Dispose() => semaphore?.Release();
    }
}
