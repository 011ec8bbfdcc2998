using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Tagflow.Logging;

namespace Tagflow.Tests.Hosting;

/// <summary>The server's stderr log: one line per entry, in the simple console form, none lost when it stops.</summary>
public sealed partial class StderrLogTests
{
    [Fact]
    public void AnEntryIsOneLineWithTimeLevelCategoryEventIdAndMessageAndAnExceptionStaysOnIt()
    {
        var output = new StringWriter();
        using (var provider = new StderrLoggerProvider(output))
        {
            var logger = provider.CreateLogger("Tagflow.Requests");
            logger.Log(LogLevel.Information, new EventId(7), "POST /subscriber 200 3.1 ms account 1", null, (s, _) => s);
            logger.Log(LogLevel.Error, new EventId(3), "Two\nlines", new InvalidOperationException("It broke."), (s, _) => s);
            logger.Log(LogLevel.None, new EventId(1), "never", null, (s, _) => s);
        }

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Matches(Line(), lines[0]);
        Assert.EndsWith(" info: Tagflow.Requests[7] POST /subscriber 200 3.1 ms account 1", lines[0], StringComparison.Ordinal);
        Assert.Matches(Line(), lines[1]);
        Assert.Contains(" fail: Tagflow.Requests[3] Two lines System.InvalidOperationException: It broke.", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryEntryFromManyThreadsIsWrittenWholeBeforeDisposeReturns()
    {
        var output = new StringWriter();
        var provider = new StderrLoggerProvider(output);
        var logger = provider.CreateLogger("Tagflow.Requests");

        await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < 5_000; i++)
                logger.Log(LogLevel.Information, default, $"thread {t} entry {i}", null, (s, _) => s);
        })));
        provider.Dispose();

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(40_000, lines.Length);
        Assert.All(lines, line => Assert.Matches(Line(), line));
        Assert.Equal(40_000, lines.Select(l => l[(l.IndexOf("] ", StringComparison.Ordinal) + 2)..]).Distinct().Count());
    }

    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (info|fail): Tagflow\.Requests\[\d+\] \S")]
    private static partial Regex Line();
}
