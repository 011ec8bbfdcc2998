using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Tagflow.Accounts;

namespace Tagflow.App;

/// <summary>
/// The admin app's sign-in: a session of <see cref="Sessions"/> (the API's sessions, with their idle
/// expiry) carried in a cookie of the app's own, limited to <c>/app</c> and sent only from the app's
/// own pages (<c>SameSite=Strict</c>). No plan is required: Standard accounts may use the app.
/// Without a session, a page redirects to the sign-in page.
/// </summary>
internal sealed class AppAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    Sessions sessions) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "App";
    public const string Policy = "App";
    public const string CookieName = "tagflow_app";

    public static void Register(IServiceCollection services)
    {
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, AppAuthentication>(SchemeName, null);
        services.AddAuthorizationBuilder().AddPolicy(Policy, p => p.AddAuthenticationSchemes(SchemeName).RequireAuthenticatedUser());
    }

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (Request.Cookies[CookieName] is not { Length: > 0 } token) return AuthenticateResult.NoResult();
        if (await sessions.FindAsync(token, Context.RequestAborted) is not var (account, sessionId))
            return AuthenticateResult.Fail("The session has expired or was ended.");
        var principal = Principal.Create(account, SchemeName, sessionId);
        // Antiforgery ties its tokens to the user by this claim; without one it takes every claim,
        // and a form rendered before the account's reference version moved (a tag created) would be refused.
        ((ClaimsIdentity)principal.Identity!).AddClaim(new Claim(ClaimTypes.NameIdentifier, $"{account.Id}:{sessionId}"));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var here = Request.PathBase + Request.Path + Request.QueryString;
        Response.Redirect(AppPaths.SignIn + (HttpMethods.IsGet(Request.Method) ? "?returnUrl=" + Uri.EscapeDataString(here) : ""));
        return Task.CompletedTask;
    }

    /// <summary>Sets the session cookie: HttpOnly, SameSite=Strict, Secure over HTTPS, for /app only.</summary>
    public static void SetCookie(HttpContext http, string token) =>
        http.Response.Cookies.Append(CookieName, token, CookieOptions(http));

    public static void DeleteCookie(HttpContext http) => http.Response.Cookies.Delete(CookieName, CookieOptions(http));

    private static CookieOptions CookieOptions(HttpContext http) => new()
    {
        Path = AppPaths.Root,
        HttpOnly = true,
        Secure = http.Request.IsHttps,
        SameSite = SameSiteMode.Strict,
        IsEssential = true,
    };
}
