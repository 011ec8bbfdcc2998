using Microsoft.EntityFrameworkCore;
using Tagflow.Data;

namespace Tagflow.Accounts;

/// <summary>Login sessions, kept in the database so they survive restarts and serve every instance.</summary>
internal sealed class Sessions(TagflowDb db, TimeProvider clock, TagflowSettings settings)
{
    /// <summary>The cookie name login answers as <c>session_name</c>.</summary>
    public const string CookieName = "TFSESSID";

    // Idle time is tracked coarsely, so that a busy session does not write on every request: at most
    // once a minute, and always often enough that a session in use never looks idle.
    private TimeSpan TouchInterval => TimeSpan.FromTicks(Math.Min(TimeSpan.FromMinutes(1).Ticks, settings.SessionIdleTimeout.Ticks / 4));

    public async Task<string> CreateAsync(long accountId, CancellationToken cancellationToken)
    {
        var token = Secrets.NewToken();
        var now = clock.GetUtcNow().UtcDateTime;
        // The account's expired sessions go when it logs in again, so the table does not grow without end.
        var expired = now - settings.SessionIdleTimeout;
        await db.Sessions.Where(s => s.AccountId == accountId && s.LastSeenAt < expired).ExecuteDeleteAsync(cancellationToken);
        db.Sessions.Add(new Session { AccountId = accountId, TokenHash = Secrets.LookupHash(token), CreatedAt = now, LastSeenAt = now });
        await db.SaveChangesAsync(cancellationToken);
        return token;
    }

    /// <summary>The live session for a token, with its account; an idle-expired session is removed.</summary>
    /// <summary>A session with its account by token hash; compiled once, as every request with a session asks it.</summary>
    private static readonly CompiledQuery<Func<TagflowDb, string, CancellationToken, Task<SessionFound?>>> FindByHash = new(() => EF.CompileAsyncQuery(
        (TagflowDb db, string hash, CancellationToken cancellationToken) => (
            from s in db.Sessions
            join a in db.Accounts on s.AccountId equals a.Id
            where s.TokenHash == hash
            select new SessionFound(s, a)).AsNoTracking().SingleOrDefault()));

    private sealed record SessionFound(Session Session, Account Account);

    public async Task<(Account Account, long SessionId)?> FindAsync(string token, CancellationToken cancellationToken)
    {
        var found = await FindByHash.For(db)(db, Secrets.LookupHash(token), cancellationToken);
        if (found is null) return null;

        var now = clock.GetUtcNow().UtcDateTime;
        var idle = now - found.Session.LastSeenAt;
        if (idle > settings.SessionIdleTimeout)
        {
            await db.Sessions.Where(s => s.Id == found.Session.Id).ExecuteDeleteAsync(cancellationToken);
            return null;
        }
        if (idle > TouchInterval)
            await db.Sessions.Where(s => s.Id == found.Session.Id)
                .ExecuteUpdateAsync(u => u.SetProperty(s => s.LastSeenAt, now), cancellationToken);
        return (found.Account, found.Session.Id);
    }

    public Task EndAsync(long sessionId, CancellationToken cancellationToken) =>
        db.Sessions.Where(s => s.Id == sessionId).ExecuteDeleteAsync(cancellationToken);
}
