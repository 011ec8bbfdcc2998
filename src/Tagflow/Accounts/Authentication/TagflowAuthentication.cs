using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tagflow.Data;
using Tagflow.Wire;

namespace Tagflow.Accounts;

/// <summary>
/// Session cookie (or X-Session-Id) and developer + customer key (X-Un, X-Ci), per WIRE.md.
/// Every request looks its credentials up in the database, so a revoked key or an ended session
/// stops working at once on every instance.
/// </summary>
internal sealed class TagflowAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    TagflowDb db,
    KeyRing keys,
    Sessions sessions) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Tagflow";
    public const string ApiPolicy = "Api";
    private const string NoCredentials = "Authentication required: log in with POST /account/login, or send the X-Un and X-Ci headers.";

    public static void Register(IServiceCollection services)
    {
        services.AddAuthentication(SchemeName).AddScheme<AuthenticationSchemeOptions, TagflowAuthentication>(SchemeName, null);
        services.AddAuthorizationBuilder().AddPolicy(ApiPolicy, p => p.RequireAuthenticatedUser()
            .RequireAssertion(c => c.User.HasApiAccess()));
    }

    /// <summary>The grant with this customer key hash: its account and its developer's key salt. Compiled once: every API request asks it.</summary>
    private static readonly CompiledQuery<Func<TagflowDb, string, CancellationToken, Task<GrantFound?>>> FindGrant = new(() => EF.CompileAsyncQuery(
        (TagflowDb db, string hash, CancellationToken cancellationToken) => (
            from g in db.ApiGrants
            join d in db.Developers on g.DeveloperId equals d.Id
            join a in db.Accounts on g.AccountId equals a.Id
            where g.CustomerKeyHash == hash
            select new GrantFound(a, d.KeySalt)).AsNoTracking().SingleOrDefault()));

    private sealed record GrantFound(Account Account, byte[] KeySalt);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var headers = Request.Headers;
        var username = headers["X-Un"].ToString();
        var xci = headers["X-Ci"].ToString();
        if (xci.Length > 0)
            return await AuthenticatePartnerAsync(username, xci);

        // A stale cookie must not hide a valid X-Session-Id, nor the other way round.
        var tokens = new[] { Request.Cookies[Sessions.CookieName], headers["X-Session-Id"].ToString() }
            .Where(t => !string.IsNullOrEmpty(t)).Distinct().ToList();
        foreach (var token in tokens)
        {
            if (await sessions.FindAsync(token!, Context.RequestAborted) is { } s)
                return Success(s.Account, s.SessionId);
        }
        if (tokens.Count > 0)
            return AuthenticateResult.Fail("The session has expired or was ended: log in again with POST /account/login.");
        return username.Length > 0
            ? AuthenticateResult.Fail("X-Un was sent without X-Ci: send both, or log in with POST /account/login.")
            : AuthenticateResult.NoResult();
    }

    private async Task<AuthenticateResult> AuthenticatePartnerAsync(string username, string xci)
    {
        const string invalid = "Invalid X-Un or X-Ci: check the username, the developer key and the customer key.";
        if (username.Length == 0 || xci.Length == 0 || KeyRing.SplitXCi(xci) is not { } parts)
            return AuthenticateResult.Fail(invalid);

        var grant = await FindGrant.For(db)(db, Secrets.LookupHash(parts.CustomerKey), Context.RequestAborted);
        if (grant is null || !keys.MacMatches(parts.Mac, grant.KeySalt, parts.CustomerKey) ||
            grant.Account.NormalizedUsername != Account.Normalize(username))
            return AuthenticateResult.Fail(invalid);
        return Success(grant.Account, null);
    }

    private static AuthenticateResult Success(Account account, long? sessionId) =>
        AuthenticateResult.Success(new AuthenticationTicket(Principal.Create(account, SchemeName, sessionId), SchemeName));

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        await WireResults.WriteMessagesAsync(Response, StatusCodes.Status403Forbidden, result.Failure?.Message ?? NoCredentials);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        WireResults.WriteMessagesAsync(Response, StatusCodes.Status403Forbidden, WireResults.ApiAccessDenied);
}
