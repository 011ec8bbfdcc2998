using System.Globalization;
using System.Text.RegularExpressions;

namespace Tagflow.Bench;

/// <summary>
/// The server's request log: one line per request with its time inside the server, which, set
/// beside the time the client saw, tells work in the server from waiting for a core.
/// </summary>
internal sealed partial class ServerLog
{
    private readonly List<Entry> _requests = [];

    private ServerLog(List<string> problems) => Problems = problems;

    /// <summary>Warnings and errors: a benchmark that provokes them should say so.</summary>
    public IReadOnlyList<string> Problems { get; }

    private readonly record struct Entry(DateTime At, string Method, string Path, double Ms);

    public static ServerLog Read(string path)
    {
        var log = new ServerLog([.. File.ReadLines(path).Where(l => l.Contains(" warn: ", StringComparison.Ordinal)
            || l.Contains(" fail: ", StringComparison.Ordinal) || l.Contains(" crit: ", StringComparison.Ordinal))]);
        foreach (var line in File.ReadLines(path))
        {
            if (RequestLine().Match(line) is not { Success: true } m) continue;
            log._requests.Add(new Entry(
                DateTime.Parse(m.Groups["at"].ValueSpan, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal),
                m.Groups["method"].Value, m.Groups["path"].Value, double.Parse(m.Groups["ms"].ValueSpan, CultureInfo.InvariantCulture)));
        }
        return log;
    }

    /// <summary>The server's own times for one route within a phase; null when the log has none (its format changed?).</summary>
    public Latency? Durations(string method, string path, PhaseResult phase)
    {
        var times = _requests.Where(r => r.Method == method && r.Path == path && r.At >= phase.StartedUtc && r.At <= phase.EndedUtc)
            .Select(r => r.Ms).ToList();
        return times.Count == 0 ? null : Latency.Of(times);
    }

    /// <summary>
    /// The server's own times for one route, in the order of the log. The log keeps no query string,
    /// so requests that differ only in theirs are told apart by their place in this order.
    /// </summary>
    public IReadOnlyList<double> InOrder(string method, string path) =>
        [.. _requests.Where(r => r.Method == method && r.Path == path).Select(r => r.Ms)];

    // As the server writes it: "2026-11-28T00:41:56.924Z info: Tagflow.Requests[…] POST /subscriber 200 3.1 ms account 1".
    [GeneratedRegex(@"^(?<at>\S+Z) info: Tagflow\.Requests\[\d+\] (?<method>\S+) (?<path>\S+) \d+ (?<ms>[\d.]+) ms")]
    private static partial Regex RequestLine();
}
