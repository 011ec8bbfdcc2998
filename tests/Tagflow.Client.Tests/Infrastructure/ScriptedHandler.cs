using System.Net;
using System.Text;

namespace Tagflow.Client.Tests.Infrastructure;

/// <summary>
/// A stand-in for the server where a test needs answers a real server will not give on demand (5xx, 429,
/// dropped connections) or endpoints the server does not have yet. Answers are scripted in order; every
/// request is recorded with its body.
/// </summary>
public sealed class ScriptedHandler : HttpMessageHandler
{
    private readonly Queue<Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>>> _script = new();
    private readonly List<RecordedRequest> _requests = [];
    private readonly Lock _lock = new();

    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_lock) return [.. _requests];
        }
    }

    /// <summary>Whether whoever owns this handler has disposed it.</summary>
    public bool Disposed { get; private set; }

    /// <summary>Answers with this status and JSON body (and headers) once.</summary>
    public ScriptedHandler Then(HttpStatusCode status, string json = "[true]", params (string Name, string Value)[] headers) => Then(_ =>
    {
        var response = new HttpResponseMessage(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        foreach (var (name, value) in headers) response.Headers.TryAddWithoutValidation(name, value);
        return response;
    });

    /// <summary>Answers 200 with a body that arrives as the test writes it to <paramref name="body"/>, once.</summary>
    public ScriptedHandler ThenStream(Stream body) => Then(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(body) });

    /// <summary>Answers 200 with this JSON body once.</summary>
    public ScriptedHandler ThenOk(string json = "[true]") => Then(HttpStatusCode.OK, json);

    /// <summary>Fails the attempt with this exception once (a dropped or refused connection).</summary>
    public ScriptedHandler ThenThrow(Exception exception) => Then(_ => throw exception);

    /// <summary>Answers with whatever the function makes once.</summary>
    public ScriptedHandler Then(Func<HttpRequestMessage, HttpResponseMessage> answer) => ThenAsync((request, _) => Task.FromResult(answer(request)));

    /// <summary>Answers with whatever the function makes once, in its own time (it sees the attempt's cancellation).</summary>
    public ScriptedHandler ThenAsync(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> answer)
    {
        lock (_lock) _script.Enqueue(answer);
        return this;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> next;
        lock (_lock)
        {
            _requests.Add(new RecordedRequest(request.Method, request.RequestUri!, request.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value)), body));
            if (!_script.TryDequeue(out next!))
                throw new InvalidOperationException($"The script has no answer for request {_requests.Count}: {request.Method} {request.RequestUri}");
        }
        var response = await next(request, cancellationToken);
        response.RequestMessage = request;
        return response;
    }

    protected override void Dispose(bool disposing)
    {
        Disposed = true;
        base.Dispose(disposing);
    }

    /// <summary>A client with tiny retry delays sending through this handler.</summary>
    public KlickTippClient Client(KlickTippCredentials? credentials = null, Action<KlickTippClientOptions>? adjust = null, bool disposeHandler = true)
    {
        var options = new KlickTippClientOptions
        {
            BaseAddress = new Uri("https://api.example.test"),
            Credentials = credentials ?? KlickTippCredentials.Partner("anna", "00112233445566778899aabbccddeeff", "customer-key"),
            TimeZone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin"),
            RetryDelay = TimeSpan.FromMilliseconds(1),
            MaxRetryDelay = TimeSpan.FromMilliseconds(10),
        };
        adjust?.Invoke(options);
        return new KlickTippClient(options, this, disposeHandler);
    }
}

public sealed record RecordedRequest(HttpMethod Method, Uri Uri, IReadOnlyDictionary<string, string> Headers, string? Body)
{
    public string PathAndQuery => Uri.PathAndQuery;
}
