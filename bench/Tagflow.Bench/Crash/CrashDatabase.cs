using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Tagflow.Bench.Crash;

/// <summary>What the server still owes: emails stored for delivery, webhook calls pending, campaign steps not run, events the engine has not read.</summary>
internal sealed record Owed(long Emails, long WebhookCalls, long CampaignRuns, long Events)
{
    public bool Nothing => Emails == 0 && WebhookCalls == 0 && CampaignRuns == 0 && Events == 0;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Emails} emails queued, {WebhookCalls} webhook calls pending, {CampaignRuns} campaign runs with a step to go, {Events} events the engine has not read");
}

/// <summary>
/// The trial's SQLite file, read from outside the server. The API does not show the delivery queues,
/// and without them a drain could end while a repeat is still to come (a webhook call whose lease
/// outlived the kill waits a minute); read-only, and in WAL mode beside the running server.
/// </summary>
internal static class CrashDatabase
{
    /// <summary>What the server owes now; null if SQLite would not answer this moment (the server holds a lock the reader needs).</summary>
    public static Owed? Owed(string database)
    {
        try
        {
            return Read(database);
        }
        catch (SqliteException e) when (e.SqliteErrorCode is 5 or 6) // SQLITE_BUSY, SQLITE_LOCKED
        {
            return null;
        }
    }

    private static Owed Read(string database)
    {
        using var connection = Open(database, SqliteOpenMode.ReadOnly);
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT (SELECT COUNT(*) FROM "OutboxMails"),
                   (SELECT COUNT(*) FROM "WebhookDeliveries" WHERE "State" = 'Pending'),
                   (SELECT COUNT(*) FROM "CampaignRuns" WHERE "State" = 'Running'),
                   (SELECT COUNT(*) FROM "Events" WHERE "Id" > COALESCE((SELECT MAX("LastEventId") FROM "AutomationCursors"), 0))
            """;
        using var reader = command.ExecuteReader();
        reader.Read();
        return new Owed(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));
    }

    /// <summary><c>PRAGMA integrity_check</c> on the file the stopped server left: "ok", or what SQLite found.</summary>
    public static string IntegrityCheck(string database)
    {
        using var connection = Open(database, SqliteOpenMode.ReadWrite);
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA integrity_check";
        using var reader = command.ExecuteReader();
        var lines = new List<string>();
        while (reader.Read()) lines.Add(reader.GetString(0));
        return string.Join("; ", lines);
    }

    // No pooling: a pooled handle would hold the file open after the check, into the next trial's clean-up.
    private static SqliteConnection Open(string database, SqliteOpenMode mode)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database, Mode = mode, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }
}
