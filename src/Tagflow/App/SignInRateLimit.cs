using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace Tagflow.App;

/// <summary>
/// Sign-ins per client address and minute, as many as the API's logins (<c>--login-rate-limit</c>):
/// the lockout guards a username against guessing, this the server against a flood of slow password
/// checks. Only the form's posts count, not the page's views; a refusal is the app's HTML page.
/// </summary>
internal sealed class SignInRateLimit(TagflowSettings settings) : IRateLimiterPolicy<string>
{
    public const string Policy = "app-signin";

    public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected => (rejected, _) =>
    {
        var response = rejected.HttpContext.Response;
        response.StatusCode = StatusCodes.Status429TooManyRequests;
        if (rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait))
            response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new ValueTask(AppErrorPage.WriteAsync(response, "Too many sign-ins", "Too many sign-ins from your address: please wait a minute and try again."));
    };

    public RateLimitPartition<string> GetPartition(HttpContext httpContext) =>
        settings.LoginsPerMinutePerAddress <= 0 || !HttpMethods.IsPost(httpContext.Request.Method)
            ? RateLimitPartition.GetNoLimiter("")
            : RateLimitPartition.GetFixedWindowLimiter(httpContext.Connection.RemoteIpAddress?.ToString() ?? "", _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = settings.LoginsPerMinutePerAddress,
                Window = TimeSpan.FromMinutes(1),
                QueueLimit = 0,
            });
}
