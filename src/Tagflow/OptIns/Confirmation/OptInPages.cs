using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Tagflow.OptIns;

/// <summary>
/// Tagflow's own plain pages for an opt-in process without pending or thank-you URL of its own:
/// "check your inbox" while a contact waits to confirm, and "thank you" once it has.
/// </summary>
internal static class OptInPages
{
    public const string PendingPath = "/optin/pending";
    public const string ThanksPath = "/optin/thanks";

    public static void MapOptInPages(this IEndpointRouteBuilder app)
    {
        app.MapGet(PendingPath, () => Page("Please confirm your subscription",
            "We have sent you an email. Open the link in it to confirm your subscription; until then, you will receive nothing else from us."))
            .ExcludeFromDescription();
        app.MapGet(ThanksPath, () => Page("Thank you", "Your subscription is confirmed."))
            .ExcludeFromDescription();
    }

    /// <summary>
    /// The absolute URL of a path of this server, for links in emails and redirects: from
    /// <c>--public-url</c> when set, else the address the server listens on. Never from the
    /// request's Host header, which anyone calling a public endpoint (a listbuilding sign-in) chooses:
    /// that would let them send real confirmation emails whose links lead elsewhere.
    /// </summary>
    public static string Url(HttpContext http, string path) =>
        (BaseUrl(http.RequestServices) ?? $"{http.Request.Scheme}://{http.Connection.LocalIpAddress}:{http.Connection.LocalPort}") + path;

    /// <summary>
    /// This server's address for links (see <see cref="Url"/>), without a trailing slash; null only
    /// before the server listens. For work done outside a request (campaign emails).
    /// </summary>
    public static string? BaseUrl(IServiceProvider services) =>
        (services.GetRequiredService<TagflowSettings>().PublicUrl
            ?? services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault())?.TrimEnd('/');

    /// <summary>A plain page; with <paramref name="postButton"/>, a form with that button that POSTs to the page's own URL.</summary>
    public static IResult Page(string title, string text, int statusCode = StatusCodes.Status200OK, string? postButton = null) => Results.Content(
        $"""
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{WebUtility.HtmlEncode(title)}</title>
        <style>body{"{"}font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;line-height:1.5{"}"}</style></head>
        <body><h1>{WebUtility.HtmlEncode(title)}</h1><p>{WebUtility.HtmlEncode(text)}</p>{(postButton is null ? "" : $"\n<form method=\"post\"><button type=\"submit\">{WebUtility.HtmlEncode(postButton)}</button></form>")}</body></html>
        """, "text/html; charset=utf-8", statusCode: statusCode);

    /// <summary>Where a contact of <paramref name="process"/> goes next: its thank-you page once subscribed, else its pending page (Tagflow's own without one).</summary>
    public static string NextUrl(HttpContext http, OptInProcess process, bool subscribed) => subscribed
        ? (process.ThankYouUrl.Length > 0 ? process.ThankYouUrl : Url(http, ThanksPath))
        : (process.PendingUrl.Length > 0 ? process.PendingUrl : Url(http, PendingPath));
}
