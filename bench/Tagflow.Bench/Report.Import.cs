using System.Text;

namespace Tagflow.Bench;

internal static partial class Report
{
    private const double ImportTarget = 100_000;
    private const double ImportPeakTargetBytes = 150e6;
    private const double HotPathRatioTarget = 1.5;
    private const double FirstByteTargetMs = 50;
    /// <summary>The contacts page's server time, every one of its samples (the max of 20 is their p99).</summary>
    private const double PageTargetMs = 100;
    /// <summary>What "memory flat" allows a streamed list to add to the server's memory.</summary>
    private const double ListGrowthLimitBytes = 10e6;

    /// <summary>The import rows (issue 16): the import's rate and memory, and the hot path at the large size against the small.</summary>
    private static void ImportRows(StringBuilder text, Results r, ImportResults x)
    {
        var s = r.Settings;
        string Ratio(double perSecond) => $"{perSecond / r.Baseline.UpsertsPerSecond:0.00}";
        void Row(string figure, string measured, string target, string result, string ratio) => AppendRow(text, figure, measured, target, result, ratio);

        var i = x.Large.Import;
        var job = i.Job;
        Row($"import, on a fresh database: {i.Contacts:N0} contacts from a CSV file ({i.FileBytes / 1e6:0} MB: consent, 2 tags, 3 custom fields each), the job's own rate",
            $"{job.RowsPerSecond:N0} contacts/s ({job.Created:N0} created, {job.Refused:N0} refused)",
            $"≥ {ImportTarget:N0}/s", Verdict(job.RowsPerSecond >= ImportTarget), Ratio(job.RowsPerSecond));
        Row("import: rows read ÷ (finished_at − started_at), the job's times in whole seconds",
            i.RowsPerSecondOverSpan is { } overSpan ? $"{overSpan:N0} contacts/s ({job.RowsRead:N0} rows in {job.FinishedAt - job.StartedAt:N0} s)" : "within one second",
            "", "", i.RowsPerSecondOverSpan is { } rate ? Ratio(rate) : "");
        Row("import: the upload, `POST /import` streamed from disk until its 202",
            $"{i.Upload.TotalSeconds:0.0} s = {i.FileBytes / 1e6 / i.Upload.TotalSeconds:0} MB/s", "", "", "");
        Row("import end to end: from the upload's first byte until `GET /import/{id}` said done",
            $"{i.EndToEnd.TotalSeconds:0.0} s = {i.EndToEndPerSecond:N0} contacts/s", "", "", Ratio(i.EndToEndPerSecond));
        Row("server peak memory (VmHWM) from its start through the import", Benchmark.Mb(i.ServerPeak),
            $"≤ {ImportPeakTargetBytes / 1e6:0} MB", Verdict(i.ServerPeak <= ImportPeakTargetBytes), "");
        var small = x.Small.Import;
        Row($"import of {small.Contacts:N0} contacts on another fresh database, the job's rate / end to end",
            $"{small.Job.RowsPerSecond:N0} / {small.EndToEndPerSecond:N0} contacts/s, peak memory {Benchmark.Mb(small.ServerPeak)}", "", "", Ratio(small.Job.RowsPerSecond));

        HotPathRow("search by email", x.Large.HotPath.Search, x.Small.HotPath.Search);
        HotPathRow("add-or-update (half new addresses, half imported contacts)", x.Large.HotPath.AddOrUpdate, x.Small.HotPath.AddOrUpdate);
        HotPathRow("tag (`POST /subscriber/tag`, an existing tag on an imported contact)", x.Large.HotPath.Tag, x.Small.HotPath.Tag);

        var l = x.Large.List;
        Row($"`GET /subscriber?status=subscribed` at {i.Contacts:N0} contacts: the first byte of the body (at {small.Contacts:N0})",
            $"{l.FirstByte.TotalMilliseconds:0.0} ms ({x.Small.List.FirstByte.TotalMilliseconds:0.0} ms)",
            $"≤ {FirstByteTargetMs:0} ms", Verdict(l.FirstByte.TotalMilliseconds <= FirstByteTargetMs), "");
        Row("… the whole list", $"{l.Ids:N0} ids, {l.Bytes / 1e6:0.0} MB in {l.Total.TotalMilliseconds:N0} ms", "", "", "");
        Row("… the server's memory before → after it: VmRSS, VmHWM",
            $"{Benchmark.Mb(l.Before.Current)} → {Benchmark.Mb(l.After.Current)}, {Benchmark.Mb(l.Before.Peak)} → {Benchmark.Mb(l.After.Peak)}",
            $"flat (≤ +{ListGrowthLimitBytes / 1e6:0} MB)", Verdict(l.Growth <= ListGrowthLimitBytes), "");

        var pages = x.Large.ContactsPage.Zip(x.Small.ContactsPage).ToList();
        for (var n = 0; n < pages.Count; n++)
        {
            var (large, smaller) = pages[n];
            var variant = large.Variant.IsContactList
                ? large.Variant.Query.Length == 0 ? large.Variant.Name : $"{large.Variant.Name} (`{large.Variant.Query}`)"
                : $"{large.Variant.Name} (`GET {large.Variant.Path}`)";
            var figure = n == 0
                ? $"admin app contacts page (`GET /app/contacts`, signed in) at {i.Contacts:N0} contacts vs {small.Contacts:N0}, {ContactsPageBench.Samples} requests "
                    + $"one after another: server time p50 / max (× the smaller's p50), then the client's, {variant}"
                : $"… {variant}";
            // Without the log's times, the client's stand in for the verdict: they are never shorter.
            var max = (large.Server ?? large.Client).MaxMs;
            Row(figure, PageFigures(large, smaller), large.Variant.HasTarget ? $"< {PageTargetMs:0} ms" : "",
                large.Variant.HasTarget ? Verdict(max < PageTargetMs) : "", "");
        }

        void HotPathRow(string what, PhaseResult large, PhaseResult smaller)
        {
            var ratio = large.Latency.P99Ms / smaller.Latency.P99Ms;
            var errors = large.Errors + smaller.Errors;
            Row($"{what} at {i.Contacts:N0} contacts vs {small.Contacts:N0}, {s.Clients} clients, {s.HotPath.TotalSeconds:0} s each: p99 (× the smaller's)",
                $"{large.Latency.P99Ms:0.0} ms vs {smaller.Latency.P99Ms:0.0} ms (× {ratio:0.00}); {large.PerSecond:N0} vs {smaller.PerSecond:N0} requests/s"
                + (errors > 0 ? $"; **{errors:N0} errors**" : ""),
                $"≤ × {HotPathRatioTarget:0.0}", Verdict(ratio <= HotPathRatioTarget && errors == 0), Ratio(large.PerSecond));
        }
    }

    /// <summary>p50 / max inside the server at both sizes, the large's p50 as a multiple of the small's, then the same as the client saw them.</summary>
    private static string PageFigures(PageTimes large, PageTimes small)
    {
        static string Times(Latency? l) => l is null ? "not in the log" : $"{l.P50Ms:0.0} / {l.MaxMs:0.0} ms";
        var ratio = large.Server is { } ls && small.Server is { } ss ? $" (× {ls.P50Ms / ss.P50Ms:0.00})" : "";
        var rows = large.Variant.IsContactList ? $"; {large.Rows} vs {small.Rows} rows" : "";
        return $"{Times(large.Server)} vs {Times(small.Server)}{ratio}; client {Times(large.Client)} vs {Times(small.Client)}{rows}";
    }
}
