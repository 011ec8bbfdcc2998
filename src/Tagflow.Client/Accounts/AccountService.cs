using System.Text.Json;
using Tagflow.Client.Http;

namespace Tagflow.Client;

/// <summary>The authenticated account. <see cref="Values"/> holds every key the server sent.</summary>
/// <param name="Id">The account id (<c>uid</c>).</param>
/// <param name="Username">The username.</param>
/// <param name="Email">The account's email address.</param>
/// <param name="FirstName">The account holder's first name.</param>
/// <param name="LastName">The account holder's last name.</param>
/// <param name="Values">Every key of the account object as text, such as <c>tier</c>, or Tagflow's <c>plan</c> and <c>timezone</c>.</param>
public sealed record Account(long Id, string Username, string Email, string FirstName, string LastName, IReadOnlyDictionary<string, string> Values);

/// <summary>The account (<c>/account</c>).</summary>
public sealed class AccountService
{
    private readonly KlickTippConnection _connection;

    internal AccountService(KlickTippConnection connection) => _connection = connection;

    /// <summary>Reads the authenticated account (<c>GET /account</c>).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<Account> GetAsync(CancellationToken cancellationToken = default)
    {
        var a = await _connection.SendAsync(new ApiCall(HttpMethod.Get, "account"), cancellationToken);
        // Plain values only: a server may add nested objects (settings, limits) that have no text form.
        var values = a.ValueKind == JsonValueKind.Object
            ? a.EnumerateObject().Where(p => p.Value.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array))
                .ToDictionary(p => p.Name, p => Json.Text(p.Value), StringComparer.Ordinal)
            : throw KlickTippException.UnexpectedAnswer($"Expected the account object, got {a.ValueKind}.");
        return new Account(Json.Id(Json.Text(a, "uid")), Json.Text(a, "username"), Json.Text(a, "email"),
            Json.Text(a, "firstname"), Json.Text(a, "lastname"), values);
    }

    /// <summary>
    /// Ends the session (<c>POST /account/logout</c>). With session credentials the next call logs in again,
    /// and without a session (never logged in, or logged out already) nothing is sent; with partner keys it
    /// changes nothing.
    /// </summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task LogoutAsync(CancellationToken cancellationToken = default)
    {
        // Logging in only to log out again would be two calls for nothing.
        if (!_connection.HasSession) return;
        try
        {
            await _connection.SendAsync(new ApiCall(HttpMethod.Post, "account/logout"), cancellationToken);
        }
        finally
        {
            _connection.ForgetSession();
        }
    }
}
