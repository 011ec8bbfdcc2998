using System.Text;

namespace Tagflow.Bench;

/// <summary>The figures as Markdown, and their place in bench/README.md between two markers.</summary>
internal static partial class Report
{
    public const string Begin = "<!-- results: begin (bench/run replaces everything up to the end marker) -->";
    public const string End = "<!-- results: end -->";

    private const double AddOrUpdateTarget = 1_000;
    private const double AddOrUpdateP99TargetMs = 50;
    private const double SearchTarget = 5_000;
    private const double PeakMemoryTargetBytes = 200e6;
    /// <summary>More CPU than this (% of one core) taken by other processes in a phase marks the run as disturbed.</summary>
    public const double QuietCpuPercent = 10;

    public static string Markdown(Results r)
    {
        var s = r.Settings;
        var m = r.Machine;
        var b = r.Baseline;
        double Ratio(double perSecond) => perSecond / b.UpsertsPerSecond;

        var text = new StringBuilder();
        text.AppendLine($"Measured {r.StartedUtc:yyyy-MM-dd HH:mm} UTC with `{s.Command}` on revision {s.Revision}.");
        text.AppendLine($"Machine: {m.Cores} cores ({m.Cpu}), {m.MemoryBytes / 1e9:0.0} GB memory, Linux {m.Kernel}, {m.Runtime}, "
            + $"SQLite {b.SqliteVersion}; data on {m.FileSystem}. The load generator shares these cores with the server.");
        if (r.OtherCpuPercent > QuietCpuPercent)
        {
            text.AppendLine();
            text.AppendLine($"**Other processes took up to {r.OtherCpuPercent:0} % of a core during this run** (see the CPU table): "
                + "these figures understate what a quiet machine does. Run again when nothing else does.");
        }
        text.AppendLine();
        text.AppendLine("| figure | measured | target | result | ÷ baseline |");
        text.AppendLine("|---|---:|---:|:-:|---:|");
        Row("SQLite durable upserts, one writer (**the baseline**)",
            $"{b.UpsertsPerSecond:N0} rows/s (p50 {b.UpsertLatency.P50Ms:0.00} ms, p99 {b.UpsertLatency.P99Ms:0.00} ms)", "", "", "1.00");
        Row("SQLite lookups by email, one reader", $"{b.LookupsPerSecond:N0} rows/s", "", "", $"{Ratio(b.LookupsPerSecond):0.00}");

        var a = r.AddOrUpdate;
        Row($"add-or-update, {s.Clients} clients, {s.AddOrUpdate.TotalSeconds:0} s (after {a.WarmUp.TotalSeconds:0} s of warm-up)", $"{a.PerSecond:N0} requests/s",
            $"≥ {AddOrUpdateTarget:N0}/s", Verdict(a.PerSecond >= AddOrUpdateTarget), $"{Ratio(a.PerSecond):0.00}");
        Row("add-or-update latency p50 / p90", $"{a.Latency.P50Ms:0.0} ms / {a.Latency.P90Ms:0.0} ms", "", "", "");
        Row("add-or-update latency p99 (max)", $"{a.Latency.P99Ms:0.0} ms ({a.Latency.MaxMs:0} ms)",
            $"≤ {AddOrUpdateP99TargetMs:0} ms", Verdict(a.Latency.P99Ms <= AddOrUpdateP99TargetMs), "");
        Row("add-or-update time inside the server p50 / p99 (its request log)", Inside("POST", "/subscriber", a), "", "", "");
        Row("add-or-update errors (answers other than 200)", $"{a.Errors:N0} of {a.Completed:N0}", "0", Verdict(a.Errors == 0), "");
        var k = r.Keyed;
        Row($"add-or-update with an `Idempotency-Key` on every call, {s.AddOrUpdate.TotalSeconds:0} s (× the plain rate)",
            $"{k.PerSecond:N0} requests/s (× {k.PerSecond / a.PerSecond:0.00}), p99 {k.Latency.P99Ms:0.0} ms, {k.Errors:N0} errors", "", "", $"{Ratio(k.PerSecond):0.00}");

        var q = r.Search;
        Row($"search by email, {s.Contacts:N0} contacts, {s.Clients} clients, {s.Search.TotalSeconds:0} s (after {q.WarmUp.TotalSeconds:0} s of warm-up)", $"{q.PerSecond:N0} requests/s",
            $"≥ {SearchTarget:N0}/s", Verdict(q.PerSecond >= SearchTarget), $"{Ratio(q.PerSecond):0.00}");
        Row("search latency p50 / p99 (max)", $"{q.Latency.P50Ms:0.0} ms / {q.Latency.P99Ms:0.0} ms ({q.Latency.MaxMs:0} ms)", "", "", "");
        Row("search time inside the server p50 / p99 (its request log)", Inside("POST", "/subscriber/search", q), "", "", "");
        Row("search errors (answers other than 200)", $"{q.Errors:N0} of {q.Completed:N0}", "0", Verdict(q.Errors == 0), "");

        var f = r.Fill;
        Row($"filling the account to {s.Contacts:N0} contacts (creates only)",
            $"{f.PerSecond:N0} requests/s for {f.Elapsed.TotalSeconds:0} s, p99 {f.Latency.P99Ms:0.0} ms, {f.Errors:N0} errors", "", "", $"{Ratio(f.PerSecond):0.00}");
        var l = r.List;
        Row($"`GET /subscriber` at {s.Contacts:N0} contacts", $"{l.Ids:N0} ids, {l.Bytes / 1e6:0.0} MB in {l.Elapsed.TotalMilliseconds:N0} ms", "", "", "");
        Row($"server peak memory over the run (VmHWM), with {s.Contacts:N0} contacts", Benchmark.Mb(r.ServerPeak),
            $"≤ {PeakMemoryTargetBytes / 1e6:0} MB", Verdict(r.ServerPeak <= PeakMemoryTargetBytes), "");
        Row("server memory (VmRSS) after the fill / after `GET /subscriber`",
            $"{Benchmark.Mb(r.ServerRssAfterFill)} / {Benchmark.Mb(l.ServerRssAfter)}", "", "", "");
        if (r.Automations is { } automations) AutomationRows(text, r, automations);
        if (r.Import is { } import) ImportRows(text, r, import);

        text.AppendLine();
        text.AppendLine($"CPU time per phase, in % of one core ({m.Cores} cores = {m.Cores * 100} %), and the server's peak memory after it:");
        text.AppendLine();
        text.AppendLine("| phase | server | load generator | other processes | stolen by the hypervisor | server VmHWM after |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|");
        text.AppendLine($"| SQLite baseline | | | {r.BaselineOtherCpuPercent:0} % | | |");
        foreach (var p in new[] { a.Cpu, k.Cpu, f.Cpu, q.Cpu }.Concat(r.Automations?.Cpu ?? []).Concat(r.Import?.Cpu ?? []))
            text.AppendLine($"| {p.Phase} | {p.ServerPercent:0} % | {p.BenchPercent:0} % | {p.OtherPercent:0} % | {p.StealPercent:0} % | {Benchmark.Mb(p.ServerPeakBytes)} |");

        var errors = new[] { a, k, f, q }.Concat(r.Automations?.Phases ?? []).Concat(r.Import?.Phases ?? []).SelectMany(p => p.FirstErrors).ToList();
        var problems = r.ServerLog.Problems.Concat(r.Automations?.ServerLog.Problems.Select(p => "(automations) " + p) ?? [])
            .Concat(r.Automations?.Limited.ServerLog.Problems.Select(p => "(automations at a sending limit) " + p) ?? [])
            .Concat(r.Import?.Problems.Select(p => "(import) " + p) ?? []).ToList();
        if (errors.Count > 0 || problems.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("First errors, and the server logs' warnings and errors:");
            text.AppendLine();
            text.AppendLine("```");
            foreach (var e in errors.Concat(problems.Take(10))) text.AppendLine(e);
            if (problems.Count > 10) text.AppendLine($"… {problems.Count - 10} more warnings or errors in the server logs");
            text.AppendLine("```");
        }
        return text.ToString().TrimEnd();

        string Inside(string method, string path, PhaseResult phase) => r.ServerLog.Durations(method, path, phase) is { } d
            ? $"{d.P50Ms:0.0} ms / {d.P99Ms:0.0} ms"
            : "not in the log";

        void Row(string figure, string measured, string target, string result, string ratio) => AppendRow(text, figure, measured, target, result, ratio);
    }

    private static void AppendRow(StringBuilder text, string figure, string measured, string target, string result, string ratio) =>
        text.AppendLine($"| {figure} | {measured} | {target} | {result} | {ratio} |");

    private static string Verdict(bool pass) => pass ? "pass" : "**FAIL**";

    /// <summary>Replaces what stands between the markers; the hand-written text around them stays.</summary>
    public static void WriteInto(string readme, string report)
    {
        var text = File.ReadAllText(readme);
        var begin = text.IndexOf(Begin, StringComparison.Ordinal);
        var end = text.IndexOf(End, StringComparison.Ordinal);
        if (begin < 0 || end < begin)
            throw new BenchException($"{readme} has no results block: put the lines\n{Begin}\n{End}\nwhere the figures belong.");
        var updated = $"{text[..(begin + Begin.Length)]}\n{report}\n{text[end..]}";
        File.WriteAllText(readme, updated);
    }
}
