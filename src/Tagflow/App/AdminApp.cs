using System.Reflection;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Diagnostics;

namespace Tagflow.App;

/// <summary>
/// The admin web app under <c>/app</c>: server-rendered Razor components (static rendering, plain
/// HTML forms, no JavaScript needed), its own sign-in (<see cref="AppAuthentication"/>), antiforgery
/// on every form, and a Content-Security-Policy that allows only the app's own files. The API's
/// paths, schemes and answers are untouched.
/// </summary>
internal static partial class AdminApp
{
    /// <summary>Only the app's own stylesheet and script; no inline script, no other origin, no framing.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "form-action 'self'; frame-ancestors 'none'; base-uri 'self'";

    public static void AddAdminApp(this IServiceCollection services)
    {
        services.AddRazorComponents();
        AppAuthentication.Register(services);
        services.AddRateLimiter(o => o.AddPolicy<string, SignInRateLimit>(SignInRateLimit.Policy));
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "tagflow_antiforgery";
            o.Cookie.Path = AppPaths.Root;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });
    }

    /// <summary>
    /// The app's answers: its security headers, and its own HTML pages for the bare refusals (a form
    /// without its antiforgery token, an unknown page) and for errors, where the API answers the wire's JSON.
    /// Runs inside the wire's middleware, before routing.
    /// </summary>
    public static WebApplication UseAdminApp(this WebApplication app)
    {
        app.UseWhen(c => c.Request.Path.StartsWithSegments(AppPaths.Root), branch => branch.Use(AnswerAsync));
        return app;
    }

    public static void MapAdminApp(this WebApplication app)
    {
        app.MapRazorComponents<AppDocument>().RequireAuthorization(AppAuthentication.Policy);
        app.MapGet("/app", () => Results.Redirect(AppPaths.Dashboard)).ExcludeFromDescription();
        app.MapGet("/app/assets/{name}", Asset).ExcludeFromDescription();
        app.MapGet("/app/contacts/{id:long}/export", ContactExportFile.DownloadAsync).RequireAuthorization(AppAuthentication.Policy).ExcludeFromDescription();
        app.MapPost("/app/optins/{id:long}/preview", ConfirmationPreview.PreviewAsync).RequireAuthorization(AppAuthentication.Policy).ExcludeFromDescription();
    }

    private static async Task AnswerAsync(HttpContext context, RequestDelegate next)
    {
        // The wire's status pages would answer an app page's refusal in JSON.
        if (context.Features.Get<IStatusCodePagesFeature>() is { } statusPages) statusPages.Enabled = false;
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "same-origin";
        // As antiforgery sets it on every page with a form (it warns in the log when it finds another value).
        headers.CacheControl = context.Request.Path.StartsWithSegments("/app/assets") ? "no-cache" : "no-cache, no-store";
        try
        {
            await next(context);
        }
        catch (Exception e) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
        {
            // Never the exception's text: it may name internals. The log has it in full.
            LogFailure(context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Tagflow.App"), e, context.Request.Path);
            context.Response.Clear();
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
        }
        if (context.Response.HasStarted || context.Response.StatusCode < 400) return;
        var (title, text) = context.Response.StatusCode switch
        {
            StatusCodes.Status400BadRequest when context.Features.Get<IAntiforgeryValidationFeature>() is { IsValid: false } =>
                ("The form has expired", "The form was sent without its security token, or with an old one. Go back, reload the page and send it again."),
            StatusCodes.Status400BadRequest => ("Bad request", "The request could not be read."),
            StatusCodes.Status404NotFound => ("Not found", "There is no such page, or it is not in your account."),
            StatusCodes.Status405MethodNotAllowed => ("Not allowed", "This page cannot be used that way."),
            StatusCodes.Status429TooManyRequests => ("Too many attempts", "Please wait a minute and try again."),
            StatusCodes.Status500InternalServerError => ("Something went wrong", "The server could not complete the request. Please try again later."),
            var status => ("Error", $"The request failed with status {status}."),
        };
        await AppErrorPage.WriteAsync(context.Response, title, text);
    }

    private static IResult Asset(string name)
    {
        var type = Path.GetExtension(name) switch
        {
            ".css" => "text/css; charset=utf-8",
            ".js" => "text/javascript; charset=utf-8",
            ".svg" => "image/svg+xml",
            _ => null,
        };
        var stream = type is null ? null : Assembly.GetExecutingAssembly().GetManifestResourceStream("Tagflow.App.Assets." + name);
        // The files change only with the binary: a browser keeps them and asks again with the build's tag,
        // answered 304 without a body until Tagflow is upgraded (Blazor's script alone is 200 KB).
        return stream is null ? Results.NotFound() : Results.Stream(stream, type, entityTag: AssetTag, enableRangeProcessing: false);
    }

    private static readonly Microsoft.Net.Http.Headers.EntityTagHeaderValue AssetTag = new($"\"{typeof(AdminApp).Assembly.ManifestModule.ModuleVersionId:N}\"");

    [LoggerMessage(Level = LogLevel.Error, Message = "The admin app failed to answer {Path}")]
    private static partial void LogFailure(ILogger logger, Exception exception, string path);
}
