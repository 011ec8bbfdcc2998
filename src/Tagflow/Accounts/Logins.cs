using Microsoft.EntityFrameworkCore;
using Tagflow.Data;

namespace Tagflow.Accounts;

internal abstract record LoginResult
{
    public sealed record Succeeded(Account Account) : LoginResult;
    public sealed record WrongCredentials : LoginResult;
    public sealed record LockedOut(TimeSpan RetryAfter) : LoginResult;
}

/// <summary>
/// Password checks with a lockout per username: after a few failures each further failure locks the
/// username for twice as long as the one before (30 s, 1 min, 2 min, … up to 15 min).
/// </summary>
internal sealed partial class Logins(TagflowDb db, TimeProvider clock, TagflowSettings settings, ILogger<Logins> logger)
{
    private static readonly TimeSpan FirstLock = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan LongestLock = TimeSpan.FromMinutes(15);

    public async Task<LoginResult> CheckAsync(string username, string password, CancellationToken cancellationToken)
    {
        var normalized = Account.Normalize(username);
        var now = clock.GetUtcNow().UtcDateTime;
        var throttle = await db.LoginThrottles.AsNoTracking().SingleOrDefaultAsync(t => t.NormalizedUsername == normalized, cancellationToken);
        if (throttle?.LockedUntil is { } until && until > now)
            return new LoginResult.LockedOut(until - now);

        var account = await db.Accounts.AsNoTracking().SingleOrDefaultAsync(a => a.NormalizedUsername == normalized, cancellationToken);
        if (account is null)
            Secrets.BurnPasswordCheck(settings.PasswordIterations);
        else if (Secrets.VerifyPassword(password, account.PasswordHash))
        {
            if (throttle is not null)
                await db.LoginThrottles.Where(t => t.NormalizedUsername == normalized).ExecuteDeleteAsync(cancellationToken);
            return new LoginResult.Succeeded(account);
        }

        await RecordFailureAsync(normalized, throttle, now, cancellationToken);
        return new LoginResult.WrongCredentials();
    }

    private async Task RecordFailureAsync(string normalized, LoginThrottle? known, DateTime now, CancellationToken cancellationToken)
    {
        var failures = (known?.Failures ?? 0) + 1;
        DateTime? lockedUntil = null;
        var over = failures - settings.LoginFailuresBeforeLockout;
        if (over >= 0)
        {
            var seconds = Math.Min(FirstLock.TotalSeconds * Math.Pow(2, Math.Min(over, 20)), LongestLock.TotalSeconds);
            lockedUntil = now.AddSeconds(seconds);
            LogLockout(logger, normalized, failures, seconds);
        }
        if (known is null)
        {
            db.LoginThrottles.Add(new LoginThrottle { NormalizedUsername = normalized, Failures = failures, LockedUntil = lockedUntil });
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return;
            }
            catch (DbUpdateException)
            {
                db.ChangeTracker.Clear(); // another request recorded a failure first: count on top of it
            }
        }
        await db.LoginThrottles.Where(t => t.NormalizedUsername == normalized)
            .ExecuteUpdateAsync(u => u.SetProperty(t => t.Failures, t => t.Failures + 1).SetProperty(t => t.LockedUntil, lockedUntil), cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Login for {Username} locked for {Seconds} s after {Failures} failed attempts")]
    private static partial void LogLockout(ILogger logger, string username, int failures, double seconds);
}
