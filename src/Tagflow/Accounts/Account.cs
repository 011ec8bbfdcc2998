namespace Tagflow.Accounts;

/// <summary>The plans; API access needs Premium or higher. The numbers are the wire's <c>tier</c>.</summary>
internal enum Plan { Standard = 10, Premium = 20, Deluxe = 30, Enterprise = 40 }

internal sealed class Account
{
    public long Id { get; set; }
    public required string Username { get; set; }
    /// <summary>Lower-case username: usernames are unique regardless of case.</summary>
    public required string NormalizedUsername { get; set; }
    public string Email { get; set; } = "";
    public required string PasswordHash { get; set; }
    public Plan Plan { get; set; } = Plan.Premium;
    public string TimeZone { get; set; } = "Europe/Berlin";
    public string FirstName { get; set; } = "";
    public string LastName { get; set; } = "";
    public DateTime CreatedAt { get; set; }
    /// <summary>
    /// Raised by database triggers whenever the account's data fields, opt-in processes, tags or
    /// blocklist change, by any path; an instance's cached copy of them is good while it matches
    /// (see <see cref="ReferenceData"/>).
    /// </summary>
    public long ReferenceVersion { get; set; }

    public static string Normalize(string username) => username.Trim().ToLowerInvariant();
}

/// <summary>An integration vendor that customers grant API access to.</summary>
internal sealed class Developer
{
    public long Id { get; set; }
    public required string Name { get; set; }
    /// <summary>
    /// The developer key is derived from this salt and the server's key file (see <see cref="KeyRing"/>),
    /// so the database never holds the key itself.
    /// </summary>
    public required byte[] KeySalt { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>An account's grant to a developer: the customer key, stored only as its SHA-256.</summary>
internal sealed class ApiGrant
{
    public long Id { get; set; }
    public long AccountId { get; set; }
    public long DeveloperId { get; set; }
    public required string CustomerKeyHash { get; set; }
    /// <summary>The customer key's last four characters, so its owner can tell keys apart; empty for grants made before they were kept.</summary>
    public string CustomerKeyEnding { get; set; } = "";
    public DateTime CreatedAt { get; set; }
}

/// <summary>A login session; the session id is stored only as its SHA-256.</summary>
internal sealed class Session
{
    public long Id { get; set; }
    public long AccountId { get; set; }
    public required string TokenHash { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime LastSeenAt { get; set; }
}

/// <summary>Failed logins per username, kept in the database so every instance sees them.</summary>
internal sealed class LoginThrottle
{
    public required string NormalizedUsername { get; set; }
    public int Failures { get; set; }
    public DateTime? LockedUntil { get; set; }
    /// <summary>The last counted attempt: a row quiet for a day is removed by housekeeping.</summary>
    public DateTime LastAttemptAt { get; set; }
}
