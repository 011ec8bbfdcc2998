using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Tagflow.Bench;

/// <summary>One webhook call as it arrived: when (<see cref="Stopwatch"/> ticks, and the clock's time), its Standard Webhooks headers and its body.</summary>
internal sealed record WebhookCall(long At, DateTimeOffset Received, string? Id, string? Timestamp, string? Signature, string Body);

/// <summary>
/// The receiver the webhook points at, in the benchmark's process: Kestrel on a free loopback port,
/// built from the empty builder (no configuration files, no file watcher, no logging), answering
/// every call 200 at once. It notes each call's arrival and keeps its headers and body, so that
/// the signatures are checked after the measurement rather than during it.
/// </summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<WebhookCall> _calls = new();

    private WebhookReceiver(WebApplication app) => _app = app;

    /// <summary>The URL for <c>POST /webhook</c>.</summary>
    public string Url { get; private set; } = "";

    /// <summary>Calls received so far, repeats included.</summary>
    public int Count => _calls.Count;

    public IReadOnlyCollection<WebhookCall> Calls => _calls;

    public static async Task<WebhookReceiver> StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var receiver = new WebhookReceiver(builder.Build());
        receiver._app.Run(receiver.ReceiveAsync);
        await receiver._app.StartAsync(cancellationToken);
        receiver.Url = receiver._app.Urls.Single().TrimEnd('/') + "/hook";
        return receiver;
    }

    private async Task ReceiveAsync(HttpContext context)
    {
        var at = Stopwatch.GetTimestamp();
        var headers = context.Request.Headers;
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        _calls.Enqueue(new WebhookCall(at, DateTimeOffset.UtcNow, headers["webhook-id"], headers["webhook-timestamp"], headers["webhook-signature"], body));
        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    /// <summary>
    /// Whether <paramref name="call"/> carries a valid Standard Webhooks signature under
    /// <paramref name="secret"/> (<c>whsec_</c> and base64): one of the space-separated <c>v1,</c>
    /// signatures must be HMAC-SHA256 over <c>id.timestamp.body</c>, and the timestamp within five
    /// minutes of the call's arrival, as a receiver checks it.
    /// </summary>
    public static bool Verifies(WebhookCall call, string secret)
    {
        if (call.Id is null || call.Signature is null || !long.TryParse(call.Timestamp, CultureInfo.InvariantCulture, out var timestamp)) return false;
        if (Math.Abs(call.Received.ToUnixTimeSeconds() - timestamp) > 300) return false;
        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        var expected = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{call.Id}.{call.Timestamp}.{call.Body}"));
        foreach (var signature in call.Signature.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!signature.StartsWith("v1,", StringComparison.Ordinal)) continue;
            var given = new byte[32];
            if (Convert.TryFromBase64String(signature[3..], given, out var length) && length == 32
                && CryptographicOperations.FixedTimeEquals(given, expected)) return true;
        }
        return false;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
