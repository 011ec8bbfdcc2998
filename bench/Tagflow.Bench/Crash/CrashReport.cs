using System.Text;

namespace Tagflow.Bench.Crash;

/// <summary>A trial's line while the suite runs, and the totals as Markdown at its end.</summary>
internal static class CrashReport
{
    public static string Line(TrialResult r, int trials) =>
        $"trial {r.Number}/{trials} seed {r.Seed}: {(r.KillLanded ? "kill -9" : "KILL DID NOT LAND")} at {r.KillAfter.TotalSeconds:0.00} s with {r.InFlightAtKill} requests in flight; "
        + $"{r.Writes.Checked:N0} answered writes, {r.Writes.Lost} lost, {r.Writes.Unanswered} unanswered; "
        + $"emails {Tally(r.Emails)}; webhook calls {Tally(r.Webhooks)}; integrity {(r.IntegrityOk ? "ok" : "NOT OK")}; "
        + $"drain {r.Drain.TotalSeconds:0.0} s; {r.Elapsed.TotalSeconds:0.0} s{(r.Passed ? "" : " — FAILED")}";

    private static string Tally(DeliveryTally t) =>
        $"{t.Arrived}/{t.Expected}" + (t.RepeatsSameId > 0 ? $" +{t.RepeatsSameId} repeated" : "") + (t.RepeatsOtherId > 0 ? $" +{t.RepeatsOtherId} UNDER ANOTHER ID" : "")
        + (t.Unexpected > 0 ? $" +{t.Unexpected} NEVER TAGGED" : "");

    public static string Markdown(CrashSettings s, Machine m, DateTime startedUtc, TimeSpan wall, IReadOnlyList<TrialResult> results)
    {
        var writes = results.Aggregate(WriteTally.Zero, (sum, r) => sum + r.Writes);
        var emails = results.Aggregate(DeliveryTally.Zero, (sum, r) => sum + r.Emails);
        var webhooks = results.Aggregate(DeliveryTally.Zero, (sum, r) => sum + r.Webhooks);
        var inFlight = results.Select(r => r.InFlightAtKill).DefaultIfEmpty().ToList();
        var drains = results.Select(r => r.Drain.TotalSeconds).Order().ToList();
        var text = new StringBuilder();
        text.AppendLine($"Run {startedUtc:yyyy-MM-dd HH:mm} UTC with `{s.Command}` on revision {s.Revision}: {results.Count} trials, seeds {s.FirstSeed} to {s.FirstSeed + results.Count - 1}, "
            + $"{s.Clients} clients, kill -9 {CrashSettings.KillFrom.TotalSeconds:0.0} to {CrashSettings.KillUntil.TotalSeconds:0.0} s into the load.");
        text.AppendLine($"Machine: {m.Cores} cores ({m.Cpu}), Linux {m.Kernel}, {m.Runtime}; data on {m.FileSystem}.");
        text.AppendLine();
        text.AppendLine("| check | count | must be |");
        text.AppendLine("|---|---:|---:|");
        Row("trials run", $"{results.Count}", "");
        Row("kills landed (SIGKILL ended the server with requests in flight)", $"{results.Count(r => r.KillLanded)}", $"{results.Count}");
        Row("requests in flight at the kill: total (fewest, most in a trial)", $"{inFlight.Sum():N0} ({inFlight.Min()}, {inFlight.Max()})", "");
        Row("answered writes checked: add-or-update / tag / untag", $"{writes.Checked:N0}: {writes.AddOrUpdates:N0} / {writes.Tags:N0} / {writes.Untags:N0}", "");
        Row("answered writes lost", $"{writes.Lost}", "0");
        Row("writes without an answer (in flight at the kill: either outcome is right)", $"{writes.Unanswered:N0}", "");
        Deliveries("campaign emails", "Message-ID", emails);
        Deliveries("webhook calls", "webhook-id", webhooks);
        Row("webhook calls whose signature does not verify", $"{webhooks.Unverified}", "0");
        Row("`PRAGMA integrity_check` not ok", $"{results.Count(r => !r.IntegrityOk)}", "0");
        Row("warnings and errors in the restarted servers' logs (shown with their trials)", $"{results.Sum(r => r.LogProblems.Count)}", "");
        Row("trials failed (any check above, a refused request, a server that did not restart or stop cleanly)", $"{results.Count(r => !r.Passed)}", "0");
        if (drains.Count > 0)
            Row("drain after the restart, until everything arrived and the queues were empty: median (longest)", $"{drains[drains.Count / 2]:0.0} s ({drains[^1]:0.0} s)", "");
        Row("wall time", $"{(int)wall.TotalMinutes} min {wall.Seconds} s", "");
        return text.ToString();

        void Row(string check, string count, string mustBe) => text.AppendLine($"| {check} | {count} | {mustBe} |");

        void Deliveries(string what, string id, DeliveryTally t)
        {
            Row($"{what} expected (their tag call answered 2xx) / arrived", $"{t.Expected:N0} / {t.Arrived:N0}", "equal");
            Row($"{what} repeated with the same {id} (at least once, after a crash)", $"{t.RepeatsSameId:N0}", "");
            Row($"{what} repeated with another {id}", $"{t.RepeatsOtherId}", "0");
            Row($"{what} missing", $"{t.Missing}", "0");
            Row($"{what} for a contact never tagged", $"{t.Unexpected}", "0");
            Row($"contacts with {what} whose tag call had no answer (committed before the kill)", $"{t.FromUnanswered:N0}", "");
        }
    }
}
