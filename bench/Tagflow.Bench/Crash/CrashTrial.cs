using System.Diagnostics;
using System.Globalization;

namespace Tagflow.Bench.Crash;

/// <summary>One trial's counts; <see cref="Failures"/> says what broke a promise (empty: it passed).</summary>
internal sealed record TrialResult(int Number, int Seed, string Directory, TimeSpan KillAfter, bool KillLanded, int InFlightAtKill, WriteTally Writes,
    DeliveryTally Emails, DeliveryTally Webhooks, bool IntegrityOk, TimeSpan Drain, TimeSpan Elapsed, IReadOnlyList<string> Failures,
    IReadOnlyList<string> LogProblems)
{
    public bool Passed => Failures.Count == 0;
}

/// <summary>
/// One trial on a fresh database: a server with a campaign and a webhook, mixed load from every
/// worker, <c>kill -9</c> at a random moment of it, a restart on the same file (same SMTP sink, same
/// receiver), the drain, then the checks: every answered write there, every promised email and
/// webhook call delivered and none twice beyond the documented repeat, and
/// <c>PRAGMA integrity_check</c> after a graceful stop. Everything random comes from the seed.
/// </summary>
internal static class CrashTrial
{
    public static async Task<TrialResult> RunAsync(CrashSettings settings, AccountTemplate account, int number, int seed, IDisposable turn, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var killAfter = CrashSettings.KillFrom + (CrashSettings.KillUntil - CrashSettings.KillFrom) * new Random(seed).NextDouble();
        var directory = Path.Combine(settings.DataDirectory, string.Create(CultureInfo.InvariantCulture, $"trial-{number}-seed-{seed}"));
        Directory.CreateDirectory(directory);
        var database = Path.Combine(directory, AccountTemplate.DatabaseName);
        var failures = new List<string>();
        var mail = new MailLog();
        await using var smtp = SmtpSink.Start(mail.Observe);
        await using var receiver = await WebhookReceiver.StartAsync(cancellationToken);
        string[] options = ["--smtp", smtp.Url, "--webhook-allow-private"];
        var credentials = account.CopyTo(directory);

        var first = await StartAsync(settings, database, Path.Combine(directory, "before-kill.log"), options, cancellationToken);
        AutomationBench.Setup setup;
        CrashTags tags;
        try
        {
            (setup, tags) = await SetUpAsync(first, credentials, receiver.Url, cancellationToken);
        }
        catch
        {
            await first.DisposeAsync();
            throw;
        }

        using var load = new MixedLoad(first.BaseAddress, credentials, setup.ListId, tags, settings.Clients, seed);
        using var stopLoad = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var running = load.RunAsync(stopLoad.Token);
        try
        {
            await load.AllAnswering.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
        }
        catch (TimeoutException)
        {
            await first.DisposeAsync();
            throw new BenchException($"Not every client had an answer 60 s into the load (seed {seed}). The server's log ends:\n{first.LogTail(20)}");
        }
        await Task.Delay(killAfter, cancellationToken);
        var inFlight = load.InFlight;
        var exitedBefore = first.HasExited;
        load.Killing();
        var killed = await first.KillAsync();
        if (exitedBefore) failures.Add($"The server had exited by itself (code {first.ExitCode}) before the kill. Its log ends:\n{first.LogTail(20)}");
        // After the kill every request fails at once; a worker still waiting after this long is stuck, not busy.
        stopLoad.CancelAfter(TimeSpan.FromSeconds(30));
        try
        {
            await running;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            failures.Add("A request neither got an answer nor failed within 30 s of the kill.");
        }
        if (load.ProblemCount > 0)
            failures.Add($"{load.ProblemCount} requests before the kill were refused or unanswered: {string.Join("; ", load.Problems)}");

        var contacts = load.Contacts.ToList();
        var writes = WriteTally.Zero;
        var drain = TimeSpan.Zero;
        try
        {
            await using var second = await StartAsync(settings, database, Path.Combine(directory, "after-restart.log"), options, cancellationToken);
            drain = await DrainAsync(mail, receiver, contacts, tags, database, turn, failures, cancellationToken);
            writes = await ContactCheck.RunAsync(second.BaseAddress, credentials, contacts, tags, failures, cancellationToken);
            await second.DisposeAsync();
            if (second.ExitCode != 0) failures.Add($"The restarted server did not stop cleanly on SIGTERM (exit code {second.ExitCode}). Its log ends:\n{second.LogTail(20)}");
        }
        catch (Exception e) when (e is BenchException or HttpRequestException)
        {
            failures.Add($"After the kill: {e.Message}");
        }

        var emails = DeliveryTally.Of("emails", "Message-ID", contacts, tags.Start,
            mail.Recipients.ToDictionary(r => r, mail.MessageIds, StringComparer.OrdinalIgnoreCase), 0, failures);
        var calls = receiver.Calls.ToList();
        var webhooks = DeliveryTally.Of("webhook calls", "webhook-id", contacts, tags.Trigger,
            calls.GroupBy(c => Deliveries.Email(c.Body) ?? "(no email in the body)", StringComparer.OrdinalIgnoreCase)
                .ToDictionary(g => g.Key, g => (IReadOnlyCollection<string>)[.. g.Select(c => c.Id ?? "")], StringComparer.OrdinalIgnoreCase),
            calls.Count(c => !WebhookReceiver.Verifies(c, setup.WebhookSecret)), failures);
        var integrity = CrashDatabase.IntegrityCheck(database);
        if (integrity != "ok") failures.Add($"PRAGMA integrity_check: {integrity}");

        // Not failures in themselves, but what the restarted server found worth a warning belongs beside the counts.
        var restartLog = Path.Combine(directory, "after-restart.log");
        var logProblems = File.Exists(restartLog) ? ServerLog.Read(restartLog).Problems : [];
        if (failures.Count == 0) Directory.Delete(directory, recursive: true);
        return new TrialResult(number, seed, directory, killAfter, killed && !exitedBefore && inFlight > 0, inFlight, writes, emails, webhooks,
            integrity == "ok", drain, Stopwatch.GetElapsedTime(started), failures, logProblems);
    }

    private static async Task<TagflowServer> StartAsync(CrashSettings settings, string database, string log, string[] options, CancellationToken cancellationToken)
    {
        var server = await TagflowServer.StartAsync(settings.ServerPath, database, log, options, cancellationToken);
        // For bench/crash to stop it, should this process be killed.
        await File.WriteAllTextAsync(Path.Combine(Path.GetDirectoryName(database)!, "server.pid"), server.Pid.ToString(CultureInfo.InvariantCulture), cancellationToken);
        return server;
    }

    /// <summary>The opt-in process, campaign and webhook as the automation benchmark makes them, and two tags with no automation for churn.</summary>
    private static async Task<(AutomationBench.Setup, CrashTags)> SetUpAsync(TagflowServer server, Credentials credentials, string receiverUrl, CancellationToken cancellationToken)
    {
        using var load = new Load(server, credentials, 1);
        var setup = await AutomationBench.SetUpAsync(load, receiverUrl, cancellationToken);
        var churn = new long[2];
        for (var i = 0; i < churn.Length; i++)
            churn[i] = await AutomationBench.PostAsync(load, "/tag", new { name = $"Crash churn {i + 1}" }, d => d.RootElement[0].GetInt64(), cancellationToken);
        return (setup, new CrashTags(setup.StartTag, setup.TriggerTag, churn));
    }

    /// <summary>
    /// Until every email and webhook call the answered tag calls promised has arrived and the server
    /// owes nothing more (so that repeats are in too), or until nothing moved for
    /// <see cref="CrashSettings.QuietPeriod"/>. Once the server is idle, the next trial's load may run.
    /// </summary>
    private static async Task<TimeSpan> DrainAsync(MailLog mail, WebhookReceiver receiver, List<ContactHistory> contacts, CrashTags tags, string database,
        IDisposable turn, List<string> failures, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var emailsDue = contacts.Where(c => c.TagAnswered(tags.Start)).Select(c => c.Email).ToList();
        var callsDue = contacts.Where(c => c.TagAnswered(tags.Trigger)).Select(c => c.Email).ToList();
        var moved = started;
        var last = (Arrived: -1, Owed: (Owed?)null);
        while (true)
        {
            await Task.Delay(CrashSettings.DrainPoll, cancellationToken);
            var now = (Arrived: mail.Count + receiver.Count, Owed: CrashDatabase.Owed(database) ?? last.Owed);
            if (now != last) (last, moved) = (now, Stopwatch.GetTimestamp());
            var called = receiver.Calls.Select(c => Deliveries.Email(c.Body)).ToHashSet(StringComparer.OrdinalIgnoreCase);
            if (now.Owed is { Nothing: true } && emailsDue.All(e => mail.MessageIds(e).Count > 0) && callsDue.All(called.Contains)) break;
            if (Stopwatch.GetElapsedTime(moved) > CrashSettings.IdleHandOver) turn.Dispose();
            if (Stopwatch.GetElapsedTime(moved) > CrashSettings.QuietPeriod)
            {
                failures.Add($"Nothing arrived and the queues did not move for {CrashSettings.QuietPeriod.TotalSeconds:0} s after the restart; the server still owes {now.Owed}.");
                break;
            }
        }
        return Stopwatch.GetElapsedTime(started);
    }
}
