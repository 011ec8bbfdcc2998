using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http.Features;
using Scalar.AspNetCore;
using Tagflow.Accounts;
using Tagflow.App;
using Tagflow.Automations;
using Tagflow.Blocklist;
using Tagflow.Bounces;
using Tagflow.Contacts;
using Tagflow.Events;
using Tagflow.Data;
using Tagflow.Delivery;
using Tagflow.Fields;
using Tagflow.Idempotency;
using Tagflow.Logging;
using Tagflow.Metrics;
using Tagflow.OptIns;
using Tagflow.Tags;
using Tagflow.Webhooks;
using Tagflow.Wire;

namespace Tagflow;

/// <summary>The HTTP server: wiring only; each feature maps its own routes.</summary>
internal static class Server
{
    public static WebApplication Build(TagflowSettings settings, Action<WebApplicationBuilder>? configure = null)
    {
        // No configuration files are watched: Tagflow is configured by its options, and a watcher on the
        // content root (where the SQLite file and its WAL usually are) would wake on every write.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = ["--hostBuilder:reloadConfigOnChange=false"] });
        builder.WebHost.UseUrls(MetricsEndpoint.ListenUrls(settings));
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = settings.MaxBodyBytes;
            k.ConfigureEndpointDefaults(WireConnections.Use);
        });
        builder.Services.Configure<FormOptions>(o =>
        {
            o.MultipartBodyLengthLimit = settings.MaxBodyBytes;
            o.ValueLengthLimit = (int)Math.Min(settings.MaxBodyBytes, int.MaxValue);
        });
        // The log goes to stderr; stdout carries only what Tagflow tells its operator (the demo keys).
        // Registered as a type, so the host disposes it at shutdown and it writes out what is queued.
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<ILoggerProvider, StderrLoggerProvider>();
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Warning);
        // A failing command is logged where it surfaces (a 500 answer, or a race Tagflow resolves itself).
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore.Database.Command", LogLevel.Critical);
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore.Update", LogLevel.Critical);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        // Data protection protects only the admin app's antiforgery tokens: a lost key costs a reloaded form.
        builder.Logging.AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error);
        // A start that fails (most often: the port is taken) is told by `tagflow serve` in one sentence, not
        // as the host's stack trace. A background service that fails still logs its exception, at Critical.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);

        builder.Services.AddTagflowCore(settings);
        builder.Services.AddMetricsExport(settings);
        // The automation engine and the webhook sender run in every serving instance (not in admin commands).
        builder.Services.AddSingleton<Webhooks.HostResolver>(System.Net.Dns.GetHostAddressesAsync);
        builder.Services.AddWebhookSender();
        builder.Services.AddBackgroundLoop<Automations.AutomationWorker>();
        builder.Services.AddBackgroundLoop<Housekeeping.HousekeepingJob>();
        builder.Services.AddBackgroundLoop<Housekeeping.PlannerStatistics>();
        builder.Services.AddBackgroundLoop<ImportWorker>();
        builder.Services.AddBounceReceivers(settings.Bounces);
        TagflowAuthentication.Register(builder.Services);
        LoginRateLimit.Register(builder.Services, settings);
        builder.Services.AddAdminApp();
        builder.Services.AddHealthChecks().AddDbContextCheck<TagflowDb>("database");
        builder.Services.AddOpenApi(o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Tagflow";
            document.Info.Description = ApiDescription;
            return Task.CompletedTask;
        }));
        configure?.Invoke(builder);

        var app = builder.Build();
        if (settings.TrustedProxies.Count > 0) app.UseForwardedHeaders(ForwardedHeaders(settings));
        app.UseWire();
        app.UseAdminApp(); // /app answers in HTML, with its security headers
        app.UseMetricsAddress(settings); // a request on a metrics port goes no further
        app.UseRouting(); // after UseWire, so routes see the path without its .json suffix
        app.UseOneSqliteConnectionPerRequest();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery(); // the admin app's forms; the API's endpoints ask for none
        app.UseRateLimiter();
        app.UseIdempotencyKeys();

        var api = app.MapGroup("").AnswersHead();
        api.MapAccountApi();
        api.MapTagsApi();
        api.MapFieldsApi();
        api.MapListsApi();
        api.MapListbuildingApi();
        api.MapContactsApi();
        api.MapImportApi();
        api.MapExportApi();
        api.MapBlocklistApi();
        api.MapEventsApi();
        api.MapCampaignsApi();
        api.MapWebhooksApi();
        // Pages and email links: a GET there confirms, unsubscribes or counts a click, so HEAD stays apart.
        app.MapOptInPages();
        app.MapConfirmApi();
        app.MapSignUpFormApi();
        app.MapEmailLinksApi();
        app.MapAdminApp();

        app.MapOpenApi("/openapi").ExcludeFromDescription();
        app.MapScalarApiReference("/docs", o =>
        {
            o.WithTitle("Tagflow API").WithOpenApiRoutePattern("/openapi.json");
            o.ShowDeveloperTools = DeveloperToolsVisibility.Never; // hosted-service buttons that a self-hosted server has no use for
        });
        app.MapHealthChecks("/healthz", new HealthCheckOptions
        {
            ResponseWriter = (context, report) => context.Response.WriteAsJsonAsync(
                new Dictionary<string, string> { ["status"] = report.Status.ToString().ToLowerInvariant() }, context.RequestAborted),
        });
        return app;
    }

    /// <summary>
    /// Only the proxies the operator names are believed (not even loopback by default): an untrusted
    /// X-Forwarded-For would let any client choose the address its consent and rate limits are recorded under.
    /// </summary>
    private static ForwardedHeadersOptions ForwardedHeaders(TagflowSettings settings)
    {
        var options = new ForwardedHeadersOptions
        {
            ForwardedHeaders = Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedFor | Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedProto,
            // Through a chain of trusted proxies (a CDN, then nginx) to the first address none of them is.
            ForwardLimit = null,
        };
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var network in settings.TrustedProxies) options.KnownIPNetworks.Add(network);
        return options;
    }

    private const string ApiDescription = """
        Tagflow speaks the KlickTipp Management API. Every path also answers with a `.json` suffix.
        Request bodies may be JSON, form-urlencoded (PHP-style nested keys such as `fields[fieldFirstName]`)
        or multipart. Authenticate with a session (`POST /account/login`, then the cookie or `X-Session-Id`)
        or with a developer key and customer key (`X-Un`, `X-Ci`).
        Answers are JSON; a request whose `Accept` names `application/vnd.php.serialized` gets the same data in
        PHP's `serialize()` format, as KlickTipp's official PHP connector expects.
        Errors: 400/401/403/404/429 answer a list of one sentence, such as `["Wrong username or password."]`.
        406 means the request was understood but refused by a rule, and changed nothing: `{"error":N}` with
        optional `code`, `field`, `name`, `field_value` and `reason`.

        | error | meaning |
        |---|---|
        | 4 | The email address is unsubscribed and cannot be re-subscribed through the API. |
        | 5 | Invalid email address. |
        | 6 | The confirmation email could not be sent. |
        | 7 | Email address not found. |
        | 8 | Invalid value in a data field. |
        | 9 | The SMS number is already assigned to another contact. |
        | 10 | Update of contact failed (`code` may say why). |
        | 11 | Invalid phone number. |
        | 12 | Internal error. |
        | 30 | The email address is blocked. |
        | 31 | SmartTags are only assigned by the system. |
        | 32 | Either an email address or an SMS number is required. |
        | 401 | Contact not found. |
        | 402 | Opt-in process not found. |
        | 403 | Tag not found. |
        | 507 | The email address is already assigned to another contact. |
        | 601 | Tagflow: a tag of that name already exists in the account (names are unique regardless of case). |
        | 602 | Tagflow: the standard data fields cannot be renamed or deleted. |
        | 603 | Tagflow: a data field of that name already exists in the account (regardless of case). |
        | 604 | Tagflow: a data field's type cannot change; create a new field instead. |
        | 605 | Tagflow: an opt-in process of that name already exists in the account (regardless of case). |
        | 606 | Tagflow: the predefined opt-in process cannot be renamed, made single opt-in or deleted. |
        | 607 | Tagflow: the opt-in process is used by a listbuilding key (delete the key first). |
        | 608 | Tagflow: a campaign of that name already exists in the account (regardless of case). |
        | 609 | Tagflow: the account has no such webhook. |
        | 610 | Tagflow: the tag starts or is used by a campaign or webhook (change or delete those first). |
        | 611 | Tagflow: a campaign calls the webhook (change or delete the campaign first). |
        """;
}
