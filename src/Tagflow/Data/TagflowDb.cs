using Microsoft.EntityFrameworkCore;
using Tagflow.Accounts;
using Tagflow.Automations;
using Tagflow.Blocklist;
using Tagflow.Contacts;
using Tagflow.Events;
using Tagflow.Fields;
using Tagflow.OptIns;
using Tagflow.Tags;
using Tagflow.Webhooks;

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
    public DbSet<Contact> Contacts => Set<Contact>();
    public DbSet<ContactField> ContactFields => Set<ContactField>();
    public DbSet<ContactTag> ContactTags => Set<ContactTag>();
    public DbSet<DataField> DataFields => Set<DataField>();
    public DbSet<BlockedAddress> Blocklist => Set<BlockedAddress>();
    public DbSet<ContactEvent> Events => Set<ContactEvent>();
    public DbSet<OptInToken> OptInTokens => Set<OptInToken>();
    public DbSet<Delivery.OutboxMail> OutboxMails => Set<Delivery.OutboxMail>();
    public DbSet<Delivery.MailFailure> MailFailures => Set<Delivery.MailFailure>();
    public DbSet<Tagflow.Bounces.Bounce> Bounces => Set<Tagflow.Bounces.Bounce>();
    public DbSet<ListbuildingKey> ListbuildingKeys => Set<ListbuildingKey>();
    public DbSet<Campaign> Campaigns => Set<Campaign>();
    public DbSet<CampaignRun> CampaignRuns => Set<CampaignRun>();
    public DbSet<AutomationCursor> AutomationCursors => Set<AutomationCursor>();
    public DbSet<SentEmail> SentEmails => Set<SentEmail>();
    public DbSet<SkippedEmail> SkippedEmails => Set<SkippedEmail>();
    public DbSet<Webhook> Webhooks => Set<Webhook>();
    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();
    public DbSet<WebhookAttempt> WebhookAttempts => Set<WebhookAttempt>();
    public DbSet<Idempotency.IdempotentRequest> IdempotentRequests => Set<Idempotency.IdempotentRequest>();
    public DbSet<ImportJob> ImportJobs => Set<ImportJob>();
    public DbSet<ImportRefusal> ImportRefusals => Set<ImportRefusal>();

    private static readonly IReadOnlySet<Type> NothingSaved = new HashSet<Type>();

    /// <summary>The entity types of the rows saved since <see cref="TakeSaved"/> was last called; null for none.</summary>
    private HashSet<Type>? _saved;

    /// <summary>The statements of <see cref="AddRow"/> in the current transaction.</summary>
    private RowInserts? _rows;

    /// <summary>Whether the writer that opened the current transaction lets <see cref="AddRow"/> write rows at once (<see cref="WriteRowsAtOnce"/>).</summary>
    private bool _rowsAtOnce;

    /// <summary>
    /// Adds a new row that the change does not change again. On SQLite, inside a writer's transaction
    /// (<see cref="WriteRowsAtOnce"/>), it is inserted at once, through a statement prepared once per
    /// transaction, without the change tracker (<see cref="RowInserts"/>); a key the database
    /// generates is set on it. Not for a row whose key a deletion still waiting in the change tracker
    /// holds (that deletion is only saved later). Elsewhere (on
    /// PostgreSQL, whose SaveChanges sends a change's rows in one round trip), and for a type that
    /// cannot be written that way, it is added to the change tracker, to be saved with the rest.
    /// Either way it is written within the change, and undone with it.
    /// </summary>
    public void AddRow<T>(T entity) where T : class
    {
        if (ShapeAtOnce<T>() is { } shape) InsertAtOnce(shape, entity);
        else Set<T>().Add(entity);
    }

    /// <summary>
    /// Adds and saves a new row at once, for the key the database gives it, and tracks it from then on
    /// as if it had been read. Through <see cref="AddRow"/> where it can be (nothing else waits to be
    /// saved), else through the change tracker and SaveChanges.
    /// </summary>
    public async Task SaveNewAsync<T>(T entity, CancellationToken cancellationToken) where T : class
    {
        if (ShapeAtOnce<T>() is { } shape && !ChangeTracker.HasChanges())
        {
            InsertAtOnce(shape, entity);
            Set<T>().Attach(entity);
            return;
        }
        Set<T>().Add(entity);
        await SaveChangesAsync(cancellationToken);
    }

    /// <summary>
    /// Adds a new row that the change may still change or remove: through <see cref="AddRow"/> where
    /// it can be, and tracked from then on as if it had been read; else added to the change tracker.
    /// </summary>
    public void AddTracked<T>(T entity) where T : class
    {
        if (ShapeAtOnce<T>() is not { } shape)
        {
            Set<T>().Add(entity);
            return;
        }
        InsertAtOnce(shape, entity);
        Set<T>().Attach(entity);
    }

    /// <summary>The row shape of <typeparamref name="T"/> if its rows are written at once here and now; else null.</summary>
    private RowShape? ShapeAtOnce<T>() => _rowsAtOnce && Database.CurrentTransaction is not null ? RowShape.For(Model, typeof(T)) : null;

    private void InsertAtOnce<T>(RowShape shape, T entity) where T : class
    {
        (_rows ??= new()).Insert((Microsoft.Data.Sqlite.SqliteConnection)Database.GetDbConnection(), Database.CurrentTransaction!, shape, entity);
        (_saved ??= []).Add(typeof(T));
    }

    /// <summary>
    /// Lets <see cref="AddRow"/> write rows at once on SQLite in the transaction just opened, until
    /// disposed, which must come before the transaction ends (the statements are finalized while the
    /// connection is still this context's): a <c>using</c> declared after the transaction's.
    /// </summary>
    public IDisposable WriteRowsAtOnce()
    {
        _rowsAtOnce = this is SqliteTagflowDb;
        return new RowsRelease(this);
    }

    private sealed class RowsRelease(TagflowDb db) : IDisposable
    {
        public void Dispose() => db.ReleaseRows();
    }

    /// <summary>Finalizes the statements of <see cref="AddRow"/> (before the transaction that prepared them ends), and writes no more rows at once.</summary>
    public void ReleaseRows()
    {
        _rowsAtOnce = false;
        _rows?.Dispose();
    }

    /// <summary>Statements the next command sends ahead of its own (<see cref="StatementsAhead"/>); null for none.</summary>
    private string? _ahead;

    /// <summary>
    /// On PostgreSQL, has the next command to the database send <paramref name="statements"/> (each
    /// ending in a semicolon, without parameters) ahead of its own, in the same round trip where it
    /// can (<see cref="StatementsAhead"/>). Replaces statements still waiting.
    /// </summary>
    public void SendAhead(string statements) => _ahead = statements;

    /// <summary>Whether statements given to <see cref="SendAhead"/> still wait for a command.</summary>
    public bool AheadWaiting => _ahead is not null;

    /// <summary>The statements waiting to go ahead of the next command, which takes them; null for none.</summary>
    public string? TakeAhead()
    {
        var statements = _ahead;
        _ahead = null;
        return statements;
    }

    /// <summary>Sends the waiting statements now, for work that bypasses EF Core's commands (binary COPY).</summary>
    public async Task SendAheadNowAsync(CancellationToken cancellationToken)
    {
        if (TakeAhead() is { } statements) await Database.ExecuteSqlRawAsync(statements, cancellationToken);
    }

    public override void Dispose()
    {
        ReleaseRows();
        base.Dispose();
    }

    public override ValueTask DisposeAsync()
    {
        ReleaseRows();
        return base.DisposeAsync();
    }

    /// <summary>
    /// The entity types of the rows that SaveChanges has added, changed or deleted since the last
    /// call, and forgets them: a committed write tells its <see cref="ICommitListener"/>s what it saved.
    /// </summary>
    public IReadOnlySet<Type> TakeSaved()
    {
        var saved = _saved;
        _saved = null;
        return saved ?? NothingSaved;
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        NoteSaved();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        NoteSaved();
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    private void NoteSaved()
    {
        foreach (var entry in ChangeTracker.Entries())
        {
            if (entry.State is EntityState.Added or EntityState.Modified or EntityState.Deleted) (_saved ??= []).Add(entry.Metadata.ClrType);
        }
    }

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
            e.Property(g => g.CustomerKeyEnding).HasMaxLength(4);
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
            e.Property(t => t.Name).HasMaxLength(Tag.MaxNameLength);
            e.Property(t => t.NormalizedName).HasMaxLength(Tag.MaxNameLength);
            e.HasOne<Account>().WithMany().HasForeignKey(t => t.AccountId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<OptInProcess>(e =>
        {
            e.HasIndex(p => new { p.AccountId, p.NormalizedName }).IsUnique();
            e.Property(p => p.Name).HasMaxLength(250);
            e.Property(p => p.NormalizedName).HasMaxLength(250);
            e.Property(p => p.PendingUrl).HasMaxLength(2000);
            e.Property(p => p.ThankYouUrl).HasMaxLength(2000);
            e.Property(p => p.SenderName).HasMaxLength(100);
            e.Property(p => p.SenderAddress).HasMaxLength(254);
            e.Property(p => p.Subject).HasMaxLength(250);
            e.HasOne<Account>().WithMany().HasForeignKey(p => p.AccountId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<Contact>(e =>
        {
            // Every lookup a request makes is one of these indexes: none scans the table.
            e.HasIndex(c => new { c.AccountId, c.NormalizedEmail }).IsUnique();
            e.HasIndex(c => new { c.AccountId, c.SmsPhone }).IsUnique();
            e.HasIndex(c => new { c.AccountId, c.Id });
            // The admin app's contacts page sorted by the last change, paged by keyset: its first page
            // at a million contacts is a seek, not a sort of the whole account.
            e.HasIndex(c => new { c.AccountId, c.UpdatedAt, c.Id });
            // The contacts page filtered by a rare status or bounce: partial indexes that hold only those
            // contacts, so a million subscribed ones cost them nothing (ContactList spells out the condition).
            e.HasIndex(c => new { c.AccountId, c.Status, c.Id }).HasFilter("\"Status\" <> 'Subscribed'");
            e.HasIndex(c => new { c.AccountId, c.Bounce, c.Id }).HasFilter("\"Bounce\" <> 'None'");
            e.Property(c => c.Email).HasMaxLength(254);
            e.Property(c => c.NormalizedEmail).HasMaxLength(254);
            e.Property(c => c.SmsPhone).HasMaxLength(32);
            e.Property(c => c.Status).HasConversion<string>().HasMaxLength(16);
            e.Property(c => c.Bounce).HasConversion<string>().HasMaxLength(16);
            e.Property(c => c.SignupIp).HasMaxLength(64);
            e.Property(c => c.SignupSource).HasMaxLength(32);
            e.Property(c => c.OptInIp).HasMaxLength(64);
            e.Property(c => c.OptInUserAgent).HasMaxLength(512);
            e.Property(c => c.UnsubscribedIp).HasMaxLength(64);
            e.HasOne<Account>().WithMany().HasForeignKey(c => c.AccountId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<ContactField>(e =>
        {
            e.HasKey(f => new { f.ContactId, f.Key });
            e.HasIndex(f => f.Key); // removing a data field removes its values
            e.Property(f => f.Key).HasMaxLength(32);
            e.HasOne<Contact>().WithMany().HasForeignKey(f => f.ContactId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<ContactTag>(e =>
        {
            e.HasKey(t => new { t.ContactId, t.TagId });
            e.HasIndex(t => new { t.TagId, t.ContactId });
            e.HasOne<Contact>().WithMany().HasForeignKey(t => t.ContactId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<Tag>().WithMany().HasForeignKey(t => t.TagId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<DataField>(e =>
        {
            e.HasIndex(f => new { f.AccountId, f.NormalizedName }).IsUnique();
            e.Property(f => f.Name).HasMaxLength(250);
            e.Property(f => f.NormalizedName).HasMaxLength(250);
            e.Property(f => f.Type).HasConversion<string>().HasMaxLength(16);
            e.Ignore(f => f.Key);
            e.HasOne<Account>().WithMany().HasForeignKey(f => f.AccountId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<BlockedAddress>(e =>
        {
            e.HasIndex(b => new { b.AccountId, b.Value }).IsUnique();
            e.Property(b => b.Value).HasMaxLength(254);
            e.HasOne<Account>().WithMany().HasForeignKey(b => b.AccountId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<OptInToken>(e =>
        {
            e.HasIndex(t => t.TokenHash).IsUnique();
            e.HasIndex(t => t.ContactId);
            e.HasIndex(t => t.ExpiresAt); // housekeeping
            e.Property(t => t.TokenHash).HasMaxLength(64);
            e.Property(t => t.NewEmail).HasMaxLength(254);
            e.HasOne<Contact>().WithMany().HasForeignKey(t => t.ContactId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<ListbuildingKey>(e =>
        {
            e.HasIndex(k => k.KeyHash).IsUnique();
            e.HasIndex(k => k.AccountId);
            e.HasIndex(k => k.FormToken).IsUnique();
            e.Property(k => k.KeyHash).HasMaxLength(64);
            e.Property(k => k.KeyPrefix).HasMaxLength(16);
            e.Property(k => k.FormToken).HasMaxLength(32);
            e.Property(k => k.FormFields).HasMaxLength(2000);
            e.Property(k => k.Name).HasMaxLength(250);
            e.HasOne<Account>().WithMany().HasForeignKey(k => k.AccountId).OnDelete(DeleteBehavior.Cascade);
            // A process in use by a key cannot be deleted (the API refuses it first); a deleted tag leaves the key without one.
            e.HasOne<OptInProcess>().WithMany().HasForeignKey(k => k.ListId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne<Tag>().WithMany().HasForeignKey(k => k.TagId).OnDelete(DeleteBehavior.SetNull);
        });
        modelBuilder.Entity<Campaign>(e =>
        {
            e.HasIndex(c => new { c.AccountId, c.NormalizedName }).IsUnique();
            e.HasIndex(c => c.TagId);
            e.Property(c => c.Name).HasMaxLength(250);
            e.Property(c => c.NormalizedName).HasMaxLength(250);
            e.Property(c => c.SenderName).HasMaxLength(100);
            e.Property(c => c.SenderAddress).HasMaxLength(254);
            e.HasOne<Account>().WithMany().HasForeignKey(c => c.AccountId).OnDelete(DeleteBehavior.Cascade);
            // A tag that starts a campaign cannot be deleted (the API refuses it first, error 610).
            e.HasOne<Tag>().WithMany().HasForeignKey(c => c.TagId).OnDelete(DeleteBehavior.Restrict);
        });
        modelBuilder.Entity<CampaignRun>(e =>
        {
            e.HasIndex(r => new { r.CampaignId, r.ContactId }).IsUnique(); // a contact enters a campaign once
            e.HasIndex(r => new { r.State, r.DueAt });
            e.HasIndex(r => r.ContactId);
            e.Property(r => r.State).HasConversion<string>().HasMaxLength(16);
            e.Property(r => r.StopReason).HasMaxLength(32);
            e.HasOne<Campaign>().WithMany().HasForeignKey(r => r.CampaignId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<Contacts.Contact>().WithMany().HasForeignKey(r => r.ContactId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<AutomationCursor>(e =>
        {
            e.HasKey(c => c.AccountId);
            e.Property(c => c.AccountId).ValueGeneratedNever();
            e.HasOne<Account>().WithMany().HasForeignKey(c => c.AccountId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<SentEmail>(e =>
        {
            e.HasIndex(m => m.TokenHash).IsUnique();
            e.HasIndex(m => m.ContactId);
            e.HasIndex(m => m.SentAt); // housekeeping
            e.HasIndex(m => new { m.CampaignId, m.Step }); // a campaign's numbers per step; a deleted campaign's emails found at once
            e.Property(m => m.TokenHash).HasMaxLength(64);
            e.Property(m => m.MessageId).HasMaxLength(254);
            e.HasOne<Contacts.Contact>().WithMany().HasForeignKey(m => m.ContactId).OnDelete(DeleteBehavior.Cascade);
            // Deleting a campaign keeps its sent emails: their unsubscribe links and the contacts' emails_sent stay.
            e.HasOne<Campaign>().WithMany().HasForeignKey(m => m.CampaignId).OnDelete(DeleteBehavior.SetNull);
        });
        modelBuilder.Entity<SkippedEmail>(e =>
        {
            e.HasIndex(m => new { m.CampaignId, m.Step }); // a campaign's numbers per step
            e.HasIndex(m => m.At); // housekeeping
            e.HasIndex(m => m.ContactId);
            e.Property(m => m.Reason).HasMaxLength(32);
            e.HasOne<Contacts.Contact>().WithMany().HasForeignKey(m => m.ContactId).OnDelete(DeleteBehavior.Cascade);
            // Only the campaign's numbers: they go with it.
            e.HasOne<Campaign>().WithMany().HasForeignKey(m => m.CampaignId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<Webhook>(e =>
        {
            e.HasIndex(w => w.AccountId);
            e.HasIndex(w => w.TagId);
            e.Property(w => w.Name).HasMaxLength(250);
            e.Property(w => w.Url).HasMaxLength(2000);
            e.Property(w => w.Method).HasMaxLength(8);
            e.Property(w => w.Format).HasMaxLength(8);
            e.Property(w => w.DisabledReason).HasMaxLength(250);
            e.HasOne<Account>().WithMany().HasForeignKey(w => w.AccountId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<Tag>().WithMany().HasForeignKey(w => w.TagId).OnDelete(DeleteBehavior.Restrict);
        });
        modelBuilder.Entity<WebhookDelivery>(e =>
        {
            e.HasIndex(d => new { d.State, d.NextAttemptAt });
            e.HasIndex(d => new { d.WebhookId, d.Id });
            e.HasIndex(d => d.ContactId);
            e.HasIndex(d => d.CreatedAt); // housekeeping
            e.Property(d => d.MessageId).HasMaxLength(64);
            e.Property(d => d.Method).HasMaxLength(8);
            e.Property(d => d.Url).HasMaxLength(8000);
            e.Property(d => d.ContentType).HasMaxLength(64);
            e.Property(d => d.Cause).HasMaxLength(16);
            e.Property(d => d.State).HasConversion<string>().HasMaxLength(16);
            e.HasOne<Webhook>().WithMany().HasForeignKey(d => d.WebhookId).OnDelete(DeleteBehavior.Cascade);
            // Erasing a contact erases what was queued about it.
            e.HasOne<Contacts.Contact>().WithMany().HasForeignKey(d => d.ContactId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<WebhookAttempt>(e =>
        {
            e.HasIndex(a => a.DeliveryId);
            e.Property(a => a.Error).HasMaxLength(500);
            e.Property(a => a.Answer).HasMaxLength(500);
            e.HasOne<WebhookDelivery>().WithMany().HasForeignKey(a => a.DeliveryId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<Delivery.OutboxMail>(e =>
        {
            e.Property(m => m.FileName).HasMaxLength(64);
            e.HasIndex(m => m.AccountId); // the dashboard's queue figures
        });
        modelBuilder.Entity<Delivery.MailFailure>(e =>
        {
            e.HasIndex(f => new { f.AccountId, f.At }); // the dashboard's last 24 hours
            e.HasIndex(f => f.At); // housekeeping
            e.Property(f => f.Recipient).HasMaxLength(320);
            e.Property(f => f.Subject).HasMaxLength(250);
            e.Property(f => f.Reason).HasMaxLength(Delivery.MailFailure.MaxReason);
        });
        modelBuilder.Entity<Tagflow.Bounces.Bounce>(e =>
        {
            e.HasIndex(b => new { b.AccountId, b.EmailId, b.Kind }).IsUnique(); // the same report twice counts once
            e.HasIndex(b => new { b.ContactId, b.Kind, b.At }); // soft bounces within the last days
            e.HasIndex(b => b.At); // housekeeping
            e.Property(b => b.EmailId).HasMaxLength(Tagflow.Bounces.BounceAddresses.EmailIdLength);
            e.Property(b => b.Kind).HasConversion<string>().HasMaxLength(16);
            e.Property(b => b.Status).HasMaxLength(Tagflow.Bounces.Bounce.MaxStatus);
            e.Property(b => b.Diagnostic).HasMaxLength(Tagflow.Bounces.Bounce.MaxDiagnostic);
            // With its contact (erased, or its account removed), as its sent emails.
            e.HasOne<Contacts.Contact>().WithMany().HasForeignKey(b => b.ContactId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<Idempotency.IdempotentRequest>(e =>
        {
            e.HasIndex(r => new { r.AccountId, r.Key }).IsUnique();
            e.HasIndex(r => r.CreatedAt);
            e.Property(r => r.Key).HasMaxLength(255);
            e.Property(r => r.RequestHash).HasMaxLength(64);
            e.Property(r => r.ContentType).HasMaxLength(100);
            e.HasOne<Account>().WithMany().HasForeignKey(r => r.AccountId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<ImportJob>(e =>
        {
            e.HasIndex(j => new { j.AccountId, j.Id });
            e.HasIndex(j => j.State);
            e.Property(j => j.State).HasConversion<string>().HasMaxLength(16);
            e.Property(j => j.Format).HasMaxLength(8);
            e.Property(j => j.Options).HasMaxLength(2000);
            e.Property(j => j.FilePath).HasMaxLength(4000);
            e.Property(j => j.FileName).HasMaxLength(250);
            e.Property(j => j.Error).HasMaxLength(1000);
            e.HasOne<Account>().WithMany().HasForeignKey(j => j.AccountId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<ImportRefusal>(e =>
        {
            e.HasIndex(r => new { r.ImportId, r.Line });
            e.Property(r => r.Column).HasMaxLength(250);
            e.Property(r => r.Message).HasMaxLength(1000);
            e.HasOne<ImportJob>().WithMany().HasForeignKey(r => r.ImportId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<ContactEvent>(e =>
        {
            e.HasIndex(v => new { v.AccountId, v.Id });
            // A contact's events, newest first (its page, the events page filtered by contact): a seek at any size.
            e.HasIndex(v => new { v.AccountId, v.ContactId, v.Id });
            e.Property(v => v.Type).HasMaxLength(32);
            e.HasOne<Account>().WithMany().HasForeignKey(v => v.AccountId).OnDelete(DeleteBehavior.Cascade);
        });
    }
}
