using System.Globalization;
using Microsoft.AspNetCore.Components;
using Tagflow.Accounts;
using Tagflow.Contacts;

namespace Tagflow.App;

/// <summary>
/// What every page of the app needs: the request (static rendering has one), the signed-in account,
/// its time zone, and the origin its contact changes record. Public because Razor's generated page
/// classes are; what names Tagflow's internal types is <c>private protected</c>.
/// </summary>
public abstract class AppPage : ComponentBase
{
    [CascadingParameter] public HttpContext Http { get; set; } = default!;

    private protected long AccountId => Http.User.AccountId();

    private protected TimeZoneInfo Zone => Http.User.TimeZone();

    private protected CancellationToken Aborted => Http.RequestAborted;

    private protected bool IsPost => HttpMethods.IsPost(Http.Request.Method);

    /// <summary>A change made here: by the account, through the app, from the owner's address.</summary>
    private protected ChangeOrigin Origin => ChangeOrigin.ForRequest(Http, Http.User, ChangeSource.App) with { SignupSource = ChangeOrigin.AppSource };

    /// <summary>A time in the account's time zone; a dash when there is none.</summary>
    private protected string Time(DateTime? utc) => utc is { } t
        ? TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(t, DateTimeKind.Utc), Zone).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)
        : "—";

    /// <summary>Answers 404: the page then renders its "not found" text. Another account's ids answer exactly so.</summary>
    private protected void AnswerNotFound() => Http.Response.StatusCode = StatusCodes.Status404NotFound;

    private protected static string Number(long n) => n.ToString("N0", CultureInfo.InvariantCulture);
}
