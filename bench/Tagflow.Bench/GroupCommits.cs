using System.Globalization;

namespace Tagflow.Bench;

/// <summary>
/// The server's group commits, from its <c>tagflow_group_commit_batch_size</c> histogram on /metrics:
/// how many commits a phase took and how many changes each answered on average. With 32 clients a
/// batch holds at most 32; batches far smaller than the clients waiting mean the writer is not what
/// the requests wait for.
/// </summary>
internal readonly record struct GroupCommits(double Commits, double Changes)
{
    private const string Name = "tagflow_group_commit_batch_size";

    public static async Task<GroupCommits?> ReadAsync(HttpClient metrics, CancellationToken cancellationToken)
    {
        string text;
        try
        {
            text = await metrics.GetStringAsync("/metrics", cancellationToken);
        }
        catch (HttpRequestException)
        {
            return null; // a server without /metrics: the figure is left out
        }
        double? Value(string series) => text.Split('\n')
            .Where(line => line.StartsWith(series, StringComparison.Ordinal) && line.Length > series.Length && line[series.Length] is ' ' or '{')
            .Select(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture))
            .Cast<double?>().Sum();
        return new GroupCommits(Value($"{Name}_count") ?? 0, Value($"{Name}_sum") ?? 0);
    }

    /// <summary>Prints the commits between two readings (the phase's warm-up included).</summary>
    public static void Print(GroupCommits? before, GroupCommits? after, PhaseResult phase)
    {
        if (before is not { } b || after is not { } a || a.Commits <= b.Commits) return;
        var commits = a.Commits - b.Commits;
        var seconds = (phase.WarmUp + phase.Elapsed).TotalSeconds;
        Console.WriteLine($"  group commit: {commits:N0} commits ({commits / seconds:N0}/s), {(a.Changes - b.Changes) / commits:0.0} changes each on average (warm-up included)");
    }
}
