using System.Diagnostics;
using System.Text.Json;

namespace Tagflow.Bench;

/// <summary>
/// The campaign run: <see cref="Tagging"/> is the tag calls themselves; <see cref="ToLastEmail"/>
/// runs from the first tag call to the last email at the SMTP server.
/// </summary>
internal sealed record CampaignResult(int Contacts, PhaseResult Tagging, TimeSpan ToLastEmail, int Received, int ReceivedWhenTagged,
    int Repeats, long EmailBytes, Latency TagToEmail, CpuUse Cpu)
{
    public int Missing => Contacts - Received;
    public double EmailsPerSecond => Received / ToLastEmail.TotalSeconds;
}

/// <summary>
/// A webhook run, paced (<see cref="Rate"/> tag calls a second) or a burst (null): <see cref="Latency"/>
/// is per contact, from sending its tag call to the receiver getting the first call for it.
/// </summary>
internal sealed record WebhookResult(int Contacts, int? Rate, PhaseResult Tagging, TimeSpan ToLastCall, int Received, int Calls, int Verified,
    Latency Latency, CpuUse Cpu)
{
    public int Missing => Contacts - Received;
    public int Repeats => Calls - Received;
    public int Unverified => Calls - Verified;
    public double CallsPerSecond => Received / ToLastCall.TotalSeconds;
}

/// <summary>Tags contacts, and times what the server delivers for them: campaign emails, webhook calls.</summary>
internal static class Deliveries
{
    /// <summary>How long to go on listening once everything arrived, for repeats that come close behind.</summary>
    private static readonly TimeSpan RepeatGrace = TimeSpan.FromSeconds(1);

    public static async Task<CampaignResult> CampaignAsync(Load load, TagflowServer server, SmtpSink smtp, long startTag, int contacts, CancellationToken cancellationToken,
        string phase = "campaign")
    {
        var sent = new long[contacts];
        var cpu = CpuMeter.Start(server);
        var started = Stopwatch.GetTimestamp();
        var tagging = await load.RunAsync($"{phase}: tag calls", Tagger(sent, 0, startTag), BenchSettings.FillLimit, cancellationToken);
        Benchmark.Print(tagging);
        var whenTagged = smtp.Recipients;
        await WaitAsync("emails", () => smtp.Recipients, contacts, cancellationToken);
        var cpuUse = cpu.Stop($"{phase}: first tag call to last email", Stopwatch.GetElapsedTime(started));
        await Task.Delay(RepeatGrace, cancellationToken);

        var arrivals = new long?[contacts];
        for (var i = 0; i < contacts; i++) arrivals[i] = smtp.FirstArrival(Addresses.OfAutomation(i));
        var (span, received, latency) = Times(sent, arrivals);
        var bytes = smtp.Messages == 0 ? 0 : smtp.Bytes / smtp.Messages;
        return new CampaignResult(contacts, tagging, span, received, whenTagged, smtp.Messages - smtp.Recipients, bytes, latency, cpuUse);
    }

    /// <summary>Tags the contacts <paramref name="first"/> to <paramref name="first"/> + <paramref name="contacts"/> - 1 with the webhook's trigger tag.</summary>
    public static async Task<WebhookResult> WebhookAsync(Load load, TagflowServer server, WebhookReceiver receiver, long triggerTag, string secret,
        int first, int contacts, int? rate, CancellationToken cancellationToken)
    {
        var sent = new long[contacts];
        var before = receiver.Count;
        var name = rate is null ? "webhook: burst" : "webhook: paced";
        var cpu = CpuMeter.Start(server);
        var started = Stopwatch.GetTimestamp();
        var tagger = Tagger(sent, first, triggerTag);
        var tagging = rate is { } perSecond
            ? await load.RunPacedAsync(name, tagger, perSecond, BenchSettings.FillLimit, cancellationToken)
            : await load.RunAsync(name, tagger, BenchSettings.FillLimit, cancellationToken);
        Benchmark.Print(tagging);
        await WaitAsync("webhook calls", () => receiver.Count - before, contacts, cancellationToken);
        var cpuUse = cpu.Stop(name, Stopwatch.GetElapsedTime(started));
        await Task.Delay(RepeatGrace, cancellationToken);

        var index = Enumerable.Range(0, contacts).ToDictionary(i => Addresses.OfAutomation(first + i), StringComparer.OrdinalIgnoreCase);
        var arrivals = new long?[contacts];
        int calls = 0, verified = 0;
        foreach (var call in receiver.Calls)
        {
            if (Email(call.Body) is not { } email || !index.TryGetValue(email, out var i)) continue;
            calls++;
            if (WebhookReceiver.Verifies(call, secret)) verified++;
            if (arrivals[i] is not { } at || call.At < at) arrivals[i] = call.At;
        }
        var (span, received, latency) = Times(sent, arrivals);
        return new WebhookResult(contacts, rate, tagging, span, received, calls, verified, latency, cpuUse);
    }

    /// <summary>
    /// Hands out one tag call per contact, across the workers, and notes when each went out
    /// (<paramref name="sent"/>, <see cref="Stopwatch"/> ticks: the worker sends it right away).
    /// </summary>
    private static Func<int, Call?> Tagger(long[] sent, int first, long tagId)
    {
        var next = -1;
        return _ =>
        {
            var i = Interlocked.Increment(ref next);
            if (i >= sent.Length) return null;
            sent[i] = Stopwatch.GetTimestamp();
            return new Call(HttpMethod.Post, "/subscriber/tag", Workloads.Json(new { email = Addresses.OfAutomation(first + i), tagids = new[] { tagId } }));
        };
    }

    /// <summary>From the first tag call to the last arrival, how many arrived, and each one's time from its tag call.</summary>
    private static (TimeSpan Span, int Received, Latency Latency) Times(long[] sent, long?[] arrivals)
    {
        var arrived = Enumerable.Range(0, sent.Length).Where(i => arrivals[i] is not null).ToList();
        var last = arrived.Count == 0 ? sent.Min() : arrived.Max(i => arrivals[i]!.Value);
        return (Stopwatch.GetElapsedTime(sent.Min(), last), arrived.Count, Latency.OfTicks(arrived.Select(i => arrivals[i]!.Value - sent[i])));
    }

    /// <summary>Until <paramref name="count"/> reaches <paramref name="target"/>, or nothing more arrived for <see cref="BenchSettings.DeliveryStall"/>.</summary>
    private static async Task WaitAsync(string what, Func<int> count, int target, CancellationToken cancellationToken)
    {
        var last = count();
        var progress = Stopwatch.GetTimestamp();
        var report = progress;
        while (last < target)
        {
            await Task.Delay(10, cancellationToken);
            var now = count();
            if (now != last) (last, progress) = (now, Stopwatch.GetTimestamp());
            else if (Stopwatch.GetElapsedTime(progress) > BenchSettings.DeliveryStall)
            {
                Console.WriteLine($"  no more {what} for {BenchSettings.DeliveryStall.TotalSeconds:0} s: {now:N0} of {target:N0} arrived");
                return;
            }
            if (Stopwatch.GetElapsedTime(report) > TimeSpan.FromSeconds(10))
            {
                Console.WriteLine($"  … {now:N0} of {target:N0} {what}");
                report = Stopwatch.GetTimestamp();
            }
        }
    }

    /// <summary>The contact's address in a webhook call's JSON body; null if it has none.</summary>
    public static string? Email(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.TryGetProperty("email", out var email) ? email.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static void Print(CampaignResult c)
    {
        Console.WriteLine($"  {c.Received:N0} of {c.Contacts:N0} emails at the SMTP server {c.ToLastEmail.TotalSeconds:0.00} s after the first tag call = {c.EmailsPerSecond:N0}/s "
            + $"({c.ReceivedWhenTagged:N0} when the last tag call was answered); {c.EmailBytes / 1e3:0.0} KB each; {c.Repeats:N0} repeats; tag → email p50 {c.TagToEmail.P50Ms:0} ms, "
            + $"p99 {c.TagToEmail.P99Ms:0} ms, max {c.TagToEmail.MaxMs:0} ms; CPU: server {c.Cpu.ServerPercent:0}%, load generator {c.Cpu.BenchPercent:0}%, "
            + $"other processes {c.Cpu.OtherPercent:0}%");
    }

    public static void Print(WebhookResult w)
    {
        Console.WriteLine($"  {w.Received:N0} of {w.Contacts:N0} contacts' calls at the receiver {w.ToLastCall.TotalSeconds:0.00} s after the first tag call = {w.CallsPerSecond:N0}/s; "
            + $"tag → call p50 {w.Latency.P50Ms:0.0} ms, p99 {w.Latency.P99Ms:0.0} ms, max {w.Latency.MaxMs:0.0} ms; {w.Repeats:N0} repeats; "
            + $"signatures verified {w.Verified:N0} of {w.Calls:N0}; CPU: server {w.Cpu.ServerPercent:0}%, load generator {w.Cpu.BenchPercent:0}%, "
            + $"other processes {w.Cpu.OtherPercent:0}%");
    }
}
