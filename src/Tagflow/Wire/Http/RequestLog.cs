using System.Diagnostics;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Tagflow.Wire;

/// <summary>How a route's requests appear in the request log when their path holds a secret; see <see cref="RequestLog.LogsPathAs{TBuilder}"/>.</summary>
internal sealed record LoggedPathMetadata(string Path);

/// <summary>
/// One structured line per request. Only the path: query strings may carry keys. Routes whose path
/// carries a secret (the token of a confirmation link or of an email's links) say how they are logged
/// instead, with <see cref="LogsPathAs{TBuilder}"/>; the log needs to know no feature.
/// </summary>
internal static partial class RequestLog
{
    /// <summary>
    /// The route's requests are logged with <paramref name="path"/> (e.g. <c>/optin/…</c>) instead of
    /// their own, and so are requests that match no route but start as this route's pattern does.
    /// </summary>
    public static TBuilder LogsPathAs<TBuilder>(this TBuilder builder, string path) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new LoggedPathMetadata(path));

    public static void UseRequestLog(this WebApplication app)
    {
        // Read at the first request that needs them, when every route has been mapped.
        var markedPrefixes = new Lazy<(string Prefix, string LoggedAs)[]>(() => MarkedPrefixes(((IEndpointRouteBuilder)app).DataSources));
        app.Use(LogAsync);

        async Task LogAsync(HttpContext context, RequestDelegate next)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                await next(context);
            }
            finally
            {
                var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Tagflow.Requests");
                LogRequest(logger, context.Request.Method, LoggedPath(context, markedPrefixes), context.Response.StatusCode,
                    Stopwatch.GetElapsedTime(started).TotalMilliseconds, AccountClaim.Find(context.User));
            }
        }
    }

    /// <summary>
    /// The path as logged. A request that matched no route (a made-up path, a method the path does not
    /// have, or a handler that threw, since the exception handler forgets the route) may still carry a
    /// marked route's secret: under the fixed start of a marked route's pattern (<c>/optin/</c> of
    /// <c>/optin/{token}</c>), it is logged as that route is.
    /// </summary>
    private static string LoggedPath(HttpContext context, Lazy<(string Prefix, string LoggedAs)[]> markedPrefixes)
    {
        var endpoint = context.GetEndpoint();
        if (endpoint?.Metadata.GetMetadata<LoggedPathMetadata>() is { } marked) return marked.Path;
        var path = context.Request.Path.Value ?? "";
        if (endpoint is RouteEndpoint) return path;
        // Routing matches paths ignoring case, so the prefixes are compared the same way.
        foreach (var (prefix, loggedAs) in markedPrefixes.Value)
            if (path.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) return loggedAs;
        return path;
    }

    /// <summary>Each marked route's leading literal segments as a path prefix ending in <c>/</c>, with how the route is logged.</summary>
    private static (string Prefix, string LoggedAs)[] MarkedPrefixes(IEnumerable<EndpointDataSource> routes) =>
    [
        .. routes.SelectMany(source => source.Endpoints).OfType<RouteEndpoint>()
            .Select(e => (e.RoutePattern, Marked: e.Metadata.GetMetadata<LoggedPathMetadata>()))
            .Where(e => e.Marked is not null)
            .Select(e => ("/" + string.Concat(e.RoutePattern.PathSegments
                .TakeWhile(s => s.IsSimple && s.Parts[0] is RoutePatternLiteralPart)
                .Select(s => ((RoutePatternLiteralPart)s.Parts[0]).Content + "/")), e.Marked!.Path))
            .Distinct(),
    ];

    [LoggerMessage(Level = LogLevel.Information, Message = "{Method} {Path} {Status} {DurationMs:0.0} ms account {AccountId}")]
    private static partial void LogRequest(ILogger logger, string method, string path, int status, double durationMs, long? accountId);
}
