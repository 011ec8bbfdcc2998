using Microsoft.EntityFrameworkCore;

namespace Tagflow.Data;

/// <summary>
/// The triggers that raise <see cref="Accounts.Account.ReferenceVersion"/> with every insert, update
/// and delete in the tables an instance caches per account (<see cref="Accounts.ReferenceData"/>).
/// In the database rather than in code, so that no path, the command line's included, can change
/// those tables without every instance noticing.
/// </summary>
internal static class ReferenceVersionTriggers
{
    public static readonly string[] Tables = ["DataFields", "OptInProcesses", "Tags", "Blocklist"];

    /// <summary>
    /// Creates whichever of the triggers is missing, at every start after the migrations: SQLite
    /// drops a table's triggers when a migration rebuilds the table, and without them every instance
    /// would serve stale reference data without noticing.
    /// </summary>
    public static async Task EnsureAsync(TagflowDb db, CancellationToken cancellationToken)
    {
        if (db is SqliteTagflowDb)
        {
            foreach (var sql in CreateSqlite()) await db.Database.ExecuteSqlRawAsync(sql, cancellationToken);
            return;
        }
        // Only when one is missing: instances starting together should not all replace them at once.
        var present = await db.Database.SqlQueryRaw<int>(
            "SELECT count(*)::int AS \"Value\" FROM pg_trigger WHERE NOT tgisinternal AND tgname LIKE 'TR\\_%\\_ReferenceVersion'")
            .SingleAsync(cancellationToken);
        if (present == Tables.Length) return;
        foreach (var sql in CreatePostgres()) await db.Database.ExecuteSqlRawAsync(sql, cancellationToken);
    }

    public static IEnumerable<string> CreateSqlite() =>
        from table in Tables
        from op in (string[])["INSERT", "UPDATE", "DELETE"]
        let rows = op switch { "INSERT" => "NEW.\"AccountId\"", "DELETE" => "OLD.\"AccountId\"", _ => "OLD.\"AccountId\", NEW.\"AccountId\"" }
        select $"""
            CREATE TRIGGER IF NOT EXISTS "TR_{table}_{op}_ReferenceVersion" AFTER {op} ON "{table}"
            BEGIN
                UPDATE "Accounts" SET "ReferenceVersion" = "ReferenceVersion" + 1 WHERE "Id" IN ({rows});
            END;
            """;

    public static IEnumerable<string> DropSqlite() =>
        from table in Tables
        from op in (string[])["INSERT", "UPDATE", "DELETE"]
        select $"""DROP TRIGGER IF EXISTS "TR_{table}_{op}_ReferenceVersion";""";

    private const string PostgresFunction = "tagflow_raise_reference_version";

    public static IEnumerable<string> CreatePostgres() =>
    [
        $"""
        CREATE OR REPLACE FUNCTION {PostgresFunction}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP <> 'INSERT' THEN
                UPDATE "Accounts" SET "ReferenceVersion" = "ReferenceVersion" + 1 WHERE "Id" = OLD."AccountId";
            END IF;
            IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW."AccountId" <> OLD."AccountId") THEN
                UPDATE "Accounts" SET "ReferenceVersion" = "ReferenceVersion" + 1 WHERE "Id" = NEW."AccountId";
            END IF;
            RETURN NULL;
        END
        $$;
        """,
        .. Tables.Select(table => $"""
            CREATE OR REPLACE TRIGGER "TR_{table}_ReferenceVersion" AFTER INSERT OR UPDATE OR DELETE ON "{table}"
            FOR EACH ROW EXECUTE FUNCTION {PostgresFunction}();
            """),
    ];

    public static IEnumerable<string> DropPostgres() =>
    [
        .. Tables.Select(table => $"""DROP TRIGGER IF EXISTS "TR_{table}_ReferenceVersion" ON "{table}";"""),
        $"DROP FUNCTION IF EXISTS {PostgresFunction}();",
    ];
}
