using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;

namespace Tagflow.Data;

/// <summary>
/// Group commit on SQLite. Changes queue up; one writer takes the gate, opens a transaction, runs
/// every queued change under its own savepoint (a change that fails or refuses rolls back to it,
/// and only it), commits once, and only then answers each. While it commits, the next changes
/// queue: the busier the server, the more changes share each flush to disk. Nobody gets an answer
/// before the commit, so a 2xx still means the change is on disk. After the commit it tells the
/// <see cref="ICommitListener"/>s, once for the batch, what the changes it kept saved.
/// <para>
/// The host starts the writer before the web server and stops it after the server has answered
/// the requests in flight and the workers that write through it have stopped; the admin commands,
/// which have no host, start it with their first change and stop it when they dispose their
/// services. A change still queued when it stops is answered "shutting down".
/// </para>
/// </summary>
internal sealed class SqliteGroupCommit(IServiceScopeFactory scopes, SqliteWriteGate gate, Metrics.TagflowMetrics metrics,
    IEnumerable<ICommitListener> listeners, ILogger<SqliteGroupCommit> logger) : BackgroundLoop("The SQLite group commit", logger)
{
    /// <summary>At most this many changes share a transaction, so that no answer waits long behind the others.</summary>
    private const int MaxBatch = 64;
    private const string Savepoint = "change";

    private readonly Channel<IQueued> _queue = Channel.CreateUnbounded<IQueued>(new UnboundedChannelOptions { SingleReader = true });
    private readonly List<IQueued> _batch = new(MaxBatch);
    private readonly ICommitListener[] _listeners = [.. listeners];

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

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => RunRoundsAsync(CommitNextAsync, stoppingToken);

    /// <summary>Waits for changes, then runs those queued (up to <see cref="MaxBatch"/>) in one transaction and commits it.</summary>
    private async Task CommitNextAsync(CancellationToken stoppingToken)
    {
        var (reader, batch) = (_queue.Reader, _batch);
        await reader.WaitToReadAsync(stoppingToken);
        await gate.Semaphore.WaitAsync(stoppingToken);
        IQueued? running = null;
        var saved = new HashSet<Type>();
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<TagflowDb>();
            db.Database.AutoSavepointsEnabled = false;
            await using var transaction = await db.Database.BeginTransactionAsync(stoppingToken);
            while (batch.Count < MaxBatch && reader.TryRead(out var change))
            {
                if (change.CancellationToken.IsCancellationRequested)
                {
                    change.Cancel();
                    continue;
                }
                running = change;
                await transaction.CreateSavepointAsync(Savepoint, stoppingToken);
                try
                {
                    if (await change.RunAsync(db, stoppingToken))
                    {
                        await db.SaveChangesAsync(stoppingToken);
                        await transaction.ReleaseSavepointAsync(Savepoint, stoppingToken);
                        saved.UnionWith(db.TakeSaved());
                    }
                    else
                    {
                        await transaction.RollbackToSavepointAsync(Savepoint, stoppingToken);
                    }
                    change.Ran();
                    batch.Add(change);
                }
                catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    // Only this change is undone; the batch goes on. Should the rollback itself fail, the whole batch fails below.
                    await transaction.RollbackToSavepointAsync(Savepoint, stoppingToken);
                    change.Fail(e);
                }
                finally
                {
                    db.ChangeTracker.Clear();
                    db.TakeSaved(); // what an undone change saved is forgotten with it
                }
                running = null;
            }
            await transaction.CommitAsync(stoppingToken);
            if (batch.Count == 0) return;
            metrics.GroupCommitBatchSize.Record(batch.Count);
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
            gate.Semaphore.Release();
        }
    }

    protected override void OnStopped()
    {
        _queue.Writer.TryComplete();
        while (_queue.Reader.TryRead(out var change)) change.Fail(new OperationCanceledException("Tagflow is shutting down."));
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
