using Microsoft.EntityFrameworkCore;
using Tagflow.Data;
using Tagflow.OptIns;

namespace Tagflow.Accounts;

/// <summary>What <c>tagflow accounts show</c> tells of an account besides its own columns.</summary>
internal sealed record AccountDetails(Account Account, int Contacts, List<string> Developers, int Sessions);

/// <summary>Accounts, developers and grants: shared by the admin commands and the demo set-up.</summary>
internal sealed class AccountAdmin(TagflowDb db, KeyRing keys, TimeProvider clock, TagflowSettings settings, Writes writes)
{
    public async Task<Account> AddAccountAsync(string username, string password, string email, Plan plan, string timeZone, CancellationToken cancellationToken)
    {
        username = username.Trim();
        if (username.Length is 0 or > 100) throw new AdminException("The username must have 1 to 100 characters.");
        CheckPassword(password);
        CheckTimeZone(timeZone);
        var normalized = Account.Normalize(username);
        if (await db.Accounts.AnyAsync(a => a.NormalizedUsername == normalized, cancellationToken))
            throw new AdminException($"An account named '{username}' already exists.");

        var now = clock.GetUtcNow().UtcDateTime;
        var account = new Account
        {
            Username = username,
            NormalizedUsername = normalized,
            PasswordHash = Secrets.HashPassword(password, settings.PasswordIterations),
            Email = email.Trim(),
            Plan = plan,
            TimeZone = timeZone,
            CreatedAt = now,
        };
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        db.Accounts.Add(account);
        await SaveUniqueAsync($"An account named '{username}' already exists.", cancellationToken);
        // Every account starts with KlickTipp's predefined double opt-in process (it has an empty name).
        db.OptInProcesses.Add(OptInProcess.Predefined(account.Id, now));
        await db.SaveChangesAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return account;
    }

    public Task<List<Account>> ListAccountsAsync(CancellationToken cancellationToken) =>
        db.Accounts.AsNoTracking().OrderBy(a => a.Id).ToListAsync(cancellationToken);

    public async Task<AccountDetails> DescribeAsync(string username, CancellationToken cancellationToken)
    {
        var account = await FindAccountAsync(username, cancellationToken);
        var contacts = await db.Contacts.CountAsync(c => c.AccountId == account.Id, cancellationToken);
        var developers = await (from g in db.ApiGrants
                                join d in db.Developers on g.DeveloperId equals d.Id
                                where g.AccountId == account.Id
                                orderby g.Id
                                select d.Name).ToListAsync(cancellationToken);
        var sessions = await db.Sessions.CountAsync(s => s.AccountId == account.Id, cancellationToken);
        return new AccountDetails(account, contacts, developers, sessions);
    }

    /// <summary>
    /// Sets a new password. The account's sessions end, as whoever holds one may be who the new
    /// password locks out; and its failed logins are forgotten, so a locked account can log in at once.
    /// </summary>
    public async Task SetPasswordAsync(string username, string password, CancellationToken cancellationToken)
    {
        CheckPassword(password);
        var account = await FindAccountAsync(username, cancellationToken);
        var hash = Secrets.HashPassword(password, settings.PasswordIterations);
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Accounts.Where(a => a.Id == account.Id).ExecuteUpdateAsync(u => u.SetProperty(a => a.PasswordHash, hash), cancellationToken);
        await db.Sessions.Where(s => s.AccountId == account.Id).ExecuteDeleteAsync(cancellationToken);
        await db.LoginThrottles.Where(t => t.NormalizedUsername == account.NormalizedUsername).ExecuteDeleteAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
    }

    public async Task SetPlanAsync(string username, Plan plan, CancellationToken cancellationToken)
    {
        var account = await FindAccountAsync(username, cancellationToken);
        await db.Accounts.Where(a => a.Id == account.Id).ExecuteUpdateAsync(u => u.SetProperty(a => a.Plan, plan), cancellationToken);
    }

    public async Task SetTimeZoneAsync(string username, string timeZone, CancellationToken cancellationToken)
    {
        CheckTimeZone(timeZone);
        var account = await FindAccountAsync(username, cancellationToken);
        await db.Accounts.Where(a => a.Id == account.Id).ExecuteUpdateAsync(u => u.SetProperty(a => a.TimeZone, timeZone), cancellationToken);
    }

    /// <summary>
    /// Removes an account and everything of it. The account's row takes most of it with it (the
    /// model's cascades: contacts with their fields, tags, tokens, runs, sent emails and deliveries;
    /// tags, fields, processes, blocklist, events, grants, sessions). Campaigns and webhooks go first,
    /// as they restrict the deletion of their tags, and listbuilding keys, as they restrict that of
    /// their processes; failed logins are kept by username, with no key to cascade from. The
    /// uploaded files of its imports that have not ended are deleted once the rest is gone.
    /// </summary>
    public async Task RemoveAccountAsync(string username, CancellationToken cancellationToken)
    {
        var account = await FindAccountAsync(username, cancellationToken);
        var id = account.Id;
        // The account's lock: a change to its contacts that is under way commits before, or finds no account after.
        await using var write = await writes.BeginAsync(id, cancellationToken);
        var uploads = await db.ImportJobs.Where(j => j.AccountId == id && j.OwnsFile && j.FinishedAt == null).Select(j => j.FilePath).ToListAsync(cancellationToken);
        await db.Campaigns.Where(c => c.AccountId == id).ExecuteDeleteAsync(cancellationToken);
        await db.Webhooks.Where(w => w.AccountId == id).ExecuteDeleteAsync(cancellationToken);
        await db.ListbuildingKeys.Where(k => k.AccountId == id).ExecuteDeleteAsync(cancellationToken);
        await db.LoginThrottles.Where(t => t.NormalizedUsername == account.NormalizedUsername).ExecuteDeleteAsync(cancellationToken);
        // No foreign key: the mail queue records what it dropped without waiting on the account's lock.
        await db.MailFailures.Where(f => f.AccountId == id).ExecuteDeleteAsync(cancellationToken);
        await db.Accounts.Where(a => a.Id == id).ExecuteDeleteAsync(cancellationToken);
        await write.CommitAsync(cancellationToken);
        foreach (var upload in uploads) File.Delete(upload); // an import still reading one stops at its next batch, finding no account
    }

    /// <summary>Registers a developer and returns its key (64 hex characters).</summary>
    public async Task<string> AddDeveloperAsync(string name, CancellationToken cancellationToken)
    {
        name = name.Trim();
        if (name.Length is 0 or > 100) throw new AdminException("The developer name must have 1 to 100 characters.");
        if (await db.Developers.AnyAsync(d => d.Name == name, cancellationToken))
            throw new AdminException($"A developer named '{name}' already exists.");
        var developer = new Developer
        {
            Name = name,
            KeySalt = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32),
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        db.Developers.Add(developer);
        await SaveUniqueAsync($"A developer named '{name}' already exists.", cancellationToken);
        return keys.DeveloperKey(developer.KeySalt);
    }

    /// <summary>
    /// Grants a developer access to an account and returns the new customer key. Granting again
    /// replaces the earlier key, which stops working at once.
    /// </summary>
    public async Task<string> GrantAsync(string username, string developerName, CancellationToken cancellationToken)
    {
        var (account, developer) = await FindPairAsync(username, developerName, cancellationToken);
        var customerKey = Secrets.NewToken(16);
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.ApiGrants.Where(g => g.AccountId == account.Id && g.DeveloperId == developer.Id)
            .ExecuteDeleteAsync(cancellationToken);
        db.ApiGrants.Add(new ApiGrant
        {
            AccountId = account.Id,
            DeveloperId = developer.Id,
            CustomerKeyHash = Secrets.LookupHash(customerKey),
            CustomerKeyEnding = customerKey[^4..],
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        });
        await SaveUniqueAsync($"Another grant of '{developer.Name}' to '{account.Username}' was made at the same moment: try again.", cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return customerKey;
    }

    public async Task RevokeAsync(string username, string developerName, CancellationToken cancellationToken)
    {
        var (account, developer) = await FindPairAsync(username, developerName, cancellationToken);
        var removed = await db.ApiGrants.Where(g => g.AccountId == account.Id && g.DeveloperId == developer.Id)
            .ExecuteDeleteAsync(cancellationToken);
        if (removed == 0)
            throw new AdminException($"'{account.Username}' has not granted access to '{developer.Name}'.");
    }

    public Task<List<Developer>> ListDevelopersAsync(CancellationToken cancellationToken) =>
        db.Developers.AsNoTracking().OrderBy(d => d.Id).ToListAsync(cancellationToken);

    /// <summary>Removes a developer with its grants: every customer key made for it stops working at once.</summary>
    public async Task RemoveDeveloperAsync(string name, CancellationToken cancellationToken)
    {
        var trimmed = name.Trim();
        if (await db.Developers.Where(d => d.Name == trimmed).ExecuteDeleteAsync(cancellationToken) == 0)
            throw new AdminException($"No developer named '{name}'.");
    }

    /// <summary>The account with this username, in any case.</summary>
    public async Task<Account> FindAccountAsync(string username, CancellationToken cancellationToken)
    {
        var normalized = Account.Normalize(username);
        return await db.Accounts.AsNoTracking().SingleOrDefaultAsync(a => a.NormalizedUsername == normalized, cancellationToken)
            ?? throw new AdminException($"No account named '{username}'.");
    }

    private async Task<(Account, Developer)> FindPairAsync(string username, string developerName, CancellationToken cancellationToken)
    {
        var account = await FindAccountAsync(username, cancellationToken);
        var name = developerName.Trim();
        var developer = await db.Developers.AsNoTracking().SingleOrDefaultAsync(d => d.Name == name, cancellationToken)
            ?? throw new AdminException($"No developer named '{developerName}': add it with 'tagflow developers add'.");
        return (account, developer);
    }

    private static void CheckPassword(string password)
    {
        if (password.Length < 8) throw new AdminException("The password must have at least 8 characters.");
    }

    /// <summary>An IANA name (as dates on the wire need it everywhere), not a Windows one that this machine could translate.</summary>
    private static void CheckTimeZone(string timeZone)
    {
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out var zone) || !zone.HasIanaId)
            throw new AdminException($"Unknown time zone '{timeZone}': use an IANA name such as Europe/Berlin.");
    }

    // A unique index guards against two processes adding the same name at once.
    private async Task SaveUniqueAsync(string message, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            throw new AdminException(message);
        }
    }
}
