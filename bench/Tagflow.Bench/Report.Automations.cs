using System.Text;

namespace Tagflow.Bench;

internal static partial class Report
{
    /// <summary>The campaign and webhook rows (issue 6, "Speed": measured, not asserted; only losses and repeats fail).</summary>
    private static void AutomationRows(StringBuilder text, Results r, AutomationResults x)
    {
        var s = r.Settings;
        string Ratio(double perSecond) => $"{perSecond / r.Baseline.UpsertsPerSecond:0.00}";
        void Row(string figure, string measured, string target, string result, string ratio) => AppendRow(text, figure, measured, target, result, ratio);

        var k = x.Creates;
        Row($"automations, on a fresh database: {k.Completed + 1:N0} contacts created through a single opt-in process, {s.Clients} clients",
            $"{k.PerSecond:N0} requests/s, p99 {k.Latency.P99Ms:0.0} ms, {k.Errors:N0} errors", "", "", Ratio(k.PerSecond));

        var c = x.Campaign;
        var t = c.Tagging;
        Row($"campaign: the tag calls that start it for {c.Contacts:N0} contacts, {s.Clients} clients",
            $"{t.PerSecond:N0} requests/s for {t.Elapsed.TotalSeconds:0.0} s, p50 / p99 {t.Latency.P50Ms:0.0} / {t.Latency.P99Ms:0.0} ms, {t.Errors:N0} errors",
            "", "", Ratio(t.PerSecond));
        Row($"campaign: from the first tag call until all {c.Contacts:N0} emails ({c.EmailBytes / 1e3:0.0} KB each) reached the SMTP server",
            $"{c.ToLastEmail.TotalSeconds:0.0} s = {c.EmailsPerSecond:N0} emails/s ({c.ReceivedWhenTagged:N0} there when the last tag call was answered)",
            "", "", Ratio(c.EmailsPerSecond));
        Row("campaign: one contact's tag call → its email at the SMTP server, p50 / p99 (max)",
            $"{c.TagToEmail.P50Ms:N0} ms / {c.TagToEmail.P99Ms:N0} ms ({c.TagToEmail.MaxMs:N0} ms)", "", "", "");
        Row("campaign emails missing / repeated", $"{c.Missing:N0} / {c.Repeats:N0} of {c.Contacts:N0}", "0 / 0", Verdict(c.Missing == 0 && c.Repeats == 0), "");

        var p = x.Paced;
        // The paced run asks for a rate; a machine too busy to keep it shows here as a lower one.
        Row($"webhook: event-to-first-delivery latency, tag call → signed call at the receiver, {p.Contacts:N0} contacts at {p.Rate} tag calls/s, p50 / p99 (max)",
            $"{p.Latency.P50Ms:0.0} ms / {p.Latency.P99Ms:0.0} ms ({p.Latency.MaxMs:0} ms) at {p.Tagging.PerSecond:N0} calls/s", "", "", "");
        var b = x.Burst;
        Row($"webhook: the same for a burst of {b.Contacts:N0} tag calls from {s.Clients} clients, p50 / p99 (max); all delivered",
            $"{b.Latency.P50Ms:N0} ms / {b.Latency.P99Ms:N0} ms ({b.Latency.MaxMs:N0} ms); {b.ToLastCall.TotalSeconds:0.0} s = {b.CallsPerSecond:N0} calls/s",
            "", "", Ratio(b.CallsPerSecond));
        int missing = p.Missing + b.Missing, repeats = p.Repeats + b.Repeats, unverified = p.Unverified + b.Unverified;
        Row("webhook calls missing / repeated / signature not valid",
            $"{missing:N0} / {repeats:N0} / {unverified:N0} of {p.Contacts + b.Contacts:N0}", "0 / 0 / 0", Verdict(missing == 0 && repeats == 0 && unverified == 0), "");
        Row("server peak memory (VmHWM) over the automation runs", Benchmark.Mb(x.ServerPeak), "", "", "");

        var l = x.Limited;
        var lc = l.Campaign;
        Row($"campaign at a sending limit (`--smtp-rate {l.Rate}/s --smtp-connections {l.Connections}`, the same server restarted): from the first tag call until all {lc.Contacts:N0} emails reached the SMTP server",
            $"{lc.ToLastEmail.TotalSeconds:0.0} s = {lc.EmailsPerSecond:N0} emails/s; tag calls {lc.Tagging.PerSecond:N0}/s, p99 {lc.Tagging.Latency.P99Ms:0.0} ms, {lc.Tagging.Errors:N0} errors",
            "", "", "");
        Row("… the most emails at the SMTP server within any one second", $"{l.MostInOneSecond:N0}", $"≤ {l.Rate}", Verdict(l.MostInOneSecond <= l.Rate), "");
        Row("… emails missing / repeated", $"{lc.Missing:N0} / {lc.Repeats:N0} of {lc.Contacts:N0}", "0 / 0", Verdict(lc.Missing == 0 && lc.Repeats == 0), "");
    }
}
