using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Npgsql;

namespace Tagflow.Data;

internal static class DataSetup
{
    /// <summary>Registers <see cref="TagflowDb"/> for the provider the target names.</summary>
    public static IServiceCollection AddTagflowDb(this IServiceCollection services, DatabaseTarget target)
    {
        services.AddSingleton(target);
        if (target.Provider == DatabaseProvider.Postgres)
        {
            services.AddSingleton(_ => PostgresDataSource(target.ConnectionString));
            services.AddDbContextPool<TagflowDb, PostgresTagflowDb>((sp, o) =>
                ConfigurePostgres(o, sp.GetRequiredService<NpgsqlDataSource>()));
        }
        else
        {
            services.AddDbContextPool<TagflowDb, SqliteTagflowDb>(o => ConfigureSqlite(o, target.ConnectionString));
        }
        return services;
    }

    /// <summary>
    /// Every PostgreSQL session commits synchronously, whatever the server's default: a 2xx answer
    /// means the change is in the server's write-ahead log on disk. Unless the connection string says
    /// otherwise, the statements a connection runs often are prepared on it (<c>Max Auto Prepare</c>:
    /// PostgreSQL parses them once per connection, not at each call), and a connection handed back to
    /// the pool is not reset (<c>No Reset On Close</c>: the reset costs the server a statement at each
    /// reuse, two to four per request, measured; Tagflow leaves no session state behind, its locks and
    /// settings being the transaction's).
    /// </summary>
    public static NpgsqlDataSource PostgresDataSource(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        var settings = builder.ConnectionStringBuilder;
        settings.Options = $"{settings.Options} -c synchronous_commit=on".Trim();
        var given = new NpgsqlConnectionStringBuilder(connectionString);
        if (!Given(given, nameof(NpgsqlConnectionStringBuilder.MaxAutoPrepare))) settings.MaxAutoPrepare = PreparedPerConnection;
        if (!Given(given, nameof(NpgsqlConnectionStringBuilder.NoResetOnClose))) settings.NoResetOnClose = true;
        return builder.Build();
    }

    /// <summary>Statements each PostgreSQL connection keeps prepared, unless the connection string says otherwise (about as many as Tagflow's frequent ones).</summary>
    public const int PreparedPerConnection = 64;

    /// <summary>Whether the connection string sets the option (under any of its names).</summary>
    private static bool Given(NpgsqlConnectionStringBuilder given, string property) =>
        given.Keys.Cast<string>().Any(key => string.Equals(key.Replace(" ", ""), property, StringComparison.OrdinalIgnoreCase));

    public static void ConfigureSqlite(DbContextOptionsBuilder o, string connectionString) =>
        o.UseSqlite(connectionString, s => s.MigrationsAssembly(typeof(TagflowDb).Assembly.GetName().Name))
            .AddInterceptors(SqlitePragmas.Instance)
            // A migration that changes a column rebuilds its table, and EF turns foreign keys off around the
            // rebuild (else dropping the old table would delete the rows that refer to it), a PRAGMA that
            // SQLite ignores inside a transaction: such a migration runs as a few transactions with the
            // PRAGMA between them, and a crash in that moment leaves it half applied (the next start then
            // fails on it; a backup taken before an upgrade is the way back). EF warns about it on every
            // new database, where there is nothing to lose; the warning is for whoever writes a migration,
            // and README's "migrations" section says it there.
            .ConfigureWarnings(w => w.Ignore(RelationalEventId.NonTransactionalMigrationOperationWarning));

    public static void ConfigurePostgres(DbContextOptionsBuilder o, NpgsqlDataSource dataSource) =>
        o.UseNpgsql(dataSource).AddInterceptors(StatementsAhead.Instance);

    /// <summary>Creates the schema or brings it up to date. Safe to run from several processes at once.</summary>
    public static async Task MigrateAsync(TagflowDb db, CancellationToken cancellationToken)
    {
        await db.Database.MigrateAsync(cancellationToken);
        await ReferenceVersionTriggers.EnsureAsync(db, cancellationToken);
        if (db is SqliteTagflowDb)
            // WAL lets readers and one writer work at once; the setting is kept in the file.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        await RefreshStatisticsAsync(db, gate: null, cancellationToken);
    }

    /// <summary>
    /// Lets the query planner know the tables' sizes. Without statistics it guesses, and at a million
    /// contacts a wrong guess is a scan: on SQLite a partial index of the few unsubscribed contacts
    /// looks no better than the whole table; on PostgreSQL a contact's lookup by address took the
    /// index of the account's contacts by change instead of the one by address (1–2 ms instead of
    /// 0.02 ms at a few thousand contacts, measured), and a connection's prepared statement keeps such
    /// a plan until the table is analysed again. Run at start, after each import and by each
    /// housekeeping round; on PostgreSQL also every few seconds (<see cref="Housekeeping.PlannerStatistics"/>). On SQLite <c>PRAGMA optimize</c> analyses only the tables that grew or
    /// shrank much since their last analysis, and <c>analysis_limit</c> keeps each one to a sample, a
    /// few milliseconds at any size; it writes: beside the server's writer it holds the write gate (at
    /// start there is no writer yet, and no gate). On PostgreSQL, whose autovacuum analyses a table
    /// once a tenth of it changed, but only at its next round (a minute apart by default), the tables
    /// never analysed, or changed by more than a tenth since, are analysed here at once (an import,
    /// or a new database's first minute, is followed by requests at once).
    /// </summary>
    public static async Task RefreshStatisticsAsync(TagflowDb db, SqliteWriteGate? gate, CancellationToken cancellationToken)
    {
        if (db is not SqliteTagflowDb)
        {
            var stale = await db.Database.SqlQueryRaw<string>(StalePostgresTables).ToListAsync(cancellationToken);
            if (stale.Count == 0) return;
            // The names come from the catalog, quoted as identifiers.
            // SKIP_LOCKED: a table autovacuum is working on is left to it (waiting for it would cancel its vacuum).
            var analyze = "ANALYZE (SKIP_LOCKED) " + string.Join(", ", stale.Select(table => '"' + table.Replace("\"", "\"\"") + '"'));
            await db.Database.ExecuteSqlRawAsync(analyze, cancellationToken);
            return;
        }
        using (gate is null ? null : await gate.HoldAsync(db, cancellationToken))
            await db.Database.ExecuteSqlRawAsync("PRAGMA analysis_limit=1000; PRAGMA optimize=0x10002;", cancellationToken);
    }

    /// <summary>Tagflow's PostgreSQL tables that were never analysed, or that changed by more than a tenth (and 50 rows) since.</summary>
    private const string StalePostgresTables = """
        SELECT relname AS "Value" FROM pg_stat_user_tables
        WHERE schemaname = current_schema()
          AND (COALESCE(last_analyze, last_autoanalyze) IS NULL OR n_mod_since_analyze > 50 + n_live_tup / 10)
        ORDER BY relname
        """;

    /// <summary>
    /// Every SQLite connection runs with synchronous=FULL, so a committed write is on disk before
    /// Tagflow answers, and with foreign keys enforced. Each pooled connection keeps a small page cache
    /// (512 KB): the operating system caches the file once for all of them, and many connections at
    /// the default 2 MB each would cost more memory than they save reads. The settings belong to the native connection,
    /// which Microsoft.Data.Sqlite pools: they are set once per native connection, not at every open.
    /// </summary>
    private sealed class SqlitePragmas : DbConnectionInterceptor
    {
        public static readonly SqlitePragmas Instance = new();
        private const string Pragmas = "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000; PRAGMA cache_size=-512;";
        private readonly ConditionalWeakTable<SQLitePCL.sqlite3, object> _configured = new();

        public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
        {
            if (!NeedsPragmas(connection, out var handle)) return;
            using var cmd = connection.CreateCommand();
            cmd.CommandText = Pragmas;
            cmd.ExecuteNonQuery();
            if (handle is not null) _configured.AddOrUpdate(handle, this);
        }

        public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            if (!NeedsPragmas(connection, out var handle)) return;
            await using var cmd = connection.CreateCommand();
            cmd.CommandText = Pragmas;
            await cmd.ExecuteNonQueryAsync(cancellationToken);
            if (handle is not null) _configured.AddOrUpdate(handle, this);
        }

        private bool NeedsPragmas(DbConnection connection, out SQLitePCL.sqlite3? handle)
        {
            handle = (connection as SqliteConnection)?.Handle;
            return handle is null || !_configured.TryGetValue(handle, out _);
        }
    }
}
