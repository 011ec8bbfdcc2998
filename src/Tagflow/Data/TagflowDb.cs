using Microsoft.EntityFrameworkCore;
using Tagflow.Accounts;
using Tagflow.OptIns;
using Tagflow.Tags;

namespace Tagflow.Data;

/// <summary>
/// The one model of Tagflow. Each provider has its own subclass so that each keeps its own
/// migrations (Data/Migrations/Sqlite, Data/Migrations/Postgres).
/// </summary>
internal abstract class TagflowDb(DbContextOptions options) : DbContext(options)
{
    public DbSet<Account> Accounts => Set<Account>();
    public DbSet<Developer> Developers => Set<Developer>();
    public DbSet<ApiGrant> ApiGrants => Set<ApiGrant>();
    public DbSet<Session> Sessions => Set<Session>();
    public DbSet<LoginThrottle> LoginThrottles => Set<LoginThrottle>();
    public DbSet<Tag> Tags => Set<Tag>();
    public DbSet<OptInProcess> OptInProcesses => Set<OptInProcess>();
    public DbSet<ServerSetting> ServerSettings => Set<ServerSetting>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<ServerSetting>(e =>
        {
            e.HasKey(s => s.Name);
            e.Property(s => s.Name).HasMaxLength(100);
        });
        modelBuilder.Entity<Account>(e =>
        {
            e.HasIndex(a => a.NormalizedUsername).IsUnique();
            e.Property(a => a.Plan).HasConversion<string>().HasMaxLength(16);
            e.Property(a => a.Username).HasMaxLength(100);
            e.Property(a => a.NormalizedUsername).HasMaxLength(100);
            e.Property(a => a.Email).HasMaxLength(254);
            e.Property(a => a.TimeZone).HasMaxLength(64);
        });
        modelBuilder.Entity<Developer>(e =>
        {
            e.HasIndex(d => d.Name).IsUnique();
            e.Property(d => d.Name).HasMaxLength(100);
        });
        modelBuilder.Entity<ApiGrant>(e =>
        {
            e.HasIndex(g => g.CustomerKeyHash).IsUnique();
            e.HasIndex(g => new { g.AccountId, g.DeveloperId }).IsUnique();
            e.HasOne<Account>().WithMany().HasForeignKey(g => g.AccountId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<Developer>().WithMany().HasForeignKey(g => g.DeveloperId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<Session>(e =>
        {
            e.HasIndex(s => s.TokenHash).IsUnique();
            e.HasIndex(s => s.AccountId);
            e.HasOne<Account>().WithMany().HasForeignKey(s => s.AccountId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<LoginThrottle>(e =>
        {
            e.HasKey(t => t.NormalizedUsername);
            e.Property(t => t.NormalizedUsername).HasMaxLength(100);
        });
        modelBuilder.Entity<Tag>(e =>
        {
            e.HasIndex(t => new { t.AccountId, t.NormalizedName }).IsUnique();
            e.Property(t => t.Kind).HasConversion<string>().HasMaxLength(16);
            e.Property(t => t.Name).HasMaxLength(250);
            e.Property(t => t.NormalizedName).HasMaxLength(250);
            e.HasOne<Account>().WithMany().HasForeignKey(t => t.AccountId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<OptInProcess>(e =>
        {
            e.HasIndex(p => p.AccountId);
            e.Property(p => p.Name).HasMaxLength(250);
            e.HasOne<Account>().WithMany().HasForeignKey(p => p.AccountId).OnDelete(DeleteBehavior.Cascade);
        });
    }
}
