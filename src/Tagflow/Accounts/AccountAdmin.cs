using Microsoft.EntityFrameworkCore;
using Tagflow.Data;
using Tagflow.OptIns;

namespace Tagflow.Accounts;

/// <summary>Thrown for an admin action that cannot be done as asked; the message says why.</summary>
internal sealed class AdminException(string message) : Exception(message);

/// <summary>Creating accounts, developers and grants: shared by the admin commands and the demo set-up.</summary>
internal sealed class AccountAdmin(TagflowDb db, KeyRing keys, TimeProvider clock, TagflowSettings settings)
{
    public async Task<Account> AddAccountAsync(string username, string password, string email, Plan plan, string timeZone, CancellationToken cancellationToken)
    {
        username = username.Trim();
        if (username.Length is 0 or > 100) throw new AdminException("The username must have 1 to 100 characters.");
        if (password.Length < 8) throw new AdminException("The password must have at least 8 characters.");
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out _))
            throw new AdminException($"Unknown time zone '{timeZone}': use an IANA name such as Europe/Berlin.");
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
