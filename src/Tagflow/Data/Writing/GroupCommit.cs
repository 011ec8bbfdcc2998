using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;

namespace Tagflow.Data;

/// <summary>
/// Group commit. Changes queue up; a writer opens a transaction, runs every queued change under its
/// own savepoint (a change that fails or refuses rolls back to it, and only it), commits once, and
/// only then answers each. While it commits, the next changes queue: the busier the server, the
/// more changes share each flush to disk and, on PostgreSQL, each account lock. Nobody gets an
/// answer before the commit, so a 2xx still means the change is on disk. After the commit it tells
/// the <see cref="ICommitListener"/>s, once for the batch, what the changes it kept saved.
/// <list type="bullet">
/// <item><b>SQLite:</b> one writer, which holds the process's writer gate for its transaction;
/// changes of every account share a batch (SQLite has one writer anyway).</item>
/// <item><b>PostgreSQL:</b> <see cref="PostgresLanes"/> writers, each for the accounts whose id
/// falls to it, so that accounts do not wait for each other. A batch holds the changes of one
/// account, under that account's transaction-scoped advisory lock (<see cref="Writes.LockAccountAsync"/>),
/// which every instance sharing the database honours: one lock and one commit serve many requests,
/// and an account's changes still commit one batch after another, whichever instance they came
/// through (the event feed's order, and find-then-insert, rest on that).</item>
/// </list>
/// <para>
/// The host starts the writers before the web server and stops them after the server has answered
/// the requests in flight and the workers that write through them have stopped; the admin
/// commands, which have no host, start them with their first change and stop them when they
/// dispose their services. A change still queued when they stop is answered "shutting down".
/// </para>
/// </summary>
internal sealed class GroupCommit : BackgroundLoop
{
    /// <summary>At most this many changes share a transaction, so that no answer waits long behind the others.</summary>
    private const int MaxBatch = 64;

    /// <summary>Writers on PostgreSQL: each holds a connection while it commits a batch.</summary>
    public const int PostgresLanes = 4;

    /// <summary>
    /// Two savepoint names taken in turn: a change's savepoint never bears the name of the one still
    /// open before it (on PostgreSQL, where a kept change's savepoint stays open until the next one is
    /// created), so that undoing a change whose savepoint never reached the server fails the batch
    /// rather than undoing the change kept before it. On SQLite every savepoint is released at once,
    /// and each change takes the first.
    /// </summary>
    private static readonly string[] Savepoints = ["change_a", "change_b"];

    private readonly IServiceScopeFactory _scopes;
    private readonly SqliteWriteGate _gate;
    private readonly Metrics.TagflowMetrics _metrics;
    private readonly ICommitListener[] _listeners;
    private readonly bool _sqlite;
    private readonly Lane[] _lanes;

    public GroupCommit(IServiceScopeFactory scopes, DatabaseTarget database, SqliteWriteGate gate, Metrics.TagflowMetrics metrics,
        IEnumerable<ICommitListener> listeners, ILogger<GroupCommit> logger) : base("The group commit", logger)
    {
        (_scopes, _gate, _metrics, _listeners) = (scopes, gate, metrics, [.. listeners]);
        _sqlite = database.Provider == DatabaseProvider.Sqlite;
        _lanes = [.. Enumerable.Range(0, _sqlite ? 1 : PostgresLanes).Select(_ => new Lane())];
    }

    public Task<T> RunAsync<T>(long accountId, Func<TagflowDb, CancellationToken, Task<WriteOutcome<T>>> change, CancellationToken cancellationToken) =>
        Enqueue(accountId, change, ran: false, cancellationToken).Answer.Task;

    /// <summary>
    /// Runs a change like <see cref="RunAsync"/>, but <c>Ran</c> answers as soon as it has run under
    /// the writer, before its commit; <c>Committed</c> once it is on disk. What the caller then
    /// changes through the group commit for the same account lands in the same commit or a later
    /// one, so it is never on disk without this change: the writer commits in order. For a change
    /// that later changes depend on and whose own flush nobody needs to wait for (an idempotency key
    /// taken before its request runs).
    /// </summary>
    public (Task<T> Ran, Task<T> Committed) RunBeforeCommit<T>(long accountId, Func<TagflowDb, CancellationToken, Task<WriteOutcome<T>>> change,
        CancellationToken cancellationToken)
    {
        var queued = Enqueue(accountId, change, ran: true, cancellationToken);
        return (queued.Ran!.Task, queued.Answer.Task);
    }

    private Queued<T> Enqueue<T>(long accountId, Func<TagflowDb, CancellationToken, Task<WriteOutcome<T>>> change, bool ran, CancellationToken cancellationToken)
    {
        EnsureStarted();
        var queued = new Queued<T>(accountId, change, ran, cancellationToken);
        if (!_lanes[(int)((ulong)accountId % (ulong)_lanes.Length)].Queue.Writer.TryWrite(queued))
            throw new OperationCanceledException("Tagflow is shutting down.");
        return queued;
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(_lanes.Select(lane => RunRoundsAsync(stopping => CommitNextAsync(lane, stopping), stoppingToken)));

    /// <summary>Waits for a change, then runs it and those queued behind it (up to <see cref="MaxBatch"/>) in one transaction and commits it.</summary>
    private async Task CommitNextAsync(Lane lane, CancellationToken stoppingToken)
    {
        var next = await lane.NextAsync(stoppingToken);
        // On PostgreSQL a batch is one account's; on SQLite any account's.
        long? account = _sqlite ? null : next.AccountId;
        var batch = lane.Batch;
        IQueued? running = next;
        var saved = new HashSet<Type>();
        var gated = false;
        try
        {
            if (_sqlite) await _gate.Semaphore.WaitAsync(stoppingToken);
            gated = _sqlite;
            await using var scope = _scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<TagflowDb>();
            db.Database.AutoSavepointsEnabled = false;
            await using var transaction = await db.Database.BeginTransactionAsync(stoppingToken);
            using var rows = db.WriteRowsAtOnce();
            if (account is { } id) await Writes.LockAccountAsync(db, id, stoppingToken);
            // PostgreSQL: the savepoint of an earlier change still open (kept or undone to it), if any. It
            // is released together with the next one's creation, or by the commit.
            string? open = null;
            for (var change = next; change is not null; change = batch.Count < MaxBatch ? lane.TryTake(account) : null)
            {
                if (change.CancellationToken.IsCancellationRequested)
                {
                    change.Cancel();
                    continue;
                }
                running = change;
                // On PostgreSQL the savepoint goes with the change's first query (StatementsAhead), not in a round trip of its own.
                var savepoint = Savepoints[open == Savepoints[0] ? 1 : 0];
                if (_sqlite) await transaction.CreateSavepointAsync(savepoint, stoppingToken);
                else db.SendAhead((open is null ? "" : $"RELEASE SAVEPOINT {open}; ") + $"SAVEPOINT {savepoint};");
                try
                {
                    if (await change.RunAsync(db, stoppingToken))
                    {
                        await db.SaveChangesAsync(stoppingToken);
                        if (_sqlite) await transaction.ReleaseSavepointAsync(savepoint, stoppingToken);
                        saved.UnionWith(db.TakeSaved());
                    }
                    else
                    {
                        await UndoAsync(db, transaction, savepoint, stoppingToken);
                    }
                    change.Ran();
                    batch.Add(change);
                }
                catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    // Only this change is undone; the batch goes on. Should the rollback itself fail, the whole batch fails below.
                    await UndoAsync(db, transaction, savepoint, stoppingToken);
                    change.Fail(e);
                }
                finally
                {
                    db.ChangeTracker.Clear();
                    db.TakeSaved(); // what an undone change saved is forgotten with it
                    // A change that sent nothing to the database created no savepoint (and released none).
                    if (!_sqlite && db.TakeAhead() is null) open = savepoint;
                }
                running = null;
            }
            await transaction.CommitAsync(stoppingToken);
            if (batch.Count == 0) return;
            _metrics.GroupCommitBatchSize.Record(batch.Count);
            foreach (var change in batch) change.Committed();
            new CommittedWrite(saved).Tell(_listeners);
        }
        catch (Exception e)
        {
            running?.Fail(e);
            foreach (var change in batch) change.Fail(e);
        }
        finally
        {
            batch.Clear();
            if (gated) _gate.Semaphore.Release();
        }
    }

    /// <summary>
    /// Undoes what the change running did, back to its savepoint. On PostgreSQL, a change whose
    /// savepoint still waits to go ahead of its first query sent nothing to the database: there is
    /// nothing to undo there. Should its first command have failed before the savepoint reached the
    /// server, the rollback names a savepoint that does not exist and fails the batch.
    /// </summary>
    private static async Task UndoAsync(TagflowDb db, Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction transaction, string savepoint,
        CancellationToken stoppingToken)
    {
        if (!db.AheadWaiting) await transaction.RollbackToSavepointAsync(savepoint, stoppingToken);
    }

    protected override void OnStopped()
    {
        foreach (var lane in _lanes) lane.Stop();
    }

    /// <summary>
    /// One writer's queue. <see cref="Held"/> keeps, in order, what was read while it took another
    /// account's changes: they come first in a later batch.
    /// </summary>
    private sealed class Lane
    {
        public Channel<IQueued> Queue { get; } = Channel.CreateUnbounded<IQueued>(new UnboundedChannelOptions { SingleReader = true });

        public List<IQueued> Batch { get; } = new(MaxBatch);

        private readonly List<IQueued> _held = [];

        /// <summary>The oldest change held back, else the next to arrive.</summary>
        public async Task<IQueued> NextAsync(CancellationToken stoppingToken)
        {
            if (_held.Count > 0) return Take(0);
            while (true)
            {
                await Queue.Reader.WaitToReadAsync(stoppingToken);
                if (Queue.Reader.TryRead(out var change)) return change;
            }
        }

        /// <summary>The next change waiting for <paramref name="account"/> (any account's when null); null if none waits now.</summary>
        public IQueued? TryTake(long? account)
        {
            var held = account is null ? -1 : _held.FindIndex(c => c.AccountId == account);
            if (held >= 0) return Take(held);
            while (Queue.Reader.TryRead(out var change))
            {
                if (account is null || change.AccountId == account) return change;
                _held.Add(change);
            }
            return null;
        }

        private IQueued Take(int index)
        {
            var change = _held[index];
            _held.RemoveAt(index);
            return change;
        }

        public void Stop()
        {
            Queue.Writer.TryComplete();
            var shuttingDown = new OperationCanceledException("Tagflow is shutting down.");
            foreach (var change in _held) change.Fail(shuttingDown);
            _held.Clear();
            while (Queue.Reader.TryRead(out var change)) change.Fail(shuttingDown);
        }
    }

    private interface IQueued
    {
        long AccountId { get; }

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

    private sealed class Queued<T>(long accountId, Func<TagflowDb, CancellationToken, Task<WriteOutcome<T>>> change, bool ran, CancellationToken cancellationToken)
        : IQueued
    {
        private WriteOutcome<T> _outcome;

        public TaskCompletionSource<T> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Only for <see cref="RunBeforeCommit{T}"/>: an exception nobody awaits is not left behind.</summary>
        public TaskCompletionSource<T>? Ran { get; } = ran ? new(TaskCreationOptions.RunContinuationsAsynchronously) : null;

        public long AccountId => accountId;

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
