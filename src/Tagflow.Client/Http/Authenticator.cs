using System.Text.Json.Nodes;

namespace Tagflow.Client.Http;

/// <summary>The headers that authenticate one request; <paramref name="Renewable"/> when a new login may fix a refusal.</summary>
internal sealed record Credential(IReadOnlyList<KeyValuePair<string, string>> Headers, bool Renewable);

/// <summary>Supplies the credential for each management call and renews it when the server refuses it.</summary>
internal abstract class Authenticator
{
    public abstract ValueTask<Credential> GetAsync(CancellationToken cancellationToken);

    /// <summary>Replaces <paramref name="refused"/>, unless another caller has done so already.</summary>
    public virtual Task RenewAsync(Credential refused, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Drops the credential after a logout; the next call logs in again.</summary>
    public virtual void Forget()
    {
    }

    /// <summary>Whether there is a session that a logout would end; keys that need no login always count as one.</summary>
    public virtual bool HasSession => true;
}

internal sealed class StaticAuthenticator(Credential credential) : Authenticator
{
    public override ValueTask<Credential> GetAsync(CancellationToken cancellationToken) => ValueTask.FromResult(credential);
}

/// <summary>Logs in on first use and again when the session has expired; one login at a time.</summary>
internal sealed class SessionAuthenticator(KlickTippConnection connection, string username, string password) : Authenticator
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile Credential? _current;

    public override async ValueTask<Credential> GetAsync(CancellationToken cancellationToken)
    {
        if (_current is { } current) return current;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            return _current ??= await LoginAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    public override async Task RenewAsync(Credential refused, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            // Concurrent calls refused with the same stale session log in once between them.
            if (_current is null || ReferenceEquals(_current, refused))
                _current = await LoginAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    public override void Forget() => _current = null;

    public override bool HasSession => _current is not null;

    private async Task<Credential> LoginAsync(CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["username"] = username, ["password"] = password };
        var answer = await connection.SendAsync(new ApiCall(HttpMethod.Post, "account/login", body, Authenticated: false), cancellationToken);
        var sessionId = Json.Text(answer, "sessid");
        var sessionName = Json.Text(answer, "session_name");
        if (sessionId.Length == 0 || sessionName.Length == 0)
            throw KlickTippException.UnexpectedAnswer("The login answer has no sessid or session_name.");
        if (answer.TryGetProperty("account", out var account) && account.ValueKind == System.Text.Json.JsonValueKind.Object)
            connection.LearnTimeZone(Json.Text(account, "timezone"));
        // The cookie is what KlickTipp reads; X-Session-Id also reaches servers behind a handler that manages cookies itself.
        return new Credential([new("Cookie", $"{sessionName}={sessionId}"), new("X-Session-Id", sessionId)], Renewable: true);
    }
}
