using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Tagflow.Bench;

/// <summary>
/// The contact import (issue 16), last: for each size, a server on a fresh database of its own, three
/// custom fields made through the API, a CSV file of that many contacts written to the data
/// directory, streamed to <c>POST /import</c>, and <c>GET /import/{id}</c> polled until the job is
/// done. Then on the account it filled, the hot path (search, add-or-update, tag) with 32 clients,
/// <c>GET /subscriber?status=subscribed</c> and the admin app's contacts page
/// (<see cref="ContactsPageBench"/>). The small account first: it is quick, and it shows an
/// importer that does not work before the large file is written.
/// </summary>
internal static class ImportBench
{
    private const string Needs = "the contact import of issue 16";
    private static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan PrintEvery = TimeSpan.FromSeconds(10);
    /// <summary>How long an import runs before its rate so far decides whether it can end within <see cref="BenchSettings.ImportLimit"/>.</summary>
    private static readonly TimeSpan JudgeAfter = TimeSpan.FromSeconds(60);
    /// <summary>Manual tags that no imported contact has: the tag calls add them one after another.</summary>
    private const int HotTags = 8;

    public static async Task<ImportResults> MeasureAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        var small = await MeasureAccountAsync(settings, settings.SmallImportContacts, cancellationToken);
        var large = await MeasureAccountAsync(settings, settings.ImportContacts, cancellationToken);
        return new ImportResults(small, large);
    }

    private static async Task<ImportedAccount> MeasureAccountAsync(BenchSettings settings, int contacts, CancellationToken cancellationToken)
    {
        var name = string.Create(CultureInfo.InvariantCulture, $"import-{contacts}");
        var database = Path.Combine(settings.DataDirectory, $"{name}.db");
        var logPath = Path.Combine(settings.DataDirectory, $"{name}.log");
        var credentials = await TagflowServer.CreateAccountAsync(settings.ServerPath, database, cancellationToken);
        await using var server = await TagflowServer.StartAsync(settings.ServerPath, database, logPath, [], cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(settings.DataDirectory, "server.pid"), server.Pid.ToString(CultureInfo.InvariantCulture), cancellationToken);
        Console.WriteLine($"Tagflow (pid {server.Pid}) serves {server.BaseAddress} on a fresh database, for an import of {contacts:N0} contacts");

        using var load = new Load(server, credentials, settings.Clients);
        var file = Path.Combine(settings.DataDirectory, $"{name}.csv");
        var bytes = await WriteFileAsync(load, file, contacts, cancellationToken);
        var import = await ImportAsync(load, server, credentials, file, bytes, contacts, cancellationToken);
        File.Delete(file);
        var tags = new List<long>();
        for (var i = 1; i <= HotTags; i++)
            tags.Add(await Benchmark.PostAsync(load, "/tag", new { name = $"Bench hot path {i}" }, Needs, d => d.RootElement[0].GetInt64(), cancellationToken));
        var workloads = new Workloads(settings.Clients);
        workloads.UseImported(contacts, tags);
        var hotPath = new HotPath(
            await HotPhaseAsync(load, "search", contacts, workloads.SearchImported, settings.HotPath, cancellationToken),
            await HotPhaseAsync(load, "add-or-update", contacts, workloads.AddOrUpdateImported, settings.HotPath, cancellationToken),
            await HotPhaseAsync(load, "tag", contacts, workloads.Tag, settings.HotPath, cancellationToken));

        Console.WriteLine("GET /subscriber?status=subscribed, streamed …");
        var list = await ListAsync(server, credentials, cancellationToken);
        Console.WriteLine($"  first byte after {list.FirstByte.TotalMilliseconds:0.0} ms; {list.Ids:N0} ids, {list.Bytes:N0} bytes in {list.Total.TotalMilliseconds:N0} ms; "
            + $"server RSS {Benchmark.Mb(list.Before.Current)} → {Benchmark.Mb(list.After.Current)}, peak {Benchmark.Mb(list.Before.Peak)} → {Benchmark.Mb(list.After.Peak)}");
        // The hot path's new contacts wait for their double opt-in: the subscribed ones are the imported ones.
        if (list.Ids != contacts)
            throw new BenchException($"The account should hold the {contacts:N0} imported contacts as subscribed, GET /subscriber?status=subscribed listed {list.Ids:N0}.");

        var contactsPage = await ContactsPageBench.MeasureAsync(load, server, credentials, contacts, list.OldestId, cancellationToken);

        await server.DisposeAsync();
        var log = ServerLog.Read(logPath);
        contactsPage = ContactsPageBench.WithServerTimes(contactsPage, log);
        ContactsPageBench.Print(contactsPage);
        return new ImportedAccount(import, hotPath, list, contactsPage, log.Problems);
    }

    /// <summary>Makes the file's custom fields in the account, then writes the file; answers its size in bytes.</summary>
    private static async Task<long> WriteFileAsync(Load load, string file, int contacts, CancellationToken cancellationToken)
    {
        var fieldKeys = new List<string>();
        foreach (var field in ContactFile.FieldNames)
            fieldKeys.Add(await Benchmark.PostAsync(load, "/field", new { name = field }, Needs, d => d.RootElement[0].GetString(), cancellationToken));
        var started = Stopwatch.GetTimestamp();
        var bytes = ContactFile.Write(file, contacts, fieldKeys, cancellationToken);
        Console.WriteLine($"  wrote {file}: {contacts:N0} contacts, {bytes / 1e6:0.0} MB in {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s");
        return bytes;
    }

    /// <summary>Streams the file from disk to POST /import, then follows the job to its end; the job must have created every contact.</summary>
    private static async Task<ImportRun> ImportAsync(Load load, TagflowServer server, Credentials credentials, string file, long bytes, int contacts,
        CancellationToken cancellationToken)
    {
        Console.WriteLine($"Importing {contacts:N0} contacts: POST /import, then GET /import/{{id}} until done …");
        var cpu = CpuMeter.Start(server);
        var started = Stopwatch.GetTimestamp();
        var answer = await UploadAsync(server, credentials, file, bytes, cancellationToken);
        var upload = Stopwatch.GetElapsedTime(started);
        var job = Benchmark.Parse(answer, "POST /import", ImportJob.Read);
        Console.WriteLine($"  uploaded in {upload.TotalSeconds:0.0} s; job {job.Id} is {job.State}");

        var printed = Stopwatch.GetTimestamp();
        while (job.State is "queued" or "running")
        {
            await Task.Delay(PollEvery, cancellationToken);
            var body = await Benchmark.ExpectAsync(load, new Call(HttpMethod.Get, $"/import/{job.Id}", null), Needs, cancellationToken);
            job = Benchmark.Parse(body, $"GET /import/{job.Id}", ImportJob.Read);
            var running = Stopwatch.GetElapsedTime(started) - upload;
            if (Stopwatch.GetElapsedTime(printed) >= PrintEvery)
            {
                Console.WriteLine($"  {job.State}: {job.RowsRead:N0} of {contacts:N0} rows, {job.RowsPerSecond:N0} rows/s; server RSS {Benchmark.Mb(server.Memory().Current)}");
                printed = Stopwatch.GetTimestamp();
            }
            if (job.State is "queued" or "running") CheckPace(job, contacts, running, server);
        }
        var endToEnd = Stopwatch.GetElapsedTime(started);
        var cpuUse = cpu.Stop($"import of {contacts:N0} contacts", endToEnd);
        var run = new ImportRun(contacts, bytes, upload, endToEnd, job, server.Memory().Peak, cpuUse);
        Console.WriteLine($"  {job.State}: {job.RowsRead:N0} rows, {job.Created:N0} created, {job.Refused:N0} refused; the job's rate {job.RowsPerSecond:N0} rows/s, "
            + $"over its start and end {(run.RowsPerSecondOverSpan is { } rate ? $"{rate:N0}" : "(within a second)")} rows/s; end to end {endToEnd.TotalSeconds:0.0} s = {run.EndToEndPerSecond:N0}/s; "
            + $"CPU: server {cpuUse.ServerPercent:0}%, other processes {cpuUse.OtherPercent:0}%; server peak {Benchmark.Mb(run.ServerPeak)}");
        if (job.State != "done")
            throw new BenchException($"The import of {contacts:N0} contacts ended {job.State} after {job.RowsRead:N0} rows: {job.Error}");
        if (job.Created != contacts || job.Refused != 0)
            throw new BenchException($"The import of {contacts:N0} new contacts created {job.Created:N0} and refused {job.Refused:N0} (GET /import/{job.Id}/report lists why).");
        return run;
    }

    /// <summary>The file as the request body, streamed from disk, with a timeout as long as an import may take.</summary>
    private static async Task<string> UploadAsync(TagflowServer server, Credentials credentials, string file, long bytes, CancellationToken cancellationToken)
    {
        using var client = Load.Client(server.BaseAddress, credentials);
        client.Timeout = BenchSettings.ImportLimit;
        await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.Asynchronous | FileOptions.SequentialScan);
        using var content = new StreamContent(stream, 64 * 1024) { Headers = { ContentType = new MediaTypeHeaderValue("text/csv") } };
        try
        {
            using var response = await client.PostAsync("/import", content, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (response.StatusCode == HttpStatusCode.Accepted) return body;
            var hint = response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed ? $" This server build does not serve it: the benchmark needs {Needs}." : "";
            throw new BenchException($"POST /import answered {(int)response.StatusCode} {response.StatusCode}, not 202: {Load.Shorten(body)}.{hint}");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new BenchException($"POST /import of {bytes / 1e6:0} MB failed: {e.Message} The server's log ends:\n{server.LogTail(20)}");
        }
    }

    /// <summary>
    /// Stops a run whose import cannot end in time: past <see cref="BenchSettings.ImportLimit"/>, or
    /// after <see cref="JudgeAfter"/> at a rate that would take longer (a table that grows makes the
    /// rate fall, not rise), or with a server that exited.
    /// </summary>
    private static void CheckPace(ImportJob job, int contacts, TimeSpan running, TagflowServer server)
    {
        if (server.HasExited)
            throw new BenchException($"The server exited during the import, after {job.RowsRead:N0} rows. Its log ends:\n{server.LogTail(20)}");
        var projected = job.RowsRead > 0 ? running * ((double)contacts / job.RowsRead) : TimeSpan.MaxValue;
        if (running < JudgeAfter || projected <= BenchSettings.ImportLimit) return;
        var pace = job.RowsRead == 0
            ? $"it has imported no row in {running.TotalSeconds:0} s (state {job.State})"
            : $"at {job.RowsRead / running.TotalSeconds:N0} rows/s ({job.RowsRead:N0} rows in {running.TotalSeconds:0} s) it would take {projected.TotalMinutes:0} min";
        throw new BenchException($"The import of {contacts:N0} contacts cannot end within the bench's limit of {BenchSettings.ImportLimit.TotalMinutes:0} min: {pace}. "
            + "The importer is far below its target; measure it with a smaller --import-contacts for now.");
    }

    private static async Task<PhaseResult> HotPhaseAsync(Load load, string what, int contacts, Func<int, Call?> next, TimeSpan measured, CancellationToken cancellationToken)
    {
        Console.WriteLine($"Hot path, {what} at {contacts:N0} imported contacts: {load.Clients} clients, {measured.TotalSeconds:0} s after the warm-up …");
        var phase = await load.RunWarmAsync($"{what} at {contacts:N0}", next, measured, cancellationToken);
        Benchmark.Print(phase);
        return phase;
    }

    /// <summary>
    /// The list, timed from sending to the body's first bytes and to its end; the body is kept only
    /// to count its ids once the clock has stopped. The connection is open and the endpoint warm
    /// before: a first call compiles the query and the code, which is not the list's own time. It
    /// warms up with the same query for the pending contacts (the hot path's new ones, a few
    /// thousand), so that the memory it takes is still the subscribed list's to show.
    /// </summary>
    private static async Task<StreamedList> ListAsync(TagflowServer server, Credentials credentials, CancellationToken cancellationToken)
    {
        using var client = Load.Client(server.BaseAddress, credentials);
        using (var warm = await client.GetAsync("/subscriber?status=pending", cancellationToken))
        {
            if (warm.StatusCode != HttpStatusCode.OK)
                throw new BenchException($"GET /subscriber?status=pending answered {(int)warm.StatusCode} {warm.StatusCode}, not 200: {Load.Shorten(await warm.Content.ReadAsStringAsync(cancellationToken))}");
        }
        var before = server.Memory();
        var started = Stopwatch.GetTimestamp();
        using var response = await client.GetAsync("/subscriber?status=subscribed", HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var body = new MemoryStream();
        var buffer = new byte[64 * 1024];
        var read = await stream.ReadAsync(buffer, cancellationToken);
        var firstByte = Stopwatch.GetElapsedTime(started);
        for (; read > 0; read = await stream.ReadAsync(buffer, cancellationToken)) body.Write(buffer, 0, read);
        var total = Stopwatch.GetElapsedTime(started);
        var after = server.Memory();

        var text = Encoding.UTF8.GetString(body.GetBuffer(), 0, (int)body.Length);
        if (response.StatusCode != HttpStatusCode.OK)
            throw new BenchException($"GET /subscriber?status=subscribed answered {(int)response.StatusCode} {response.StatusCode}, not 200: {Load.Shorten(text)}");
        var (ids, oldest) = Benchmark.Parse(text, "GET /subscriber", d =>
        {
            var all = d.RootElement.EnumerateArray().Select(e => long.Parse(e.GetString()!, CultureInfo.InvariantCulture)).ToList();
            return (all.Count, all.Count > 0 ? all.Min() : 0);
        });
        return new StreamedList(firstByte, total, ids, oldest, body.Length, before, after);
    }
}
