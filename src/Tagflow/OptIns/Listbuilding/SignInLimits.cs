using System.Threading.RateLimiting;
using Tagflow.Contacts;

namespace Tagflow.OptIns;

/// <summary>
/// The limits of the listbuilding calls: so many per minute per key and as many per client address
/// (a fixed window each). The key is limited by its hash, so that guessing keys is limited by
/// address and a leaked key cannot flood an account.
/// </summary>
internal sealed class SignInLimits(TagflowSettings settings) : IDisposable
{
    private const string RefusedItem = "tagflow.signin.retry-after";

    private readonly PartitionedRateLimiter<string> _perAddress = Create(settings.SignInsPerMinute);
    private readonly PartitionedRateLimiter<string> _perKey = Create(settings.SignInsPerMinute);

    private static PartitionedRateLimiter<string> Create(int perMinute) => PartitionedRateLimiter.Create<string, string>(partition => perMinute <= 0
        ? RateLimitPartition.GetNoLimiter(partition)
        : RateLimitPartition.GetFixedWindowLimiter(partition, _ => new FixedWindowRateLimiterOptions { PermitLimit = perMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));

    /// <summary>Counts the call against its address and its key (by its hash); false (and the wait noted on the request) when either is spent.</summary>
    public bool Admit(HttpContext http, string keyHash)
    {
        foreach (var (limiter, partition) in new[] { (_perAddress, ChangeOrigin.ClientIp(http)), (_perKey, keyHash) })
        {
            using var lease = limiter.AttemptAcquire(partition);
            if (lease.IsAcquired) continue;
            http.Items[RefusedItem] = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
            return false;
        }
        return true;
    }

    /// <summary>The wait when <see cref="Admit"/> refused this request; null when it did not.</summary>
    public TimeSpan? RetryAfter(HttpContext http) => http.Items.TryGetValue(RefusedItem, out var wait) ? (TimeSpan)wait! : null;

    public void Dispose()
    {
        _perAddress.Dispose();
        _perKey.Dispose();
    }
}
