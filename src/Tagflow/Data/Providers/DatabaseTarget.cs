using Microsoft.Data.Sqlite;
using Npgsql;

namespace Tagflow.Data;

internal enum DatabaseProvider { Sqlite, Postgres }

/// <summary>What <c>--db</c> names: an SQLite file path or a PostgreSQL connection string or URL.</summary>
internal sealed record DatabaseTarget(DatabaseProvider Provider, string ConnectionString, string? SqlitePath)
{
    public const string DefaultSqliteFile = "tagflow.db";

    public static DatabaseTarget Parse(string? value)
    {
        var db = string.IsNullOrWhiteSpace(value) ? DefaultSqliteFile : value.Trim();
        try
        {
            return ParseOrThrow(db);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or KeyNotFoundException)
        {
            throw new AdminException("--db is neither an SQLite file path nor a PostgreSQL connection string "
                + $"(Host=…;Database=…) or URL (postgres://user:pass@host:5432/db): {e.Message}");
        }
    }

    private static DatabaseTarget ParseOrThrow(string db)
    {
        if (db.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) ||
            db.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
            return new(DatabaseProvider.Postgres, FromUrl(db), null);
        if (db.Contains('=', StringComparison.Ordinal) && db.Contains(';', StringComparison.Ordinal) ||
            db.StartsWith("Host=", StringComparison.OrdinalIgnoreCase))
            return new(DatabaseProvider.Postgres, new NpgsqlConnectionStringBuilder(db).ConnectionString, null);

        var path = Path.GetFullPath(db);
        var sqlite = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            // Seconds a statement waits for another writer (a server and an admin command may share the file).
            DefaultTimeout = 30,
        };
        return new(DatabaseProvider.Sqlite, sqlite.ConnectionString, path);
    }

    /// <summary>A description without the password, fit for the log.</summary>
    public string Describe() => Provider == DatabaseProvider.Sqlite
        ? $"SQLite file {SqlitePath}"
        : DescribePostgres(ConnectionString);

    private static string DescribePostgres(string connectionString)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        return $"PostgreSQL {b.Host}:{b.Port}/{b.Database}";
    }

    private static string FromUrl(string url)
    {
        var uri = new Uri(url);
        var b = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.Port > 0 ? uri.Port : 5432,
            Database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/')),
        };
        if (uri.UserInfo.Length > 0)
        {
            var parts = uri.UserInfo.Split(':', 2);
            b.Username = Uri.UnescapeDataString(parts[0]);
            if (parts.Length == 2) b.Password = Uri.UnescapeDataString(parts[1]);
        }
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            var key = Uri.UnescapeDataString(kv[0]);
            b[key == "sslmode" ? "SSL Mode" : key] = kv.Length == 2 ? Uri.UnescapeDataString(kv[1]) : "";
        }
        return b.ConnectionString;
    }
}
