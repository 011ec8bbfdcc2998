using System.Security.Claims;
using Tagflow.Accounts;
using Tagflow.OptIns;

namespace Tagflow.Contacts;

/// <summary>Through which door a contact change came: what its sign-up proof records as the source.</summary>
internal enum ChangeSource
{
    /// <summary>The management API, with account credentials.</summary>
    Api,

    /// <summary>A public sign-in, sign-out or sign-off with a listbuilding key.</summary>
    Listbuilding,

    /// <summary>A link the contact opened: a confirmation link, an email's unsubscribe link.</summary>
    Link,

    /// <summary>An import of a contact file (<c>POST /import</c>, <c>tagflow import</c>, <c>tagflow migrate --from</c>).</summary>
    Import,

    /// <summary>The admin web app (<c>/app</c>), by the account's owner, signed in.</summary>
    App,
}

/// <summary>
/// Who asks for a contact change, and from where: the account, the door, the client's address
/// (the consent record keeps it) and the base of the links in the emails the change sends. Callers
/// build it from their own context (<see cref="ForRequest"/> for HTTP); <see cref="ContactChanges"/>
/// never sees a request.
/// </summary>
internal sealed record ChangeOrigin(long AccountId, ChangeSource Source, string Ip)
{
    /// <summary>The sign-up source recorded for contacts that come through the management API.</summary>
    public const string ApiSource = "API";

    /// <summary>The sign-up source recorded for imported contacts whose file names none.</summary>
    public const string ImportSource = "Import";

    /// <summary>The sign-up source recorded for contacts added by hand in the admin web app.</summary>
    public const string AppSource = "App";

    /// <summary>The account's own address, the sender of its confirmation emails.</summary>
    public string AccountEmail { get; init; } = "";

    /// <summary>The account's time zone, in which the wire shows times.</summary>
    public TimeZoneInfo TimeZone { get; init; } = TimeZoneInfo.Utc;

    /// <summary>The account's reference version as authentication read it; null loads the reference data afresh.</summary>
    public long? ReferenceVersion { get; init; }

    /// <summary>This server's address for links in emails, without a trailing slash.</summary>
    public string LinkBase { get; init; } = "";

    /// <summary>The browser of a contact who opened a link; kept with the confirmation.</summary>
    public string UserAgent { get; init; } = "";

    /// <summary>The sign-up source recorded with a new contact (and with one that signs up again).</summary>
    public string SignupSource { get; init; } = ApiSource;

    /// <summary>A listbuilding key's SmartTag (key, name), assigned to every contact it signs in.</summary>
    public (string Key, string Name)? SmartTag { get; init; }

    /// <summary>
    /// A public sign-in (listbuilding) rather than the management API: it may bring back an address
    /// that unsubscribed, through a double opt-in, and a contact found by its SMS number gets the
    /// address only once it is confirmed.
    /// </summary>
    public bool IsSignIn => Source == ChangeSource.Listbuilding;

    /// <summary>The origin of an HTTP request by <paramref name="user"/>'s account.</summary>
    public static ChangeOrigin ForRequest(HttpContext http, ClaimsPrincipal user, ChangeSource source = ChangeSource.Api) =>
        new(user.AccountId(), source, ClientIp(http))
        {
            AccountEmail = user.AccountEmail(),
            TimeZone = user.TimeZone(),
            ReferenceVersion = user.ReferenceVersion(),
            LinkBase = OptInPages.Url(http, ""),
        };

    /// <summary>The caller's address as the sign-up proof records it (IPv4 as dotted quad).</summary>
    public static string ClientIp(HttpContext http) => http.Connection.RemoteIpAddress is { } ip
        ? (ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip).ToString()
        : "";
}
