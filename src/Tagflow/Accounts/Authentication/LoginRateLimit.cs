using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Tagflow.Wire;

namespace Tagflow.Accounts;

/// <summary>
/// Logins per client address and minute. The lockout guards one username against guessing; this
/// guards the server against a flood of logins, each of which costs a deliberately slow password hash.
/// </summary>
internal static class LoginRateLimit
{
    public const string Policy = "login";

    public static void Register(IServiceCollection services, TagflowSettings settings) => services.AddRateLimiter(o =>
    {
        o.AddPolicy(Policy, context => settings.LoginsPerMinutePerAddress <= 0
            ? RateLimitPartition.GetNoLimiter("")
            : RateLimitPartition.GetFixedWindowLimiter(context.Connection.RemoteIpAddress?.ToString() ?? "", _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = settings.LoginsPerMinutePerAddress,
                Window = TimeSpan.FromMinutes(1),
                QueueLimit = 0,
            }));
        o.OnRejected = (rejected, _) => new ValueTask(WireResults.WriteTooManyRequestsAsync(rejected.HttpContext.Response,
            rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromMinutes(1),
            "Too many logins from this address."));
    });
}
