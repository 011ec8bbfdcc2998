using Tagflow.Accounts;
using Tagflow.Data;
using Tagflow.Delivery;

namespace Tagflow;

/// <summary>Everything an operator can set, from command-line options or TAGFLOW_* variables.</summary>
internal sealed record TagflowSettings
{
    public const string DefaultUrls = "http://127.0.0.1:5080";

    public required DatabaseTarget Database { get; init; }
    /// <summary>The server key file from which developer keys are derived.</summary>
    public required string KeyFile { get; init; }
    public string Urls { get; init; } = DefaultUrls;
    /// <summary>
    /// Where <c>/metrics</c> is served for Prometheus, on ports of its own that serve nothing else
    /// (<see cref="Metrics.MetricsEndpoint"/>); null: no metrics at all.
    /// </summary>
    public string? MetricsUrls { get; init; }
    /// <summary>
    /// The address people reach this server at (behind a reverse proxy, its public https URL), for the
    /// links in emails and the default opt-in pages; null for the address the server listens on.
    /// </summary>
    public string? PublicUrl { get; init; }
    public TimeSpan SessionIdleTimeout { get; init; } = TimeSpan.FromMinutes(60);
    public long MaxBodyBytes { get; init; } = 1024 * 1024;
    public int PasswordIterations { get; init; } = Secrets.DefaultPasswordIterations;
    /// <summary>Logins accepted per client address and minute; 0 turns the limit off.</summary>
    public int LoginsPerMinutePerAddress { get; init; } = 60;
    /// <summary>Listbuilding calls accepted per API key and minute, and as many per client address; 0 turns the limits off.</summary>
    public int SignInsPerMinute { get; init; } = 60;
    /// <summary>Failed logins for one username before it is locked for a while.</summary>
    public int LoginFailuresBeforeLockout { get; init; } = 5;
    /// <summary>The SMTP relay for Tagflow's email; null writes each message into <see cref="OutboxDirectory"/> instead.</summary>
    public SmtpTarget? Smtp { get; init; }
    /// <summary>How fast, and over how many connections, the queue sends through the relay.</summary>
    public SmtpLimits SmtpLimits { get; init; } = SmtpLimits.None;
    /// <summary>How long the relay may take to accept a message before it counts as not sent.</summary>
    public TimeSpan SmtpTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Whether webhooks may call private, loopback and link-local addresses (see <see cref="Webhooks.WebhookTargets"/>).</summary>
    public bool WebhookAllowPrivate { get; init; }
    /// <summary>How often the automation worker looks for due work when nothing wakes it (another instance's changes, waits that end).</summary>
    public TimeSpan AutomationPoll { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>
    /// The reverse proxies whose <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> are believed (addresses
    /// or networks); empty: the headers are ignored and the connection's own address is the client's.
    /// </summary>
    public IReadOnlyList<System.Net.IPNetwork> TrustedProxies { get; init; } = [];
    /// <summary>How long housekeeping keeps records (see <see cref="Housekeeping.HousekeepingJob"/>).</summary>
    public Housekeeping.Retention Retention { get; init; } = new();
    /// <summary>Where messages go without an SMTP relay; null for <see cref="DefaultOutbox"/>.</summary>
    public string? OutboxDirectory { get; init; }

    /// <summary>Bounce addresses, how bounces and complaints come back, and when soft bounces make a hard one.</summary>
    public Bounces.BounceSettings Bounces { get; init; } = new();

    /// <summary>The folder of the DKIM keys mail through the SMTP relay is signed with; null for <see cref="DefaultDkim"/>.</summary>
    public string? DkimDirectory { get; init; }

    /// <summary>Where uploaded import files wait until imported; null for <see cref="DefaultImports"/>.</summary>
    public string? ImportDirectory { get; init; }
    /// <summary>An import whose importer has not written for this long (it crashed) is taken over and resumed.</summary>
    public TimeSpan ImportLease { get; init; } = TimeSpan.FromMinutes(1);
    /// <summary>The largest file <c>POST /import</c> accepts.</summary>
    public long MaxImportBytes { get; init; } = 4L * 1024 * 1024 * 1024;

    /// <summary>The <c>imports</c> folder beside an SQLite database, or in the working directory for PostgreSQL.</summary>
    public static string DefaultImports(DatabaseTarget db) =>
        Path.Combine(db.SqlitePath is { } path ? Path.GetDirectoryName(Path.GetFullPath(path))! : Directory.GetCurrentDirectory(), "imports");

    /// <summary>The <c>outbox</c> folder beside an SQLite database, or in the working directory for PostgreSQL.</summary>
    public static string DefaultOutbox(DatabaseTarget db) =>
        Path.Combine(db.SqlitePath is { } path ? Path.GetDirectoryName(Path.GetFullPath(path))! : Directory.GetCurrentDirectory(), "outbox");

    /// <summary>The <c>dkim</c> folder beside an SQLite database, or in the working directory for PostgreSQL.</summary>
    public static string DefaultDkim(DatabaseTarget db) =>
        Path.Combine(db.SqlitePath is { } path ? Path.GetDirectoryName(Path.GetFullPath(path))! : Directory.GetCurrentDirectory(), "dkim");

    /// <summary>The key file beside an SQLite database, or in the working directory for PostgreSQL.</summary>
    public static string DefaultKeyFile(DatabaseTarget db) =>
        db.SqlitePath is { } path ? path + ".key" : Path.GetFullPath("tagflow.key");
}
