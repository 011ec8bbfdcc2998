using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Diagnostics.Metrics;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Tagflow.Metrics;

/// <summary>
/// <c>/metrics</c> in Prometheus's text format (OpenTelemetry's exporter), served only on the
/// addresses of <c>--metrics-urls</c>: ASP.NET Core's request meter (counts and durations by
/// route and status) and <see cref="TagflowMetrics"/>. Without the option nothing listens to the
/// meters and there is no <c>/metrics</c>.
/// </summary>
internal static class MetricsEndpoint
{
    public const string Path = "/metrics";

    /// <summary>ASP.NET Core's meter of <c>http.server.request.duration</c>, tagged with <c>http.route</c> and the status.</summary>
    private const string AspNetCoreHosting = "Microsoft.AspNetCore.Hosting";

    /// <summary>Where the server listens: the API's addresses first, since the first is the one links and the start-up message name.</summary>
    public static string ListenUrls(TagflowSettings settings) =>
        settings.MetricsUrls is null ? settings.Urls : $"{settings.Urls};{settings.MetricsUrls}";

    /// <summary>
    /// The meters are enabled as rules of the host's metrics, for its own meters only (those of its
    /// <see cref="System.Diagnostics.Metrics.IMeterFactory"/>), not by name for the whole process as
    /// <c>AddMeter</c> would: a second server in the same process (as in the tests) is not counted in.
    /// </summary>
    public static void AddMetricsExport(this IServiceCollection services, TagflowSettings settings)
    {
        if (settings.MetricsUrls is null) return;
        services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("tagflow"))
            .WithMetrics(m => m.AddPrometheusExporter());
        services.AddMetrics(metrics => metrics
            .EnableMetrics(TagflowMetrics.MeterName, scopes: MeterScope.Local)
            .EnableMetrics(AspNetCoreHosting, scopes: MeterScope.Local));
    }

    /// <summary>
    /// Every request that came in on a metrics port goes down this branch, and nothing else does:
    /// <c>/metrics</c> is answered there, anything else is a 404 (through the wire's status pages,
    /// which run before). The port is the one the connection reached, which no client chooses,
    /// unlike the Host header that <c>RequireHost</c> would match; and being ahead of routing,
    /// authentication and the database, a scrape never touches the API's pipeline.
    /// </summary>
    public static void UseMetricsAddress(this WebApplication app, TagflowSettings settings)
    {
        if (settings.MetricsUrls is null) return;
        var ports = Ports(settings);
        // The instruments are made with their meter, which nothing else may need before the first
        // scrape (the group commit's histogram is the only other user, and on PostgreSQL there is
        // none): made now, the queue gauges are in every scrape from the first.
        app.Services.GetRequiredService<TagflowMetrics>();
        app.MapWhen(context => ports.Contains(context.Connection.LocalPort), metrics =>
        {
            // Scrapes are left out of the request metrics, which are the API's.
            metrics.Use((context, next) =>
            {
                if (context.Features.Get<IHttpMetricsTagsFeature>() is { } tags) tags.MetricsDisabled = true;
                return next(context);
            });
            metrics.UseOpenTelemetryPrometheusScrapingEndpoint(Path);
        });
    }

    /// <summary>The ports of <c>--metrics-urls</c>: fixed ones, none of which the API listens on, since the port tells the two apart.</summary>
    private static HashSet<int> Ports(TagflowSettings settings)
    {
        var apiPorts = Split(settings.Urls).Select(u => Port(u, "--urls", TagflowSettings.DefaultUrls)).ToHashSet();
        var ports = Split(settings.MetricsUrls!).Select(u => Port(u, "--metrics-urls", "http://127.0.0.1:9464")).ToHashSet();
        if (ports.Count == 0 || ports.Any(p => p == 0 || apiPorts.Contains(p)))
            throw new AdminException("--metrics-urls needs a fixed port that the API does not use (such as http://127.0.0.1:9464): "
                + "the port a request arrives on tells metrics from the API.");
        return ports;
    }

    private static IEnumerable<string> Split(string urls) => urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static int Port(string url, string option, string example)
    {
        try
        {
            return BindingAddress.Parse(url).Port;
        }
        catch (FormatException)
        {
            throw new AdminException($"{option} takes URLs such as {example}, not \"{url}\".");
        }
    }
}
