using System.Globalization;
using System.Security.Claims;
using Tagflow.Wire;

namespace Tagflow.Accounts;

/// <summary>The calling account, as the authentication handler puts it on the request.</summary>
internal static class Principal
{
    public const string AccountIdClaim = AccountClaim.Type;
    public const string PlanClaim = "tagflow:plan";
    public const string SessionClaim = "tagflow:session";
    public const string TimeZoneClaim = "tagflow:tz";
    public const string ReferenceVersionClaim = "tagflow:refv";
    public const string EmailClaim = "tagflow:email";

    public static ClaimsPrincipal Create(Account account, string scheme, long? sessionId)
    {
        var claims = new List<Claim>
        {
            new(AccountIdClaim, account.Id.ToString(CultureInfo.InvariantCulture)),
            new(ClaimTypes.Name, account.Username),
            new(PlanClaim, account.Plan.ToString()),
            new(TimeZoneClaim, account.TimeZone),
            new(ReferenceVersionClaim, account.ReferenceVersion.ToString(CultureInfo.InvariantCulture)),
            new(EmailClaim, account.Email),
        };
        if (sessionId is { } s) claims.Add(new(SessionClaim, s.ToString(CultureInfo.InvariantCulture)));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme));
    }

    /// <summary>The account id; every query a handler makes is scoped by it.</summary>
    public static long AccountId(this ClaimsPrincipal user) => user.FindAccountId()
        ?? throw new InvalidOperationException("The endpoint is not behind authentication.");

    public static long? FindAccountId(this ClaimsPrincipal user) => AccountClaim.Find(user);

    /// <summary>The account's reference version as authentication read it (see <see cref="Account.ReferenceVersion"/>).</summary>
    public static long? ReferenceVersion(this ClaimsPrincipal user) =>
        long.TryParse(user.FindFirstValue(ReferenceVersionClaim), CultureInfo.InvariantCulture, out var version) ? version : null;

    /// <summary>The account's own email address; empty if it has none.</summary>
    public static string AccountEmail(this ClaimsPrincipal user) => user.FindFirstValue(EmailClaim) ?? "";

    public static long? SessionId(this ClaimsPrincipal user) =>
        long.TryParse(user.FindFirstValue(SessionClaim), CultureInfo.InvariantCulture, out var id) ? id : null;

    /// <summary>The account's time zone, in which the wire shows times; UTC if the system does not know it.</summary>
    public static TimeZoneInfo TimeZone(this ClaimsPrincipal user) => Zone(user.FindFirstValue(TimeZoneClaim));

    /// <summary>An account's time zone by its IANA name; UTC if the system does not know it.</summary>
    public static TimeZoneInfo Zone(string? timeZone) =>
        TimeZoneInfo.TryFindSystemTimeZoneById(timeZone ?? "UTC", out var zone) ? zone : TimeZoneInfo.Utc;

    public static bool HasApiAccess(this ClaimsPrincipal user) =>
        Enum.TryParse<Plan>(user.FindFirstValue(PlanClaim), out var plan) && plan.HasApiAccess();

    public static bool HasApiAccess(this Plan plan) => plan >= Plan.Premium;
}
