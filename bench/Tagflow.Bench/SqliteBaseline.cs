using System.Diagnostics;
using Microsoft.Data.Sqlite;

namespace Tagflow.Bench;

internal sealed record BaselineResult(string SqliteVersion, double UpsertsPerSecond, Latency UpsertLatency, double LookupsPerSecond, long Rows);

/// <summary>
/// What the disk and SQLite allow without Tagflow: one writer, one durable upsert per transaction,
/// in WAL mode with synchronous=FULL as the server runs, into a table shaped like a contacts table.
/// Every speed figure is reported as a ratio to this rate, measured in the same run.
/// </summary>
internal static class SqliteBaseline
{
    private const long AccountId = 1;
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(1);

    private const string Schema = """
        CREATE TABLE contacts (
            id INTEGER PRIMARY KEY,
            account_id INTEGER NOT NULL,
            email TEXT NOT NULL,
            first_name TEXT NOT NULL,
            status INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (account_id, email));
        """;

    private const string Upsert = """
        INSERT INTO contacts (account_id, email, first_name, status, created_at, updated_at)
        VALUES ($account, $email, $name, 1, $now, $now)
        ON CONFLICT (account_id, email) DO UPDATE SET first_name = excluded.first_name, updated_at = excluded.updated_at
        """;

    private const string Lookup = "SELECT id FROM contacts WHERE account_id = $account AND email = $email";

    public static BaselineResult Run(string path, TimeSpan duration, CancellationToken cancellationToken)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        Execute(connection, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;");
        if (Scalar(connection, "PRAGMA journal_mode") != "wal" || Scalar(connection, "PRAGMA synchronous") != "2")
            throw new InvalidOperationException("SQLite did not accept journal_mode=WAL and synchronous=FULL for the baseline.");
        Execute(connection, Schema);

        var upserts = Upserts(connection, duration, cancellationToken);
        var lookups = Lookups(connection, upserts.Created, TimeSpan.FromSeconds(3), cancellationToken);
        return new BaselineResult(Scalar(connection, "SELECT sqlite_version()"), upserts.PerSecond, upserts.Latency, lookups,
            long.Parse(Scalar(connection, "SELECT count(*) FROM contacts"), System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Half new addresses, half updates of existing ones, as the HTTP load does.</summary>
    private static (double PerSecond, Latency Latency, int Created) Upserts(SqliteConnection connection, TimeSpan duration, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Upsert;
        var account = command.Parameters.Add("$account", SqliteType.Integer);
        var email = command.Parameters.Add("$email", SqliteType.Text);
        var name = command.Parameters.Add("$name", SqliteType.Text);
        var now = command.Parameters.Add("$now", SqliteType.Text);
        account.Value = AccountId;

        var random = new Random(1);
        var created = 0;
        var sequence = 0L;
        var latencies = new List<long>(100_000);
        var measureFrom = Stopwatch.GetTimestamp() + (long)(WarmUp.TotalSeconds * Stopwatch.Frequency);
        var stopAt = measureFrom + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var measured = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var start = Stopwatch.GetTimestamp();
            if (start >= stopAt) break;
            var isNew = created == 0 || random.Next(2) == 0;
            email.Value = Addresses.Of(0, isNew ? created : random.Next(created));
            name.Value = Addresses.FirstName(++sequence);
            now.Value = DateTime.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
            using (var transaction = connection.BeginTransaction())
            {
                command.Transaction = transaction;
                command.ExecuteNonQuery();
                transaction.Commit();
            }
            if (isNew) created++;
            var end = Stopwatch.GetTimestamp();
            if (start >= measureFrom)
            {
                latencies.Add(end - start);
                measured++;
            }
        }
        cancellationToken.ThrowIfCancellationRequested();
        return (measured / duration.TotalSeconds, Latency.OfTicks(latencies), created);
    }

    /// <summary>Point lookups by email through the unique index, one reader: the ceiling for search.</summary>
    private static double Lookups(SqliteConnection connection, int contacts, TimeSpan duration, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Lookup;
        command.Parameters.AddWithValue("$account", AccountId);
        var email = command.Parameters.Add("$email", SqliteType.Text);
        var random = new Random(2);
        var count = 0;
        var stopAt = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < stopAt && !cancellationToken.IsCancellationRequested)
        {
            email.Value = Addresses.Of(0, random.Next(contacts));
            if (command.ExecuteScalar() is null) throw new InvalidOperationException("A baseline lookup found no row.");
            count++;
        }
        cancellationToken.ThrowIfCancellationRequested();
        return count / duration.TotalSeconds;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static string Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) ?? "";
    }
}
