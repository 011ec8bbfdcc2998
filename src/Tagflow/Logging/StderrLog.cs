using System.Globalization;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;

namespace Tagflow.Logging;

/// <summary>
/// The server's log: one line per entry on stderr, in the single-line form of the framework's simple
/// console formatter (<c>2026-12-01T10:32:13.123Z info: Tagflow.Requests[1] POST /subscriber 200 3.1 ms account 1</c>),
/// an exception's text on the same line. Unlike the framework's console logger, which takes a lock
/// and makes one write to stderr per entry, the entries go through a channel to one writer that
/// writes whatever has queued up in one go, resting 25 ms after each write: at thousands of
/// requests a second, the request log costs a request almost nothing. A full queue (a stderr nobody reads) makes the logging thread
/// wait rather than lose entries; disposing writes out what is queued.
/// <para>
/// The writer is a <see cref="BackgroundLoop"/> that starts itself and is not the host's: the log
/// must work before the host exists (while it is built and started) and after it has stopped (while
/// the services are disposed), so the writer starts with the provider and stops when the provider
/// is disposed, last of all.
/// </para>
/// </summary>
internal sealed class StderrLoggerProvider : BackgroundLoop, ILoggerProvider
{
    private const int QueueLimit = 10_000;
    private static readonly TimeSpan BatchInterval = TimeSpan.FromMilliseconds(25);

    private readonly Channel<string> _entries = Channel.CreateBounded<string>(
        new BoundedChannelOptions(QueueLimit) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly TextWriter _output;

    public StderrLoggerProvider() : this(new StreamWriter(Console.OpenStandardError(), new UTF8Encoding(false), 1 << 16))
    {
    }

    internal StderrLoggerProvider(TextWriter output) : base("The log writer", NullLogger.Instance)
    {
        _output = output;
        EnsureStarted();
    }

    public ILogger CreateLogger(string categoryName) => new StderrLogger(this, categoryName);

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Stopping lets the writer write what is queued, then end.
        stoppingToken.Register(() => _entries.Writer.TryComplete());
        // A thread of its own, not the thread pool's: a logging thread that waits on a full queue
        // must never keep the writer that empties it from running.
        return RunOnOwnThread("Tagflow log writer", Write);
    }

    /// <summary>Should the writer never have run (disposed at once), what is queued is written here.</summary>
    protected override void OnStopped()
    {
        _entries.Writer.TryComplete();
        if (ExecuteTask is { IsCompleted: false }) return; // still writing: it writes the rest itself
        WriteQueued();
    }

    private void Enqueue(string entry)
    {
        if (_entries.Writer.TryWrite(entry)) return;
        try
        {
            _entries.Writer.WriteAsync(entry).AsTask().GetAwaiter().GetResult();
        }
        catch (ChannelClosedException)
        {
            // Logged while shutting down, after the writer finished: nothing is left to write it.
        }
    }

    private void Write()
    {
        var reader = _entries.Reader;
        while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            WriteQueued();
            // Let entries gather: under load one write then serves hundreds of them, and the writer
            // wakes a few dozen times a second instead of once per entry. An entry of a quiet server
            // goes out at once; one that comes while the writer rests waits at most that long.
            if (!reader.Completion.IsCompleted) Thread.Sleep(BatchInterval);
        }
    }

    private void WriteQueued()
    {
        try
        {
            while (_entries.Reader.TryRead(out var entry)) _output.Write(entry);
            _output.Flush();
        }
        catch (IOException)
        {
            // stderr is gone (a closed pipe): there is nowhere left to log to.
        }
    }

    private sealed class StderrLogger(StderrLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            var line = new StringBuilder(160)
                .Append(DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fff'Z' ", CultureInfo.InvariantCulture))
                .Append(Label(logLevel)).Append(": ").Append(category)
                .Append('[').Append(eventId.Id.ToString(CultureInfo.InvariantCulture)).Append("] ")
                .Append(OneLine(formatter(state, exception)));
            if (exception is not null) line.Append(' ').Append(OneLine(exception.ToString()));
            provider.Enqueue(line.Append('\n').ToString());
        }

        private static string OneLine(string text) => text.ReplaceLineEndings(" ");

        private static string Label(LogLevel level) => level switch
        {
            LogLevel.Trace => "trce",
            LogLevel.Debug => "dbug",
            LogLevel.Information => "info",
            LogLevel.Warning => "warn",
            LogLevel.Error => "fail",
            _ => "crit",
        };
    }
}
