using System.Globalization;
using System.Security.Claims;

namespace Tagflow.Wire;

/// <summary>
/// The claim under which authentication puts the calling account's id. It is named here, below the
/// features, so the request log can say which account called without knowing how accounts sign in.
/// </summary>
internal static class AccountClaim
{
    public const string Type = "tagflow:account";

    public static long? Find(ClaimsPrincipal user) =>
        long.TryParse(user.FindFirstValue(Type), CultureInfo.InvariantCulture, out var id) ? id : null;
}
