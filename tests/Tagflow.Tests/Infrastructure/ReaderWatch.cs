using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Tagflow.Tests.Infrastructure;

/// <summary>
/// How many rows the server's queries on one database read, each told as its data reader is disposed:
/// EF Core reports that to diagnostic listeners in the same process whatever the log's filters, so
/// the server needs no hook for it. Start the watch before the server: EF Core stops asking whether
/// anyone listens for a second after it finds nobody does.
/// </summary>
internal sealed class ReaderWatch : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
{
    private readonly TestDatabase _database;
    private readonly ConcurrentQueue<int> _rowsRead = new();
    private readonly ConcurrentQueue<IDisposable> _subscriptions = new();
    private readonly IDisposable _listeners;

    public ReaderWatch(TestDatabase database)
    {
        _database = database;
        _listeners = DiagnosticListener.AllListeners.Subscribe(this);
    }

    /// <summary>How many of the readers disposed so far had read at least <paramref name="rows"/> rows.</summary>
    public int ReadersOfAtLeast(int rows) => _rowsRead.Count(read => read >= rows);

    void IObserver<DiagnosticListener>.OnNext(DiagnosticListener listener)
    {
        if (listener.Name == DbLoggerCategory.Name)
            _subscriptions.Enqueue(listener.Subscribe(this, name => name == RelationalEventId.DataReaderDisposing.Name));
    }

    void IObserver<KeyValuePair<string, object?>>.OnNext(KeyValuePair<string, object?> value)
    {
        if (value.Value is DataReaderDisposingEventData disposing && disposing.Command.Connection is { } connection && _database.IsOpenOn(connection))
            _rowsRead.Enqueue(disposing.ReadCount);
    }

    void IObserver<DiagnosticListener>.OnCompleted() { }
    void IObserver<DiagnosticListener>.OnError(Exception error) { }
    void IObserver<KeyValuePair<string, object?>>.OnCompleted() { }
    void IObserver<KeyValuePair<string, object?>>.OnError(Exception error) { }

    public void Dispose()
    {
        _listeners.Dispose();
        while (_subscriptions.TryDequeue(out var subscription)) subscription.Dispose();
    }
}
