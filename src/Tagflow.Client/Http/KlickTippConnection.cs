using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Polly.Timeout;

namespace Tagflow.Client.Http;

/// <summary>
/// Sends wire calls: builds the request, authenticates it, logs in again once when a session was refused,
/// and turns every failure into a <see cref="KlickTippException"/>. Retries happen below, in the handler pipeline.
/// </summary>
internal sealed class KlickTippConnection
{
    private static readonly ProductInfoHeaderValue UserAgent = new("Tagflow.Client", typeof(KlickTippConnection).Assembly.GetName().Version?.ToString(3) ?? "1.0.0");
    // Bodies go over HTTP, never into HTML: non-ASCII text and '+' travel as they are, not as \u escapes.
    private static readonly JsonSerializerOptions BodyJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly TimeZoneInfo DefaultTimeZone = FindTimeZone("Europe/Berlin") ?? TimeZoneInfo.Utc;

    private readonly Func<HttpClient> _httpClient;
    private readonly Authenticator? _authenticator;
    private readonly SemaphoreSlim _timeZoneGate = new(1, 1);
    private volatile TimeZoneInfo? _timeZone;

    public KlickTippConnection(Func<HttpClient> httpClient, KlickTippClientOptions options)
    {
        _httpClient = httpClient;
        Options = options;
        _timeZone = options.TimeZone;
        _authenticator = options.Credentials?.CreateAuthenticator(this);
    }

    public KlickTippClientOptions Options { get; }

    public bool HasCredentials => _authenticator is not null;

    /// <summary>Sends the call and answers the parsed JSON body.</summary>
    public async Task<JsonElement> SendAsync(ApiCall call, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(call, HttpCompletionOption.ResponseContentRead, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw KlickTippException.UnexpectedAnswer($"{call.Method} /{call.Path} answered {(int)response.StatusCode} with a body that is not JSON: {Excerpt(text)}", e);
        }
    }

    /// <summary>Sends the call and answers the successful response, its body unread when <paramref name="completion"/> says so.</summary>
    public async Task<HttpResponseMessage> SendAsync(ApiCall call, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        var renewed = false;
        while (true)
        {
            var credential = call.Authenticated ? await Authenticator.GetAsync(cancellationToken) : null;
            using var request = Build(call, credential);
            var response = await SendOnceAsync(request, completion, cancellationToken);
            if (response.IsSuccessStatusCode) return response;
            if (!renewed && credential is { Renewable: true } && response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                response.Dispose();
                await Authenticator.RenewAsync(credential, cancellationToken);
                renewed = true;
                continue;
            }
            using (response)
            {
                // The caller gave up while the failure came back: that is a cancellation, not an error to handle.
                cancellationToken.ThrowIfCancellationRequested();
                throw await ToExceptionAsync(response, cancellationToken);
            }
        }
    }

    /// <summary>After a logout the session is gone; the next call logs in again.</summary>
    public void ForgetSession() => _authenticator?.Forget();

    /// <summary>False only for session credentials that have not logged in (or have logged out): there is nothing to end.</summary>
    public bool HasSession => _authenticator?.HasSession ?? false;

    /// <summary>The account's time zone, for contact timestamps: the option, else what the server says, else Europe/Berlin.</summary>
    public async ValueTask<TimeZoneInfo> TimeZoneAsync(CancellationToken cancellationToken)
    {
        if (_timeZone is { } known) return known;
        // A session login names the account's time zone (on Tagflow): log in first and save a call.
        if (_authenticator is not null) await _authenticator.GetAsync(cancellationToken);
        if (_timeZone is { } fromLogin) return fromLogin;
        // One lookup for all the calls that start together, not one each.
        await _timeZoneGate.WaitAsync(cancellationToken);
        try
        {
            if (_timeZone is { } learned) return learned;
            var account = await SendAsync(new ApiCall(HttpMethod.Get, "account"), cancellationToken);
            LearnTimeZone(Json.Text(account, "timezone"));
            return _timeZone ??= DefaultTimeZone;
        }
        finally
        {
            _timeZoneGate.Release();
        }
    }

    public void LearnTimeZone(string id)
    {
        if (Options.TimeZone is null && id.Length > 0 && FindTimeZone(id) is { } zone) _timeZone = zone;
    }

    private Authenticator Authenticator => _authenticator ?? throw new InvalidOperationException(
        "This call needs credentials: set KlickTippClientOptions.Credentials to KlickTippCredentials.Session(…) or KlickTippCredentials.Partner(…).");

    private HttpRequestMessage Build(ApiCall call, Credential? credential)
    {
        var request = new HttpRequestMessage(call.Method, new Uri(Options.BaseAddress, call.Path));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.UserAgent.Add(UserAgent);
        if (credential is not null)
        {
            foreach (var (name, value) in credential.Headers)
                request.Headers.TryAddWithoutValidation(name, value);
        }
        if (call.Body is not null)
            request.Content = new StringContent(call.Body.ToJsonString(BodyJson), Encoding.UTF8, "application/json");
        // One key per write, kept by every retry of it: a server that honours keys (Tagflow) answers a
        // repeat with the first answer instead of doing the write twice; others ignore the header.
        if (call.Method != HttpMethod.Get && call.Method != HttpMethod.Head)
            request.Headers.TryAddWithoutValidation("Idempotency-Key", Guid.NewGuid().ToString());
        Retries.Mark(request, call.Repeat);
        return request;
    }

    private async Task<HttpResponseMessage> SendOnceAsync(HttpRequestMessage request, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        try
        {
            return await _httpClient().SendAsync(request, completion, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutRejectedException or OperationCanceledException)
        {
            throw KlickTippException.Unreachable(request.RequestUri, e);
        }
    }

    private async Task<KlickTippException> ToExceptionAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        var messages = new List<string>();
        RefusalDetails? refusal = null;
        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Array)
                messages.AddRange(root.EnumerateArray().Select(Json.Text).Where(m => m.Length > 0));
            else if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var error) && int.TryParse(Json.Text(error), out var number))
                refusal = new RefusalDetails(number, OptionalInt(root, "code"), Optional(root, "field"), Optional(root, "name"), Optional(root, "field_value"), Optional(root, "reason"));
            else if (root.ValueKind == JsonValueKind.String)
                messages.Add(root.GetString()!);
        }
        catch (JsonException)
        {
            if (text.Trim().Length > 0) messages.Add(Excerpt(text.Trim()));
        }
        return KlickTippException.FromAnswer(response.StatusCode, messages, refusal, Retries.RetryAfter(response, Options.TimeProvider));

        static string? Optional(JsonElement root, string name) => root.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? Json.Text(v) : null;
        static int? OptionalInt(JsonElement root, string name) => int.TryParse(Optional(root, name), out var n) ? n : null;
    }

    private static string Excerpt(string text) => text.Length <= 200 ? text : text[..200] + "…";

    private static TimeZoneInfo? FindTimeZone(string id) => TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : null;
}
