using System.Security.Cryptography;
using System.Text;
using Tagflow.Client.Http;

namespace Tagflow.Client;

/// <summary>
/// How management calls authenticate. Create one with <see cref="Session"/> (username and password) or
/// <see cref="Partner"/> (developer key and customer key). The third scheme, the listbuilding API key,
/// travels with each listbuilding call instead (<see cref="ListbuildingService"/>).
/// </summary>
public abstract class KlickTippCredentials
{
    private protected KlickTippCredentials(string username)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(username);
        Username = username;
    }

    /// <summary>The account's username.</summary>
    public string Username { get; }

    /// <summary>
    /// Username and password: the client logs in (<c>POST /account/login</c>) on first use, keeps the
    /// session, and when the server answers 401 or 403 (the session expired) logs in again and repeats
    /// the call once.
    /// </summary>
    /// <param name="username">The account's username.</param>
    /// <param name="password">The account's password.</param>
    public static KlickTippCredentials Session(string username, string password) => new SessionCredentials(username, password);

    /// <summary>
    /// Developer key and customer key, for integrations: no login; every call carries <c>X-Un</c> (the
    /// username) and <c>X-Ci</c>, computed from both keys. The keys never expire; the customer can revoke them.
    /// </summary>
    /// <param name="username">The username of the account that granted access.</param>
    /// <param name="developerKey">The integration's developer key, in hexadecimal.</param>
    /// <param name="customerKey">The customer key the account granted to that developer.</param>
    public static KlickTippCredentials Partner(string username, string developerKey, string customerKey) =>
        new PartnerCredentials(username, developerKey, customerKey);

    internal abstract Authenticator CreateAuthenticator(KlickTippConnection connection);

    /// <summary>Names the scheme and the username, never a secret.</summary>
    public override string ToString() => $"{GetType().Name.Replace("Credentials", "", StringComparison.Ordinal)} credentials for {Username}";
}

internal sealed class SessionCredentials(string username, string password) : KlickTippCredentials(username)
{
    public string Password { get; } = string.IsNullOrEmpty(password) ? throw new ArgumentException("The password may not be empty.", nameof(password)) : password;

    internal override Authenticator CreateAuthenticator(KlickTippConnection connection) => new SessionAuthenticator(connection, Username, Password);
}

internal sealed class PartnerCredentials : KlickTippCredentials
{
    public PartnerCredentials(string username, string developerKey, string customerKey) : base(username)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(developerKey);
        ArgumentException.ThrowIfNullOrWhiteSpace(customerKey);
        byte[] key;
        try
        {
            key = Convert.FromHexString(developerKey);
        }
        catch (FormatException e)
        {
            throw new ArgumentException("The developer key must be hexadecimal (as issued: 64 characters 0-9, a-f).", nameof(developerKey), e);
        }
        XCi = ComputeXCi(key, customerKey);
    }

    /// <summary>The <c>X-Ci</c> header value.</summary>
    public string XCi { get; }

    /// <summary>
    /// base64(HMAC-SHA256(key = bytes of the hex developer key, message = customer key) ‖ customer key):
    /// the raw 32-byte MAC followed by the customer key's UTF-8 bytes.
    /// </summary>
    private static string ComputeXCi(byte[] developerKey, string customerKey)
    {
        var customer = Encoding.UTF8.GetBytes(customerKey);
        return Convert.ToBase64String([.. HMACSHA256.HashData(developerKey, customer), .. customer]);
    }

    internal override Authenticator CreateAuthenticator(KlickTippConnection connection) =>
        new StaticAuthenticator(new Credential([new("X-Un", Username), new("X-Ci", XCi)], Renewable: false));
}
