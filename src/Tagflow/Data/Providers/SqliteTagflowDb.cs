using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Tagflow.Data;

internal sealed class SqliteTagflowDb(DbContextOptions<SqliteTagflowDb> options) : TagflowDb(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        // SQLite's RETURNING does not work on tables with AFTER triggers (ReferenceVersionTriggers).
        foreach (var type in modelBuilder.Model.GetEntityTypes()
            .Where(t => ReferenceVersionTriggers.Tables.Contains(t.GetTableName())).ToList())
            modelBuilder.Entity(type.ClrType).ToTable(t => t.UseSqlReturningClause(false));
    }

    // SQLite has no time zone type: every DateTime Tagflow writes is UTC, so say so when reading.
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder) =>
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();

    private sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
        v => v.ToUniversalTime(),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
}
