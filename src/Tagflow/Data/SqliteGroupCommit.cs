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
/// </summary>
internal sealed class SqliteGroupCommit(IServiceScopeFactory scopes, SqliteWriteGate gate, Metrics.TagflowMetrics metrics,
    IEnumerable<ICommitListener> listeners) : IAsyncDisposable
{
    /// <summary>At most this many changes share a transaction, so that no answer waits long behind the others.</summary>
    private const int MaxBatch = 64;
    private const string Savepoint = "change";

    private readonly Channel<IQueued> _queue = Channel.CreateUnbounded<IQueued>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _startLock = new();
    private readonly ICommitListener[] _listeners = [.. listeners];
    private Task? _writer;

    public Task<T> RunAsync<T>(Func<TagflowDb, CancellationToken, Task<WriteOutcome<T>>> change, CancellationToken cancellationToken)
    {
        EnsureStarted();
        var queued = new Queued<T>(change, cancellationToken);
        if (!_queue.Writer.TryWrite(queued)) throw new OperationCanceledException("Tagflow is shutting down.");
        return queued.Answer.Task;
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
        var batch = new List<(IQueued Change, Action Answer)>(MaxBatch);
        while (await reader.WaitToReadAsync(_stopping.Token))
        {
            await gate.Semaphore.WaitAsync(_stopping.Token);
            IQueued? running = null;
            var saved = new HashSet<Type>();
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
                        var (keep, answer) = await change.RunAsync(db, _stopping.Token);
                        if (keep)
                        {
                            await db.SaveChangesAsync(_stopping.Token);
                            await transaction.ReleaseSavepointAsync(Savepoint, _stopping.Token);
                            saved.UnionWith(db.TakeSaved());
                        }
                        else
                        {
                            await transaction.RollbackToSavepointAsync(Savepoint, _stopping.Token);
                        }
                        batch.Add((change, answer));
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
                        db.TakeSaved(); // what an undone change saved is forgotten with it
                    }
                    running = null;
                }
                await transaction.CommitAsync(_stopping.Token);
                if (batch.Count == 0) continue;
                metrics.GroupCommitBatchSize.Record(batch.Count);
                foreach (var (_, answer) in batch) answer();
                new CommittedWrite(saved).Tell(_listeners);
            }
            catch (Exception e)
            {
                running?.Fail(e);
                foreach (var (change, _) in batch) change.Fail(e);
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

        /// <summary>Runs the change; answers whether to keep it, and how to answer its request once committed.</summary>
        Task<(bool Keep, Action Answer)> RunAsync(TagflowDb db, CancellationToken cancellationToken);

        void Fail(Exception e);

        void Cancel();
    }

    private sealed class Queued<T>(Func<TagflowDb, CancellationToken, Task<WriteOutcome<T>>> change, CancellationToken cancellationToken) : IQueued
    {
        public TaskCompletionSource<T> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public CancellationToken CancellationToken => cancellationToken;

        public async Task<(bool Keep, Action Answer)> RunAsync(TagflowDb db, CancellationToken stopping)
        {
            var outcome = await change(db, stopping);
            return (outcome.Keep, () => Answer.TrySetResult(outcome.Result));
        }

        public void Fail(Exception e) => Answer.TrySetException(e);

        public void Cancel() => Answer.TrySetCanceled(cancellationToken);
    }
}
