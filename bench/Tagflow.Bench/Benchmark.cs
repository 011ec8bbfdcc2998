using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace Tagflow.Bench;

internal sealed record ListResult(TimeSpan Elapsed, int Ids, long Bytes, long ServerRssAfter, long ServerPeakAfter);

internal sealed record Results(
    BenchSettings Settings, Machine Machine, DateTime StartedUtc, BaselineResult Baseline,
    PhaseResult AddOrUpdate, PhaseResult Keyed, PhaseResult Fill, PhaseResult Search, ListResult List,
    long ServerRssAfterFill, long ServerPeak, ServerLog ServerLog, double BaselineOtherCpuPercent)
{
    /// <summary>The campaign and webhook figures, measured after the others on a server of their own; null if they failed.</summary>
    public AutomationResults? Automations { get; init; }

    /// <summary>The import figures and the hot path at two sizes, measured last on servers of their own; null if they failed.</summary>
    public ImportResults? Import { get; init; }

    /// <summary>The most CPU that other processes took in any phase, in % of one core.</summary>
    public double OtherCpuPercent => new[] { AddOrUpdate.Cpu, Keyed.Cpu, Fill.Cpu, Search.Cpu }.Concat(Automations?.Cpu ?? []).Concat(Import?.Cpu ?? [])
        .Select(c => c.OtherPercent).Append(BaselineOtherCpuPercent).Max();
}

/// <summary>
/// The run, in order: SQLite baseline, add-or-update (plain, then with an Idempotency-Key on every
/// call), fill to N contacts, search, GET /subscriber;
/// then, on a fresh database, campaigns and webhooks (<see cref="AutomationBench"/>);
/// then, on two more, the contact import and the hot path and the admin app's contacts page after it (<see cref="ImportBench"/>).
/// </summary>
internal static class Benchmark
{
    public static async Task<int> RunAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        try
        {
            var results = await MeasureAsync(settings, cancellationToken);
            try
            {
                if (!settings.ContactsOnly)
                {
                    results = results with { Automations = await AutomationBench.MeasureAsync(settings, cancellationToken) };
                    results = results with { Import = await ImportBench.MeasureAsync(settings, cancellationToken) };
                }
            }
            catch (BenchException)
            {
                // The contact figures took minutes: show them before the failure, though they go nowhere.
                Console.WriteLine();
                Console.WriteLine(Report.Markdown(results));
                throw;
            }
            var report = Report.Markdown(results);
            Console.WriteLine();
            Console.WriteLine(report);
            if (settings.Readme is null) return 0;
            if (!settings.IsDocumented)
            {
                Console.WriteLine($"Not writing {settings.Readme}: only a run with the documented settings replaces its figures.");
                return 0;
            }
            Report.WriteInto(settings.Readme, report);
            Console.WriteLine($"Wrote the figures to {settings.Readme}.");
            return 0;
        }
        catch (BenchException e)
        {
            await Console.Error.WriteLineAsync($"\nbench: {e.Message}");
            return 3;
        }
    }

    private static async Task<Results> MeasureAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        var started = DateTime.UtcNow;
        Directory.CreateDirectory(settings.DataDirectory);
        var machine = Machine.Describe(settings.DataDirectory);
        Console.WriteLine($"{machine.Cores} cores, {machine.Cpu}; data on {machine.FileSystem}");
        if (machine.IsTmpfs)
            Console.WriteLine("warning: the data directory is on tmpfs, where fsync costs nothing: the figures overstate a disk's.");
        var before = OtherCpu.Start();
        await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
        var idle = before.Percent();
        if (idle > Report.QuietCpuPercent)
            Console.WriteLine($"warning: other processes use {idle:0}% of a core right now: the figures will understate a quiet machine's.");

        Console.WriteLine($"SQLite baseline: durable upserts, one writer, {settings.Baseline.TotalSeconds:0} s …");
        var others = OtherCpu.Start();
        var baseline = SqliteBaseline.Run(Path.Combine(settings.DataDirectory, "baseline.db"), settings.Baseline, cancellationToken);
        var baselineOther = others.Percent();
        Console.WriteLine($"  {baseline.UpsertsPerSecond:N0} upserts/s (p50 {baseline.UpsertLatency.P50Ms:0.00} ms, p99 {baseline.UpsertLatency.P99Ms:0.00} ms); {baseline.LookupsPerSecond:N0} lookups/s; other processes {baselineOther:0}% CPU");

        var database = settings.ContactsDatabase ?? Path.Combine(settings.DataDirectory, "bench.db");
        var credentials = await TagflowServer.CreateAccountAsync(settings.ServerPath, database, cancellationToken);
        // Its /metrics, on a port of its own, tells how many changes each group commit took.
        var metricsUrl = $"http://127.0.0.1:{TagflowServer.FreePort()}";
        await using var server = await TagflowServer.StartAsync(settings.ServerPath, database, Path.Combine(settings.DataDirectory, "server.log"),
            ["--metrics-urls", metricsUrl], cancellationToken);
        using var metrics = new HttpClient { BaseAddress = new Uri(metricsUrl), Timeout = TimeSpan.FromSeconds(10) };
        await File.WriteAllTextAsync(Path.Combine(settings.DataDirectory, "server.pid"), server.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), cancellationToken);
        Console.WriteLine($"Tagflow (pid {server.Pid}) serves {server.BaseAddress}");

        using var load = new Load(server, credentials, settings.Clients);
        await CheckEndpointsAsync(load, cancellationToken);
        var workloads = new Workloads(settings.Clients);

        Console.WriteLine($"Add-or-update: {settings.Clients} clients, {settings.AddOrUpdate.TotalSeconds:0} s after the warm-up …");
        var commitsBefore = await GroupCommits.ReadAsync(metrics, cancellationToken);
        var addOrUpdate = await load.RunWarmAsync("add-or-update", workloads.AddOrUpdate, settings.AddOrUpdate, cancellationToken);
        Print(addOrUpdate);
        GroupCommits.Print(commitsBefore, await GroupCommits.ReadAsync(metrics, cancellationToken), addOrUpdate);

        // The same calls again, each with a key of its own: what keeping every write's answer for 24 h costs.
        Console.WriteLine($"Add-or-update with an Idempotency-Key on every call: {settings.Clients} clients, {settings.AddOrUpdate.TotalSeconds:0} s after the warm-up …");
        Call Keyed(int worker) => workloads.AddOrUpdate(worker) with { Keyed = true };
        commitsBefore = await GroupCommits.ReadAsync(metrics, cancellationToken);
        var keyed = await load.RunWarmAsync("add-or-update, keyed", Keyed, settings.AddOrUpdate, cancellationToken);
        Print(keyed);
        GroupCommits.Print(commitsBefore, await GroupCommits.ReadAsync(metrics, cancellationToken), keyed);

        // The check above created one contact, so the account holds exactly the number asked for.
        Console.WriteLine($"Filling the account to {settings.Contacts:N0} contacts (creates only) …");
        workloads.BeginFill(settings.Contacts - 1);
        var fill = await load.RunAsync("fill", workloads.Fill, BenchSettings.FillLimit, cancellationToken);
        Print(fill);
        var afterFill = server.Memory();

        if (workloads.Created == 0) throw new BenchException("No contact was created, so there is nothing to search for.");
        Console.WriteLine($"Search by email: {settings.Clients} clients, {settings.Search.TotalSeconds:0} s after the warm-up …");
        var search = await load.RunWarmAsync("search", workloads.Search, settings.Search, cancellationToken);
        Print(search);

        Console.WriteLine("GET /subscriber …");
        var list = await ListAllAsync(load, server, cancellationToken);
        Console.WriteLine($"  {list.Ids:N0} ids, {list.Bytes:N0} bytes in {list.Elapsed.TotalMilliseconds:N0} ms; server RSS after {Mb(list.ServerRssAfter)}");
        if (list.Ids != settings.Contacts)
            Console.WriteLine($"  warning: the account should hold {settings.Contacts:N0} contacts, GET /subscriber listed {list.Ids:N0}.");

        var peak = server.Memory().Peak;
        await server.DisposeAsync();
        var log = ServerLog.Read(Path.Combine(settings.DataDirectory, "server.log"));
        return new Results(settings, machine, started, baseline, addOrUpdate, keyed, fill, search, list, afterFill.Current, peak, log, baselineOther);
    }

    /// <summary>
    /// One request per endpoint before any load, so that a missing or broken endpoint stops the run
    /// at once with its answer, rather than as a column of errors after minutes.
    /// </summary>
    private static async Task CheckEndpointsAsync(Load load, CancellationToken cancellationToken)
    {
        await ExpectAsync(load, new Call(HttpMethod.Get, "/account", null), cancellationToken);
        const string email = "check@bench.example";
        var created = await ExpectAsync(load, new Call(HttpMethod.Post, "/subscriber", Workloads.Json(new { email })), cancellationToken);
        var id = Parse(created, "POST /subscriber", d => d.RootElement.GetProperty("id").GetString());
        var found = await ExpectAsync(load, new Call(HttpMethod.Post, "/subscriber/search", Workloads.Json(new { email })), cancellationToken);
        var foundId = Parse(found, "POST /subscriber/search", d => d.RootElement[0].ToString());
        if (foundId != id)
            throw new BenchException($"POST /subscriber/search found contact {foundId} for {email}, but POST /subscriber created {id}.");
        var all = await ExpectAsync(load, new Call(HttpMethod.Get, PendingContacts, null), cancellationToken);
        if (!Parse(all, "GET /subscriber", d => d.RootElement.EnumerateArray().Any(e => e.ToString() == id)))
            throw new BenchException($"GET /subscriber does not list contact {id}, which POST /subscriber created: {Load.Shorten(all)}");
    }

    /// <summary>
    /// The benchmark's contacts wait for their double opt-in, and the list answers Subscribed contacts
    /// unless told otherwise (KlickTipp's default): it asks for pending ones.
    /// </summary>
    private const string PendingContacts = "/subscriber?status=pending";

    private static Task<string> ExpectAsync(Load load, Call call, CancellationToken cancellationToken) =>
        ExpectAsync(load, call, "the contact API of issue 3", cancellationToken);

    /// <summary>One call that must answer 200; <paramref name="needs"/> names what a server without the endpoint lacks.</summary>
    public static async Task<string> ExpectAsync(Load load, Call call, string needs, CancellationToken cancellationToken)
    {
        var (status, body) = await load.SendAsync(call, cancellationToken);
        if (status == HttpStatusCode.OK) return body;
        var hint = status is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed
            ? $" This server build does not serve the endpoint (yet?): the benchmark needs {needs}."
            : "";
        throw new BenchException($"{call.Method} {call.Path} answered {(int)status} {status}, not 200: {Load.Shorten(body)}.{hint}");
    }

    /// <summary>A POST that must answer 200, and what <paramref name="read"/> takes from its answer.</summary>
    public static async Task<T> PostAsync<T>(Load load, string path, object body, string needs, Func<JsonDocument, T?> read, CancellationToken cancellationToken)
    {
        var answer = await ExpectAsync(load, new Call(HttpMethod.Post, path, Workloads.Json(body)), needs, cancellationToken);
        return Parse(answer, $"POST {path}", read);
    }

    public static T Parse<T>(string body, string what, Func<JsonDocument, T?> read)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return read(document) ?? throw new BenchException($"{what} answered 200 without what the wire contract promises: {Load.Shorten(body)}");
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or IndexOutOfRangeException)
        {
            throw new BenchException($"{what} answered 200 with a body that is not what the wire contract promises: {Load.Shorten(body)}");
        }
    }

    private static async Task<ListResult> ListAllAsync(Load load, TagflowServer server, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var body = await ExpectAsync(load, new Call(HttpMethod.Get, PendingContacts, null), cancellationToken);
        var elapsed = Stopwatch.GetElapsedTime(started);
        var ids = Parse(body, "GET /subscriber", d => d.RootElement.GetArrayLength());
        var (peak, current) = server.Memory();
        return new ListResult(elapsed, ids, System.Text.Encoding.UTF8.GetByteCount(body), current, peak);
    }

    public static void Print(PhaseResult r)
    {
        if (r.WarmUp > TimeSpan.Zero) Console.WriteLine($"  warm-up {r.WarmUp.TotalSeconds:0} s");
        Console.WriteLine($"  {r.Completed:N0} answers in {r.Elapsed.TotalSeconds:0.0} s = {r.PerSecond:N0}/s; p50 {r.Latency.P50Ms:0.0} ms, "
            + $"p99 {r.Latency.P99Ms:0.0} ms, max {r.Latency.MaxMs:0.0} ms; {r.Errors} errors; CPU: server {r.Cpu.ServerPercent:0}%, "
            + $"load generator {r.Cpu.BenchPercent:0}%, other processes {r.Cpu.OtherPercent:0}%, steal {r.Cpu.StealPercent:0}%; server peak {Mb(r.Cpu.ServerPeakBytes)}");
        foreach (var e in r.FirstErrors) Console.WriteLine($"  error: {e}");
    }

    public static string Mb(long bytes) => $"{bytes / 1e6:0.0} MB";
}
