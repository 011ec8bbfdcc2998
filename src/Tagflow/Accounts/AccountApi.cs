using System.Globalization;
using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Tagflow.Data;
using Tagflow.Wire;

namespace Tagflow.Accounts;

internal sealed record LoginRequest(string? Username, string? Password);

internal static class AccountApi
{
    public static void MapAccountApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/account").WithTags("Account").WithWireErrors();
        group.MapPost("/login", LoginAsync).AllowAnonymous().RequireRateLimiting(LoginRateLimit.Policy)
            .AcceptsWire<LoginRequest>().Produces<Dictionary<string, object>>()
            .Produces<string[]>(StatusCodes.Status401Unauthorized).Produces<string[]>(StatusCodes.Status429TooManyRequests)
            .WithSummary("Log in; later calls send the session cookie (or X-Session-Id).");
        group.MapPost("/logout", LogoutAsync).Produces<bool[]>().RequireAuthorization(TagflowAuthentication.ApiPolicy)
            .WithSummary("End the session.");
        group.MapGet("/", GetAsync).Produces<Dictionary<string, string>>().RequireAuthorization(TagflowAuthentication.ApiPolicy)
            .WithSummary("The calling account.");
    }

    private static async Task<IResult> LoginAsync(Body<LoginRequest> body, Logins logins, Sessions sessions, HttpContext context, CancellationToken cancellationToken)
    {
        var (username, password) = body.Value;
        if (string.IsNullOrEmpty(username)) return WireResults.BadRequest("The key \"username\" is required.");
        if (string.IsNullOrEmpty(password)) return WireResults.BadRequest("The key \"password\" is required.");

        switch (await logins.CheckAsync(username, password, cancellationToken))
        {
            case LoginResult.LockedOut locked:
                await WireResults.WriteTooManyRequestsAsync(context.Response, locked.RetryAfter, "Too many failed logins for this username.");
                return Results.Empty;
            case LoginResult.Succeeded { Account: var account }:
                if (!account.Plan.HasApiAccess()) return WireResults.Forbidden(WireResults.ApiAccessDenied);
                var token = await sessions.CreateAsync(account.Id, cancellationToken);
                context.User = Principal.Create(account, TagflowAuthentication.SchemeName, null); // for the request log
                context.Response.Cookies.Append(Sessions.CookieName, token, new CookieOptions
                {
                    Path = "/",
                    HttpOnly = true,
                    Secure = context.Request.IsHttps,
                    SameSite = SameSiteMode.Lax,
                });
                return WireResults.Ok(new WireObject
                {
                    ["sessid"] = token,
                    ["session_name"] = Sessions.CookieName,
                    ["account"] = ToWire(account),
                });
            default:
                return WireResults.Messages(StatusCodes.Status401Unauthorized, "Wrong username or password.");
        }
    }

    private static async Task<IResult> LogoutAsync(ClaimsPrincipal user, Sessions sessions, HttpContext context, CancellationToken cancellationToken)
    {
        if (user.SessionId() is { } sessionId)
        {
            await sessions.EndAsync(sessionId, cancellationToken);
            context.Response.Cookies.Delete(Sessions.CookieName, new CookieOptions { Path = "/" });
        }
        return WireResults.True();
    }

    private static async Task<IResult> GetAsync(ClaimsPrincipal user, TagflowDb db, CancellationToken cancellationToken)
    {
        var accountId = user.AccountId();
        var account = await db.Accounts.AsNoTracking().SingleAsync(a => a.Id == accountId, cancellationToken);
        return WireResults.Ok(ToWire(account));
    }

    /// <summary>The account object of KlickTipp's login answer; <c>plan</c> and <c>timezone</c> are Tagflow's.</summary>
    private static WireObject ToWire(Account a) => new()
    {
        ["uid"] = a.Id.ToString(CultureInfo.InvariantCulture),
        ["status"] = "1",
        ["tier"] = ((int)a.Plan).ToString(CultureInfo.InvariantCulture),
        ["usergroup"] = ((int)a.Plan).ToString(CultureInfo.InvariantCulture),
        ["username"] = a.Username,
        ["email"] = a.Email,
        ["firstname"] = a.FirstName,
        ["lastname"] = a.LastName,
        ["company"] = "",
        ["country"] = "",
        ["street"] = "",
        ["city"] = "",
        ["state"] = "",
        ["zip"] = "",
        ["website"] = "",
        ["affid"] = "0",
        ["phone"] = "",
        ["fax"] = "",
        ["plan"] = a.Plan.ToString().ToLowerInvariant(),
        ["timezone"] = a.TimeZone,
    };
}
