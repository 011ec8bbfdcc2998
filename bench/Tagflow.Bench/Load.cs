using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Tagflow.Bench;

/// <summary>
/// One request a worker sends; <paramref name="OnOk"/> runs when it is answered 200. A
/// <paramref name="Keyed"/> call carries an <c>Idempotency-Key</c> of its own, as Tagflow.Client's writes do.
/// </summary>
internal sealed record Call(HttpMethod Method, string Path, string? Json, Action? OnOk = null, bool Keyed = false);

/// <summary>A phase's figures; CPU shares are in % of one core, measured over the window.</summary>
internal sealed record PhaseResult(string Name, int Completed, int Errors, TimeSpan Elapsed, Latency Latency,
    IReadOnlyList<string> FirstErrors, CpuUse Cpu, DateTime StartedUtc, DateTime EndedUtc)
{
    /// <summary>How long the workload ran unmeasured before, until its rate settled.</summary>
    public TimeSpan WarmUp { get; init; }

    public double PerSecond => Completed / Elapsed.TotalSeconds;
}

/// <summary>
/// Closed-loop load: each worker owns one keep-alive connection and sends its next request as soon
/// as the last is answered. Throughput counts the answers that arrive in the measured window.
/// </summary>
internal sealed class Load : IDisposable
{
    private static readonly MediaTypeHeaderValue JsonType = new("application/json") { CharSet = "utf-8" };
    private static readonly TimeSpan WarmUpSlice = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan MinWarmUp = TimeSpan.FromSeconds(6);
    private static readonly TimeSpan MaxWarmUp = TimeSpan.FromSeconds(60);
    private readonly HttpClient[] _clients;
    private readonly TagflowServer _server;

    public Load(TagflowServer server, Credentials credentials, int clients)
    {
        _server = server;
        _clients = [.. Enumerable.Range(0, clients).Select(_ => Client(server.BaseAddress, credentials))];
    }

    public int Clients => _clients.Length;

    /// <summary>One request, for the checks before a phase: the status and the body.</summary>
    public async Task<(HttpStatusCode Status, string Body)> SendAsync(Call call, CancellationToken cancellationToken)
    {
        using var request = Request(call);
        using var response = await _clients[0].SendAsync(request, cancellationToken);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
    }

    /// <summary>
    /// Sends <paramref name="next"/>'s calls unmeasured until the server is warm: until two rates of
    /// <see cref="WarmUpSlice"/> in a row agree within 10 %. The JIT's tiering alone takes several
    /// seconds, and far longer when something else competes for the cores.
    /// </summary>
    public async Task<TimeSpan> WarmUpAsync(Func<int, Call?> next, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var last = double.NaN;
        while (Stopwatch.GetElapsedTime(started) < MaxWarmUp)
        {
            var rate = (await RunAsync("warm-up", next, WarmUpSlice, cancellationToken)).PerSecond;
            if (Math.Abs(rate - last) <= last * 0.1 && Stopwatch.GetElapsedTime(started) >= MinWarmUp) break;
            last = rate;
        }
        return Stopwatch.GetElapsedTime(started);
    }

    /// <summary>Warms the server up with <paramref name="next"/>'s calls (<see cref="WarmUpAsync"/>), then measures them for <paramref name="measured"/>.</summary>
    public async Task<PhaseResult> RunWarmAsync(string name, Func<int, Call?> next, TimeSpan measured, CancellationToken cancellationToken)
    {
        var warmUp = await WarmUpAsync(next, cancellationToken);
        return await RunAsync(name, next, measured, cancellationToken) with { WarmUp = warmUp };
    }

    /// <summary>
    /// Runs <paramref name="next"/>'s calls on every worker until <paramref name="limit"/> has passed,
    /// or until it returns null on every worker.
    /// </summary>
    public Task<PhaseResult> RunAsync(string name, Func<int, Call?> next, TimeSpan limit, CancellationToken cancellationToken) =>
        RunAsync(name, next, limit, null, cancellationToken);

    /// <summary>
    /// Like <see cref="RunAsync(string, Func{int, Call?}, TimeSpan, CancellationToken)"/>, but open-loop: the
    /// k-th call goes out k / <paramref name="perSecond"/> seconds after the start, on whichever worker
    /// is free, so the server sees a steady rate rather than as many calls as it can answer.
    /// </summary>
    public Task<PhaseResult> RunPacedAsync(string name, Func<int, Call?> next, double perSecond, TimeSpan limit, CancellationToken cancellationToken) =>
        RunAsync(name, next, limit, perSecond, cancellationToken);

    private async Task<PhaseResult> RunAsync(string name, Func<int, Call?> next, TimeSpan limit, double? perSecond, CancellationToken cancellationToken)
    {
        var cpu = CpuMeter.Start(_server);
        var startedUtc = DateTime.UtcNow;
        var started = Stopwatch.GetTimestamp();
        var stopAt = started + Ticks(limit);
        var pace = perSecond is { } rate ? new Pace(started, rate) : null;
        var outcomes = await Task.WhenAll(Enumerable.Range(0, Clients)
            .Select(w => Task.Run(() => WorkAsync(w, next, stopAt, pace, cancellationToken), cancellationToken)));
        // Out of calls, the phase ends with its last answer; or now, if it had none (a fill with nothing left to create).
        var lastAnswer = outcomes.Max(o => o.LastAnswer);
        var end = !outcomes.All(o => o.RanOut) ? stopAt : lastAnswer > 0 ? lastAnswer : Stopwatch.GetTimestamp();
        var elapsed = TimeSpan.FromSeconds((double)(end - started) / Stopwatch.Frequency);

        var latencies = Latency.OfTicks(outcomes.SelectMany(o => o.Latencies));
        return new PhaseResult(name, latencies.Count, outcomes.Sum(o => o.Errors), elapsed, latencies,
            [.. outcomes.SelectMany(o => o.FirstErrors).Take(5)], cpu.Stop(name, elapsed), startedUtc, startedUtc + elapsed);
    }

    private sealed record Outcome(List<long> Latencies, int Errors, List<string> FirstErrors, bool RanOut, long LastAnswer);

    /// <summary>Hands out the times of an open-loop run's calls, one after another.</summary>
    private sealed class Pace(long started, double perSecond)
    {
        private long _calls = -1;

        public async Task WaitTurnAsync(CancellationToken cancellationToken)
        {
            var due = started + (long)(Interlocked.Increment(ref _calls) * Stopwatch.Frequency / perSecond);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.Zero) await Task.Delay(wait, cancellationToken);
        }
    }

    private async Task<Outcome> WorkAsync(int worker, Func<int, Call?> next, long stopAt, Pace? pace, CancellationToken cancellationToken)
    {
        var client = _clients[worker];
        var latencies = new List<long>(16_384);
        var errors = 0;
        var firstErrors = new List<string>();
        long lastAnswer = 0;
        while (Stopwatch.GetTimestamp() < stopAt)
        {
            if (pace is not null) await pace.WaitTurnAsync(cancellationToken);
            if (next(worker) is not { } call) return new(latencies, errors, firstErrors, true, lastAnswer);
            var start = Stopwatch.GetTimestamp();
            string? error;
            try
            {
                using var request = Request(call);
                using var response = await client.SendAsync(request, cancellationToken);
                var body = await response.Content.ReadAsStringAsync(cancellationToken);
                error = response.StatusCode == HttpStatusCode.OK ? null : $"{call.Method} {call.Path} → {(int)response.StatusCode} {Shorten(body)}";
            }
            catch (HttpRequestException e)
            {
                if (_server.HasExited) throw new BenchException($"The server exited during {call.Method} {call.Path}. Its log ends:\n{_server.LogTail(20)}");
                error = $"{call.Method} {call.Path} → {e.Message}";
                await Task.Delay(100, cancellationToken);
            }
            var end = Stopwatch.GetTimestamp();
            if (error is null) call.OnOk?.Invoke();
            if (end > stopAt) continue;
            lastAnswer = end;
            latencies.Add(end - start);
            if (error is null) continue;
            errors++;
            if (firstErrors.Count < 5) firstErrors.Add(error);
        }
        return new(latencies, errors, firstErrors, false, lastAnswer);
    }

    public static HttpRequestMessage Request(Call call)
    {
        var request = new HttpRequestMessage(call.Method, call.Path)
        {
            Content = call.Json is null ? null : new ByteArrayContent(Encoding.UTF8.GetBytes(call.Json)) { Headers = { ContentType = JsonType } },
        };
        if (call.Keyed) request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        return request;
    }

    /// <summary>A worker's client: one keep-alive connection, authenticated with X-Un and X-Ci.</summary>
    public static HttpClient Client(Uri baseAddress, Credentials credentials)
    {
        // One connection per worker, kept alive for the whole run.
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = 1,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10),
            UseProxy = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
        };
        var client = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Add("X-Un", credentials.Username);
        client.DefaultRequestHeaders.Add("X-Ci", credentials.XCi);
        return client;
    }

    private static long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);

    public static string Shorten(string body) => body.Length <= 300 ? body : body[..300] + "…";

    public void Dispose()
    {
        foreach (var client in _clients) client.Dispose();
    }
}
