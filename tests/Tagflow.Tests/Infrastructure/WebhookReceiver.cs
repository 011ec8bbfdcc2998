using System.Collections.Concurrent;
using System.Net;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Tagflow.Tests.Infrastructure;

/// <summary>One request as the receiver got it: the raw body, so a signature can be checked over exactly what came.</summary>
public sealed record ReceivedRequest(string Method, string PathAndQuery, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public string Header(string name) => Headers.TryGetValue(name, out var value) ? value : "";
}

/// <summary>
/// A real HTTP server in the test process (Kestrel), on a loopback port (or on every address of
/// this machine, for a test that shows one is not called): it records every request it gets and
/// answers with the status the test sets (200 unless told otherwise). It can be stopped (the
/// receiver is down: connections are refused) and started again on the same port.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly IPAddress _on;
    private readonly Channel<ReceivedRequest> _received = Channel.CreateUnbounded<ReceivedRequest>();
    private readonly ConcurrentQueue<Answer> _next = new();
    private volatile Answer _answer = new(200, null, null);
    private WebApplication? _app;

    private WebhookReceiver(IPAddress on) => _on = on;

    private sealed record Answer(int Status, string? Location, string? Body);

    public int Port { get; private set; }

    /// <summary>This receiver's URL for <paramref name="pathAndQuery"/>.</summary>
    public string Url(string pathAndQuery = "/") => $"http://127.0.0.1:{Port}{pathAndQuery}";

    /// <summary>Starts a receiver listening on <paramref name="on"/>: loopback unless told otherwise.</summary>
    public static async Task<WebhookReceiver> StartAsync(IPAddress? on = null)
    {
        var receiver = new WebhookReceiver(on ?? IPAddress.Loopback);
        await receiver.ListenAsync(0);
        return receiver;
    }

    /// <summary>Answers every request from now on with <paramref name="status"/> (and a Location header, for a redirect; and a text body, if given).</summary>
    public void AnswerFromNow(int status, string? location = null, string? body = null) => _answer = new(status, location, body);

    /// <summary>Answers the next request with <paramref name="status"/>; later ones as before.</summary>
    public void AnswerNext(int status, string? location = null) => _next.Enqueue(new(status, location, null));

    /// <summary>The next request received, waiting up to 10 s for it.</summary>
    public async Task<ReceivedRequest> ReceiveAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            return await _received.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException("The webhook receiver got no request within 10 s.");
        }
    }

    /// <summary>True if no request has arrived that the test has not taken yet.</summary>
    public bool NothingReceived => !_received.Reader.TryPeek(out _);

    /// <summary>Stops listening: calls to the port are refused until <see cref="RestartAsync"/>.</summary>
    public async Task StopAsync()
    {
        if (_app is null) return;
        await _app.StopAsync();
        await _app.DisposeAsync();
        _app = null;
    }

    /// <summary>Listens again on the same port, keeping what was received.</summary>
    public Task RestartAsync() => ListenAsync(Port);

    private async Task ListenAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(_on, port));
        var app = builder.Build();
        app.Run(RecordAsync);
        await app.StartAsync();
        Port = new Uri(app.Urls.First()).Port;
        _app = app;
    }

    private async Task RecordAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var answer = _next.TryDequeue(out var next) ? next : _answer;
        context.Response.StatusCode = answer.Status;
        if (answer.Location is not null) context.Response.Headers.Location = answer.Location;
        // Recorded before the answer goes out, so that a test that saw the request can rely on its attempt following.
        await _received.Writer.WriteAsync(new ReceivedRequest(context.Request.Method, context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget, headers, body));
        if (answer.Body is not null) await context.Response.WriteAsync(answer.Body, context.RequestAborted);
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
