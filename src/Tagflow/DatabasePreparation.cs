using Microsoft.EntityFrameworkCore;
using Tagflow.Accounts;
using Tagflow.Data;

namespace Tagflow;

/// <summary>What every command does before anything else: migrate the schema and check the key file.</summary>
internal static class DatabasePreparation
{
    public static async Task PrepareAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var db = services.GetRequiredService<TagflowDb>();
        var settings = services.GetRequiredService<TagflowSettings>();
        await CheckMigrationHistoryAsync(db, settings.Database, cancellationToken);
        await DataSetup.MigrateAsync(db, cancellationToken);
        await CheckKeyFileAsync(db, settings.KeyFile, cancellationToken);
    }

    /// <summary>
    /// The migrations were squashed into one before the first release. A database made by a
    /// development build before that has only migrations this build does not know in its history, and
    /// migrating it would fail on its first table with the database's error: it is refused with a
    /// message instead, and left as it is.
    /// </summary>
    private static async Task CheckMigrationHistoryAsync(TagflowDb db, DatabaseTarget target, CancellationToken cancellationToken)
    {
        var applied = (await db.Database.GetAppliedMigrationsAsync(cancellationToken)).ToList();
        if (applied.Count == 0 || applied.Intersect(db.Database.GetMigrations(), StringComparer.Ordinal).Any()) return;
        var recreate = target.Provider == DatabaseProvider.Sqlite
            ? "delete the file"
            : "drop the database and create it empty";
        throw new AdminException($"The database ({target.Describe()}) was made by a development build of Tagflow from before its "
            + $"migrations were squashed into one, so it cannot be brought up to date: {recreate} (its data is lost), then start Tagflow again.");
    }

    /// <summary>
    /// Developer keys are derived from the key file, so a database must always meet the same one: a
    /// missing or different file (another directory, another instance, a restore without it) is
    /// refused with a message, instead of silently minting keys that no server accepts.
    /// </summary>
    private static async Task CheckKeyFileAsync(TagflowDb db, string keyFile, CancellationToken cancellationToken)
    {
        Task<string?> KnownFingerprintAsync() => db.ServerSettings.AsNoTracking()
            .Where(s => s.Name == ServerSetting.KeyFingerprint).Select(s => (string?)s.Value).SingleOrDefaultAsync(cancellationToken);

        var known = await KnownFingerprintAsync();
        if (known is null)
        {
            db.ServerSettings.Add(new ServerSetting { Name = ServerSetting.KeyFingerprint, Value = KeyRing.LoadOrCreate(keyFile).Fingerprint() });
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return;
            }
            catch (DbUpdateException)
            {
                // another process set the database up at the same moment: check against its file
                db.ChangeTracker.Clear();
                known = await KnownFingerprintAsync();
            }
        }
        if (!File.Exists(keyFile))
            throw new AdminException($"The key file {keyFile} is missing. This database's developer keys derive from it: "
                + "restore it, or name it with --key-file (TAGFLOW_KEY_FILE).");
        if (KeyRing.Load(keyFile).Fingerprint() != known)
            throw new AdminException($"The key file {keyFile} is not the one this database was set up with, so its developer keys "
                + "would not verify. Use the original key file with --key-file (TAGFLOW_KEY_FILE); every instance needs the same one.");
    }
}
