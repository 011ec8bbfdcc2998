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
/// Password checks with a lockout per username: after a few failures the username is locked, for
/// 30 s and then twice as long after each further failure, up to 15 min. Each attempt is counted
/// before its password is checked, in one conditional update, so parallel requests cannot slip
/// extra guesses past the lock, on one instance or on several.
/// </summary>
internal sealed partial class Logins(TagflowDb db, TimeProvider clock, TagflowSettings settings, ILogger<Logins> logger)
{
    private static readonly TimeSpan FirstLock = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan LongestLock = TimeSpan.FromMinutes(15);

    public async Task<LoginResult> CheckAsync(string username, string password, CancellationToken cancellationToken)
    {
        var normalized = Account.Normalize(username);
        var now = clock.GetUtcNow().UtcDateTime;
        var attempt = await ReserveAttemptAsync(normalized, now, cancellationToken);
        if (attempt is null)
        {
            var until = await db.LoginThrottles.Where(t => t.NormalizedUsername == normalized)
                .Select(t => t.LockedUntil).SingleAsync(cancellationToken);
            return new LoginResult.LockedOut((until ?? now) - now);
        }

        var account = await db.Accounts.AsNoTracking().SingleOrDefaultAsync(a => a.NormalizedUsername == normalized, cancellationToken);
        if (account is null)
            Secrets.BurnPasswordCheck(settings.PasswordIterations);
        else if (Secrets.VerifyPassword(password, account.PasswordHash))
        {
            await db.LoginThrottles.Where(t => t.NormalizedUsername == normalized)
                .ExecuteUpdateAsync(u => u.SetProperty(t => t.Failures, 0).SetProperty(t => t.LockedUntil, (DateTime?)null), cancellationToken);
            return new LoginResult.Succeeded(account);
        }

        if (attempt >= settings.LoginFailuresBeforeLockout)
        {
            // The reservation locked for the shortest time; this failure earns the full back-off.
            var until = now + LockFor(attempt.Value);
            await db.LoginThrottles.Where(t => t.NormalizedUsername == normalized && (t.LockedUntil == null || t.LockedUntil < until))
                .ExecuteUpdateAsync(u => u.SetProperty(t => t.LockedUntil, until), cancellationToken);
            LogLockout(logger, normalized, attempt.Value, LockFor(attempt.Value).TotalSeconds);
        }
        return new LoginResult.WrongCredentials();
    }

    /// <summary>
    /// Counts an attempt unless the username is locked, and locks it at once when this attempt
    /// reaches the limit; answers the attempt's number, or null when locked.
    /// </summary>
    private async Task<int?> ReserveAttemptAsync(string normalized, DateTime now, CancellationToken cancellationToken)
    {
        if (!await db.LoginThrottles.AnyAsync(t => t.NormalizedUsername == normalized, cancellationToken))
        {
            db.LoginThrottles.Add(new LoginThrottle { NormalizedUsername = normalized, LastAttemptAt = now });
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException)
            {
                // another request created the row first
            }
            db.ChangeTracker.Clear();
        }

        var limit = settings.LoginFailuresBeforeLockout;
        var provisional = now + FirstLock;
        var reserved = await db.LoginThrottles
            .Where(t => t.NormalizedUsername == normalized && (t.LockedUntil == null || t.LockedUntil <= now))
            .ExecuteUpdateAsync(u => u
                .SetProperty(t => t.Failures, t => t.Failures + 1)
                .SetProperty(t => t.LastAttemptAt, now)
                .SetProperty(t => t.LockedUntil, t => t.Failures + 1 >= limit ? provisional : (DateTime?)null), cancellationToken);
        if (reserved == 0) return null;
        return await db.LoginThrottles.Where(t => t.NormalizedUsername == normalized).Select(t => t.Failures).SingleAsync(cancellationToken);
    }

    private TimeSpan LockFor(int failures) => TimeSpan.FromSeconds(Math.Min(
        FirstLock.TotalSeconds * Math.Pow(2, Math.Min(failures - settings.LoginFailuresBeforeLockout, 20)),
        LongestLock.TotalSeconds));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Login for {Username} locked for {Seconds} s after {Failures} failed attempts")]
    private static partial void LogLockout(ILogger logger, string username, int failures, double seconds);
}
