using System.Threading.Channels;
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
internal sealed class Writes(TagflowDb db, SqliteWriteGate gate, SqliteGroupCommit groupCommit, Automations.AutomationSignal automations)
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
            var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            if (!sqlite)
                await db.Database.ExecuteSqlAsync(
                    $"SELECT pg_advisory_xact_lock({AdvisoryLockClass}, {unchecked((int)accountId)})", cancellationToken);
            return new WriteScope(db, transaction, sqlite ? gate.Semaphore : null, automations);
        }
        catch
        {
            if (sqlite) gate.Semaphore.Release();
            throw;
        }
    }

    /// <summary>
    /// Runs one change to an account's contacts and commits it before answering, like
    /// <see cref="BeginAsync"/>; <paramref name="change"/> makes its changes on the context it is
    /// given, which need not be the request's, and must not touch the request. On SQLite the changes
    /// of the requests that arrive together share one transaction and one commit, each under its
    /// own savepoint (<see cref="SqliteGroupCommit"/>): one flush to disk serves many requests.
    /// </summary>
    public async Task<T> RunAsync<T>(long accountId, Func<TagflowDb, CancellationToken, Task<WriteOutcome<T>>> change, CancellationToken cancellationToken)
    {
        if (db is SqliteTagflowDb)
        {
            // The change runs on the group commit's connection; this request's is not needed while it waits.
            await db.Database.CloseConnectionAsync();
            var result = await groupCommit.RunAsync(change, cancellationToken);
            automations.Wake(); // the change may have written events that start or stop automations
            return result;
        }
        await using var write = await BeginAsync(accountId, cancellationToken);
        var outcome = await change(db, cancellationToken);
        if (outcome.Keep) await write.CommitAsync(cancellationToken);
        return outcome.Result;
    }
}

/// <summary>One open change: save, then commit; disposing without committing rolls it back.</summary>
internal sealed class WriteScope(TagflowDb db, IDbContextTransaction transaction, SemaphoreSlim? gate, Automations.AutomationSignal automations) : IAsyncDisposable
{
    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        automations.Wake();
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

/// <summary>
/// Group commit on SQLite. Changes queue up; one writer takes the gate, opens a transaction, runs
/// every queued change under its own savepoint (a change that fails or refuses rolls back to it,
/// and only it), commits once, and only then answers each. While it commits, the next changes
/// queue: the busier the server, the more changes share each flush to disk. Nobody gets an answer
/// before the commit, so a 2xx still means the change is on disk.
/// </summary>
internal sealed class SqliteGroupCommit(IServiceScopeFactory scopes, SqliteWriteGate gate, Metrics.TagflowMetrics metrics) : IAsyncDisposable
{
    /// <summary>At most this many changes share a transaction, so that no answer waits long behind the others.</summary>
    private const int MaxBatch = 64;
    private const string Savepoint = "change";

    private readonly Channel<IQueued> _queue = Channel.CreateUnbounded<IQueued>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _startLock = new();
    private Task? _writer;

    public Task<T> RunAsync<T>(Func<TagflowDb, CancellationToken, Task<WriteOutcome<T>>> change, CancellationToken cancellationToken) =>
        Enqueue(change, ran: false, cancellationToken).Answer.Task;

    /// <summary>
    /// Runs a change like <see cref="RunAsync"/>, but <c>Ran</c> answers as soon as it has run under
    /// the writer, before its commit; <c>Committed</c> once it is on disk. What the caller then
    /// changes through the group commit lands in the same commit or a later one, so it is never on
    /// disk without this change: the writer commits in order. For a change that later changes depend
    /// on and whose own flush nobody needs to wait for (an idempotency key taken before its request runs).
    /// </summary>
    public (Task<T> Ran, Task<T> Committed) RunBeforeCommit<T>(Func<TagflowDb, CancellationToken, Task<WriteOutcome<T>>> change, CancellationToken cancellationToken)
    {
        var queued = Enqueue(change, ran: true, cancellationToken);
        return (queued.Ran!.Task, queued.Answer.Task);
    }

    private Queued<T> Enqueue<T>(Func<TagflowDb, CancellationToken, Task<WriteOutcome<T>>> change, bool ran, CancellationToken cancellationToken)
    {
        EnsureStarted();
        var queued = new Queued<T>(change, ran, cancellationToken);
        if (!_queue.Writer.TryWrite(queued)) throw new OperationCanceledException("Tagflow is shutting down.");
        return queued;
    }

    private void EnsureStarted()
    {
        if (_writer is not null) return;
        lock (_startLock)
        {
            // Not the starting request's context (its trace, its logging scopes): the writer outlives it.
            using (ExecutionContext.SuppressFlow()) _writer ??= Task.Run(WriteAsync);
        }
    }

    private async Task WriteAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<IQueued>(MaxBatch);
        while (await reader.WaitToReadAsync(_stopping.Token))
        {
            await gate.Semaphore.WaitAsync(_stopping.Token);
            IQueued? running = null;
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<TagflowDb>();
                db.Database.AutoSavepointsEnabled = false;
                await using var transaction = await db.Database.BeginTransactionAsync(_stopping.Token);
                while (batch.Count < MaxBatch && reader.TryRead(out var change))
                {
                    if (change.CancellationToken.IsCancellationRequested)
                    {
                        change.Cancel();
                        continue;
                    }
                    running = change;
                    await transaction.CreateSavepointAsync(Savepoint, _stopping.Token);
                    try
                    {
                        if (await change.RunAsync(db, _stopping.Token))
                        {
                            await db.SaveChangesAsync(_stopping.Token);
                            await transaction.ReleaseSavepointAsync(Savepoint, _stopping.Token);
                        }
                        else
                        {
                            await transaction.RollbackToSavepointAsync(Savepoint, _stopping.Token);
                        }
                        change.Ran();
                        batch.Add(change);
                    }
                    catch (Exception e) when (e is not OperationCanceledException || !_stopping.IsCancellationRequested)
                    {
                        // Only this change is undone; the batch goes on. Should the rollback itself fail, the whole batch fails below.
                        await transaction.RollbackToSavepointAsync(Savepoint, _stopping.Token);
                        change.Fail(e);
                    }
                    finally
                    {
                        db.ChangeTracker.Clear();
                    }
                    running = null;
                }
                await transaction.CommitAsync(_stopping.Token);
                if (batch.Count > 0) metrics.GroupCommitBatchSize.Record(batch.Count);
                foreach (var change in batch) change.Committed();
            }
            catch (Exception e)
            {
                running?.Fail(e);
                foreach (var change in batch) change.Fail(e);
                if (_stopping.IsCancellationRequested) break;
            }
            finally
            {
                batch.Clear();
                gate.Semaphore.Release();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stopping.CancelAsync();
        if (_writer is not null)
        {
            try
            {
                await _writer;
            }
            catch (OperationCanceledException)
            {
            }
        }
        while (_queue.Reader.TryRead(out var change)) change.Fail(new OperationCanceledException("Tagflow is shutting down."));
        _stopping.Dispose();
    }

    private interface IQueued
    {
        CancellationToken CancellationToken { get; }

        /// <summary>Runs the change; answers whether to keep it.</summary>
        Task<bool> RunAsync(TagflowDb db, CancellationToken cancellationToken);

        /// <summary>The change ran and was saved (or undone) under its savepoint; not yet committed.</summary>
        void Ran();

        /// <summary>The transaction that holds the change is committed: its request may be answered.</summary>
        void Committed();

        void Fail(Exception e);

        void Cancel();
    }

    private sealed class Queued<T>(Func<TagflowDb, CancellationToken, Task<WriteOutcome<T>>> change, bool ran, CancellationToken cancellationToken) : IQueued
    {
        private WriteOutcome<T> _outcome;

        public TaskCompletionSource<T> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Only for <see cref="RunBeforeCommit{T}"/>: an exception nobody awaits is not left behind.</summary>
        public TaskCompletionSource<T>? Ran { get; } = ran ? new(TaskCreationOptions.RunContinuationsAsynchronously) : null;

        public CancellationToken CancellationToken => cancellationToken;

        public async Task<bool> RunAsync(TagflowDb db, CancellationToken stopping)
        {
            _outcome = await change(db, stopping);
            return _outcome.Keep;
        }

        void IQueued.Ran() => Ran?.TrySetResult(_outcome.Result);

        public void Committed() => Answer.TrySetResult(_outcome.Result);

        public void Fail(Exception e)
        {
            Ran?.TrySetException(e);
            Answer.TrySetException(e);
        }

        public void Cancel()
        {
            Ran?.TrySetCanceled(cancellationToken);
            Answer.TrySetCanceled(cancellationToken);
        }
    }
}
