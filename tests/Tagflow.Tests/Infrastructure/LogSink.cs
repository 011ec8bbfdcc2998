using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Tagflow.Tests.Infrastructure;

/// <summary>Keeps every log line the server writes, so tests can check what the log holds.</summary>
public sealed class LogSink : ILoggerProvider
{
    private static readonly bool Echo = Environment.GetEnvironmentVariable("TAGFLOW_TEST_ECHO") is not null;

    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyCollection<string> Lines => _lines;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogSink sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var line = $"{logLevel} {category} {formatter(state, exception)} {exception}";
            sink._lines.Enqueue(line);
            // TAGFLOW_TEST_ECHO=1 shows the server's warnings and errors as they happen, for a test that fails without saying why.
            if (logLevel >= LogLevel.Warning && Echo) Console.Error.WriteLine(line);
        }
    }
}
