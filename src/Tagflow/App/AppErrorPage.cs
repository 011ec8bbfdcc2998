using System.Net;

namespace Tagflow.App;

/// <summary>The app's page for a refusal or an error that no component rendered: plain, with the app's stylesheet.</summary>
internal static class AppErrorPage
{
    public static Task WriteAsync(HttpResponse response, string title, string text)
    {
        response.ContentType = "text/html; charset=utf-8";
        return response.WriteAsync($"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{WebUtility.HtmlEncode(title)} · Tagflow</title><link rel="stylesheet" href="{AppPaths.Stylesheet}"><link rel="icon" href="{AppPaths.Icon}" type="image/svg+xml"></head>
            <body><main class="narrow"><h1>{WebUtility.HtmlEncode(title)}</h1><p>{WebUtility.HtmlEncode(text)}</p>
            <p><a href="{AppPaths.Contacts}">Back to the contacts</a></p></main></body></html>
            """);
    }
}
